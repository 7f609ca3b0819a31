"""cnsl join, force-leave, rtt and leave against real dev agents."""

from __future__ import annotations

import pytest

from tests.agents import AgentProcess, AgentThread
from tests.cli.runner import Cnsl


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def test_join(cnsl: Cnsl) -> None:
    out = cnsl.ok("join", "127.0.0.1", "127.0.0.1:8301")
    assert out == "Successfully joined cluster by contacting 2 nodes.\n"
    assert cnsl.ok("join", "-wan", "127.0.0.1") == out.replace("2 nodes", "1 nodes")
    failed = cnsl("join", "10.255.255.1")
    assert failed.returncode == 1 and failed.stdout == b""
    lines = failed.stderr.decode().splitlines()
    assert lines[0] == (
        "Error joining address '10.255.255.1': Unexpected response code: 500 (1 error occurred:"
    )
    assert lines[1].startswith("\t* Failed to join 10.255.255.1:8301: ")
    assert lines[-1] == "Failed to join any nodes."


def test_force_leave(cnsl: Cnsl) -> None:
    assert cnsl.ok("force-leave", "test-node") == ""
    assert cnsl.ok("force-leave", "-prune", "-wan", "test-node.dc1") == ""
    failed = cnsl("force-leave", "ghost")
    assert failed.returncode == 1
    assert failed.stderr == (
        b"Error force leaving: Unexpected response code: 500 "
        b"(agent: No node found with name 'ghost')\n"
    )


def test_rtt(cnsl: Cnsl) -> None:
    lan = "Estimated test-node <-> test-node rtt: 0.020 ms (using LAN coordinates)\n"
    assert cnsl.ok("rtt", "test-node") == lan
    assert cnsl.ok("rtt", "test-node", "TEST-NODE") == lan.replace("<-> test-node", "<-> TEST-NODE")
    wan = cnsl.ok("rtt", "-wan", "test-node.dc1")
    assert (
        wan == "Estimated test-node.dc1 <-> test-node.dc1 rtt: 0.020 ms (using WAN coordinates)\n"
    )
    missing = cnsl("rtt", "ghost")
    assert (missing.returncode, missing.stderr) == (
        1,
        b'Could not find a coordinate for node "ghost"\n',
    )


def test_leave_stops_the_agent() -> None:
    proc = AgentProcess("-dev", "-node", "cli-leaver", "-http-port", "0", "-dns-port", "-1").start()
    try:
        assert Cnsl(proc.http_addr).ok("leave") == "Graceful leave complete\n"
        assert proc.wait(15) == 0
    finally:
        proc.stop()
