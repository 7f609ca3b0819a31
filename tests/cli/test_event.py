"""cnsl event without an agent: argument rules and the request."""

from __future__ import annotations

import pytest

from cli import event
from tests.cli.runner import FakeHttp, run

SELF = (200, b'{"Config": {"NodeName": "n1"}}')
FIRED = (200, b'{"ID":"b54fe110-7af5-cafc-d1fb-afc8ba432b1c","Name":"deploy","Payload":null}')


def test_fire_with_payload_and_filters() -> None:
    http = FakeHttp(SELF, FIRED)
    argv = ["-name=deploy", "-node=web.*", "-service=api", "-tag=v1", "payload bytes"]
    assert run(event.COMMAND, argv, http) == (
        0,
        "Event ID: b54fe110-7af5-cafc-d1fb-afc8ba432b1c\n",
        "",
    )
    assert http.calls[1] == (
        "PUT",
        "/v1/event/fire/deploy",
        [("node", "web.*"), ("service", "api"), ("tag", "v1")],
        b"payload bytes",
    )


def test_fire_without_payload_sends_an_empty_body() -> None:
    http = FakeHttp(SELF, FIRED)
    assert run(event.COMMAND, ["-name", "deploy"], http)[0] == 0
    assert http.calls[1][2:] == ([], b"")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "Event name must be specified"),
        (["-name=x", "-tag=v1"], "Cannot provide tag filter without service filter."),
        (["-name=x", "-node=("], "Failed to compile node filter regexp: "),
        (["-name=x", "a", "b"], "Too many command line arguments."),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    code, out, err = run(event.COMMAND, argv, FakeHttp())
    assert (code, out) == (2, "") and err.startswith(message)


def test_agent_errors() -> None:
    failed = run(event.COMMAND, ["-name=x"], FakeHttp(SELF, (403, b"Permission denied")))
    assert failed == (
        1,
        "",
        "Error firing event: Unexpected response code: 403 (Permission denied)\n",
    )
    down = run(event.COMMAND, ["-name=x"], FakeHttp((500, b"down")))
    assert down[0] == 1 and down[2].startswith("Error querying Consul agent: ")
