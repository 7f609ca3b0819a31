"""``cnsl monitor`` against a real dev agent."""

from __future__ import annotations

import logging
import subprocess

from agentd.httpapi.monitor import HUB
from tests.agents import AgentThread, wait_for
from tests.cli.runner import Cnsl


def test_monitor_prints_log_lines(agent: AgentThread) -> None:
    cnsl = Cnsl(agent.http_addr)
    proc = cnsl.popen("monitor", "-log-level=warn", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: HUB.subscribers or proc.poll() is not None, timeout=30)
        assert proc.poll() is None
        agent.call(lambda: logging.getLogger("agentd.test").info("not shown"))
        agent.call(lambda: logging.getLogger("agentd.test").warning("shown"))
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        while "agentd.test" not in line:  # other warnings of this process may come first
            line = proc.stdout.readline().decode()
        assert "agentd.test: shown" in line
    finally:
        proc.terminate()
        proc.wait(10)


def test_monitor_bad_level(agent: AgentThread) -> None:
    r = Cnsl(agent.http_addr)("monitor", "-log-level=loud")
    assert r.returncode == 1
    assert r.stderr.startswith(b"Error starting monitor: Unexpected response code: 400")
