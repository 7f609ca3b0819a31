"""``cnsl watch`` against a real dev agent: JSON without a handler, a handler on changes."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx

from tests.agents import AgentThread, wait_for
from tests.cli.runner import Cnsl


def test_prints_json_without_handler(agent: AgentThread) -> None:
    httpx.put(agent.url + "/v1/kv/cw/a", content=b"x")
    cnsl = Cnsl(agent.http_addr)
    [pair] = json.loads(cnsl.ok("watch", "-type", "keyprefix", "-prefix", "cw/"))
    assert pair["Key"] == "cw/a" and pair["Value"] == "eA=="
    assert json.loads(cnsl.ok("watch", "-type=key", "-key", "cw/none")) is None
    assert "consul" in json.loads(cnsl.ok("watch", "-type", "services"))
    assert cnsl("watch", "-type", "bogus").returncode == 2
    assert cnsl("watch", "-type", "key").returncode == 2  # no -key


def test_runs_a_shell_handler_on_changes(agent: AgentThread, tmp_path: Path) -> None:
    out = tmp_path / "out"
    httpx.put(agent.url + "/v1/kv/cw/k", content=b"1")
    proc = Cnsl(agent.http_addr).popen(
        "watch",
        "-type",
        "key",
        "-key",
        "cw/k",
        f'cat >> {out}; echo " $CONSUL_INDEX" >> {out}',
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: out.exists() and out.read_text().count("\n") == 1)
        httpx.put(agent.url + "/v1/kv/cw/k", content=b"2")
        wait_for(lambda: out.read_text().count("\n") == 2)
        second = out.read_text().splitlines()[1]
        body, index = second.rsplit(" ", 1)
        assert json.loads(body)["Value"] == "Mg==" and int(index) > 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
