"""``cnsl maint`` against a real dev agent."""

from __future__ import annotations

import pytest

from tests.agents import AgentThread
from tests.cli.runner import Cnsl


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def test_node_maintenance_round_trip(cnsl: Cnsl) -> None:
    assert cnsl.ok("maint") == ""
    assert cnsl.ok("maint", "-enable", "-reason", "kernel upgrade") == (
        "Node maintenance is now enabled\n"
    )
    assert cnsl.ok("maint") == "Node:\n  Name:   test-node\n  Reason: kernel upgrade\n\n"
    assert cnsl.ok("maint", "-disable") == "Node maintenance is now disabled\n"
    assert cnsl.ok("maint") == ""


def test_service_maintenance_round_trip(cnsl: Cnsl) -> None:
    cnsl.ok("services", "register", "-name=web", "-id=web-1")
    assert cnsl.ok("maint", "-enable", "-service=web-1") == (
        'Service maintenance is now enabled for "web-1"\n'
    )
    listing = cnsl.ok("maint")
    assert listing.startswith("Service:\n  ID:     web-1\n  Reason: Maintenance mode is enabled")
    assert cnsl.ok("maint", "-disable", "-service=web-1") == (
        'Service maintenance is now disabled for "web-1"\n'
    )
    assert cnsl.ok("maint") == ""
    unknown = cnsl("maint", "-enable", "-service=nope")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith(b"Error enabling service maintenance: ")


def test_usage_errors(cnsl: Cnsl) -> None:
    both = cnsl("maint", "-enable", "-disable")
    assert both.returncode == 2
    assert both.stderr == b"Only one of -enable or -disable may be provided\n"
