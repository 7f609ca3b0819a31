"""``cnsl event`` against a real dev agent."""

from __future__ import annotations

import base64
import re

import httpx

from tests.agents import AgentThread, wait_for
from tests.cli.runner import Cnsl

UUID = re.compile(r"Event ID: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\n")


def test_fire_and_list(agent: AgentThread) -> None:
    cnsl = Cnsl(agent.http_addr)
    match = UUID.fullmatch(cnsl.ok("event", "-name=deploy", "-node=test.*", "v1.2"))
    assert match is not None

    def listed() -> list[dict[str, object]]:
        events: list[dict[str, object]] = httpx.get(f"{agent.url}/v1/event/list").json()
        return [e for e in events if e["ID"] == match.group(1)]

    (event,) = wait_for(listed)
    assert event["Name"] == "deploy" and event["NodeFilter"] == "test.*"
    assert base64.b64decode(str(event["Payload"])) == b"v1.2"
    assert UUID.fullmatch(cnsl.ok("event", "-name", "no-payload")) is not None
    usage = cnsl("event", "hello")
    assert usage.returncode == 2 and usage.stderr.startswith(b"Event name must be specified")
