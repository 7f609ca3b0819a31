"""``cnsl members`` against a real dev agent (a single server)."""

from __future__ import annotations

import pytest

from tests.agents import AgentThread
from tests.cli.runner import Cnsl


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def test_members_table(cnsl: Cnsl) -> None:
    header, row = cnsl.ok("members").splitlines()
    assert header.split() == [
        "Node",
        "Address",
        "Status",
        "Type",
        "Build",
        "Protocol",
        "DC",
        "Partition",
        "Segment",
    ]
    cells = row.split()
    assert cells[0] == "test-node" and cells[2:4] == ["alive", "server"]
    assert cells[1].endswith(":8301") and ":" not in cells[4]  # Build cut at ":"
    assert cells[6:] == ["dc1", "default", "<all>"]
    assert header.index("Status") == row.index("alive")


def test_members_detailed_and_status_filter(cnsl: Cnsl) -> None:
    header, row = cnsl.ok("members", "-detailed").splitlines()
    assert header.split() == ["Node", "Address", "Status", "Tags"]
    tags = dict(pair.split("=", 1) for pair in row.split()[3].split(","))
    assert tags["role"] == "consul" and tags["dc"] == "dc1" and tags["segment"] == "<all>"
    assert list(tags) == sorted(tags)
    assert cnsl.ok("members", "-status=alive").count("test-node") == 1
    none = cnsl("members", "-status=failed")
    assert (none.returncode, none.stdout, none.stderr) == (2, b"", b"")
    bad = cnsl("members", "-status=(")
    assert bad.returncode == 2 and bad.stderr.startswith(b"Failed to compile status regexp")


def test_members_wan(cnsl: Cnsl) -> None:
    result = cnsl("members", "-wan")
    assert result.returncode == 0, result.stderr
    assert b"test-node" in result.stdout
