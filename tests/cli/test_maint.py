"""cnsl maint without an agent: argument rules, the calls made and the listing."""

from __future__ import annotations

import json

import pytest

from cli import maint
from tests.cli.runner import FakeHttp, run

SELF = (200, b'{"Config": {"NodeName": "n1"}}')
OK = (200, b"")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-enable", "-disable"], "Only one of -enable or -disable may be provided"),
        (["-reason=x"], "Reason may only be provided with -enable"),
        (["-disable", "-reason=x"], "Reason may only be provided with -enable"),
        (["-service=web"], "Service requires either -enable or -disable"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    assert run(maint.COMMAND, argv, FakeHttp()) == (2, "", message + "\n")


def test_enable_and_disable_node() -> None:
    http = FakeHttp(SELF, OK)
    assert run(maint.COMMAND, ["-enable", "-reason=kernel upgrade"], http) == (
        0,
        "Node maintenance is now enabled\n",
        "",
    )
    assert http.calls[1][:3] == (
        "PUT",
        "/v1/agent/maintenance",
        [("enable", "true"), ("reason", "kernel upgrade")],
    )
    http = FakeHttp(SELF, OK)
    assert run(maint.COMMAND, ["-disable"], http)[1] == "Node maintenance is now disabled\n"
    assert http.calls[1][2] == [("enable", "false")]


def test_enable_and_disable_service() -> None:
    http = FakeHttp(SELF, OK)
    code, out, _ = run(maint.COMMAND, ["-enable", "-service", "web 1"], http)
    assert (code, out) == (0, 'Service maintenance is now enabled for "web 1"\n')
    assert http.calls[1][1] == "/v1/agent/service/maintenance/web%201"
    assert http.calls[1][2] == [("enable", "true"), ("reason", "")]
    http = FakeHttp(SELF, (404, b'No service registered with ID "nope"'))
    code, _, err = run(maint.COMMAND, ["-disable", "-service=nope"], http)
    assert code == 1
    assert err == (
        "Error disabling service maintenance: Unexpected response code: 404 "
        '(No service registered with ID "nope")\n'
    )


def test_listing() -> None:
    checks = {
        "serfHealth": {"CheckID": "serfHealth", "Status": "passing"},
        "_node_maintenance": {"CheckID": "_node_maintenance", "Notes": "upgrade"},
        "_service_maintenance:web": {
            "CheckID": "_service_maintenance:web",
            "ServiceID": "web",
            "Notes": "deploy",
        },
    }
    http = FakeHttp(SELF, (200, json.dumps(checks).encode()))
    assert run(maint.COMMAND, [], http) == (
        0,
        "Node:\n  Name:   n1\n  Reason: upgrade\n\nService:\n  ID:     web\n  Reason: deploy\n\n",
        "",
    )
    assert http.calls[1][1] == "/v1/agent/checks"
    assert run(maint.COMMAND, [], FakeHttp(SELF, (200, b"{}"))) == (0, "", "")
