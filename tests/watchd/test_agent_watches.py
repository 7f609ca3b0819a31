"""agentd runs the ``watches`` of its own config (through its own HTTP API) and reloads them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

from tests.agents import AgentThread, wait_for
from tests.watchd.test_plans_e2e import RECORD, script_calls


def test_agent_runs_and_reloads_its_watches(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    config = tmp_path / "agent.json"

    def write(*outs: Path) -> None:
        watches = [{"type": "key", "key": f"aw/{o.stem}", "args": [sys.executable, "-c", RECORD,
                    str(o)]} for o in outs]  # fmt: skip
        config.write_text(json.dumps({"watches": watches}))

    write(first)
    agent = AgentThread("-config-file", str(config)).start()
    try:
        wait_for(lambda: script_calls(first))
        assert script_calls(first)[0]["body"] is None  # the key does not exist yet
        httpx.put(agent.url + "/v1/kv/aw/first", content=b"1")
        wait_for(lambda: len(script_calls(first)) == 2)
        write(first, second)
        agent.call(agent.agent.reload)
        wait_for(lambda: script_calls(second))
        assert len(script_calls(first)) == 2  # kept, not fired again
    finally:
        agent.stop()
