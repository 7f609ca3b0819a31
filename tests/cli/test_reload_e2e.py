"""``cnsl reload`` against a real dev agent."""

from __future__ import annotations

from tests.agents import AgentThread
from tests.cli.runner import Cnsl


def test_reload(agent: AgentThread) -> None:
    assert Cnsl(agent.http_addr).ok("reload") == "Configuration reload triggered\n"
