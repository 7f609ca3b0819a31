"""``cnsl info`` and ``cnsl version``."""

from __future__ import annotations

import json

from cli.info import format_stats
from cnslkit.version import CONSUL_VERSION
from tests.agents import AgentThread
from tests.cli.runner import Cnsl


def test_format_stats_sorts_sections_and_keys() -> None:
    text = format_stats({"raft": {"term": "1", "state": "Leader"}, "agent": {"checks": "0"}})
    assert text == "agent:\n\tchecks = 0\nraft:\n\tstate = Leader\n\tterm = 1"


def test_info_against_an_agent(agent: AgentThread) -> None:
    out = Cnsl(agent.http_addr).ok("info")
    sections = [line for line in out.splitlines() if not line.startswith("\t")]
    assert sections == sorted(sections) and "consul:" in sections and "raft:" in sections
    assert "\tleader = true\n" in out


def test_version() -> None:
    cnsl = Cnsl("127.0.0.1:1")  # needs no agent
    out = cnsl.ok("version")
    assert out.splitlines()[0] == f"Consul v{CONSUL_VERSION}"
    assert out.splitlines()[3].startswith("Protocol 2 spoken by default")
    doc = json.loads(cnsl.ok("version", "-format=json"))
    assert doc["Version"] == CONSUL_VERSION and doc["RPC"]["Default"] == 2
