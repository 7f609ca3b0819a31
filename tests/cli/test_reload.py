"""cnsl reload without an agent."""

from __future__ import annotations

from cli import reload
from tests.cli.runner import FakeHttp, run


def test_reload() -> None:
    http = FakeHttp((200, b""))
    assert run(reload.COMMAND, [], http) == (0, "Configuration reload triggered\n", "")
    assert http.calls == [("PUT", "/v1/agent/reload", [], b"")]
    failed = run(reload.COMMAND, [], FakeHttp((500, b"bad config")))
    assert failed == (1, "", "Error reloading: Unexpected response code: 500 (bad config)\n")
    assert run(reload.COMMAND, ["x"], FakeHttp())[0] == 2
