"""watchd as a subprocess (config formats, SIGHUP reload) and plan delivery rules in-process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.watch.plans import parse_watch
from cnslkit.watch.planset import PlanSet
from tests.agents import ROOT, AgentThread, wait_for
from tests.watchd.conftest import Recorder
from tests.watchd.test_plans_e2e import RECORD, script_calls, until


def script(out: Path) -> list[str]:
    return [sys.executable, "-c", RECORD, str(out)]


def test_config_formats_and_sighup_reload(
    live: AgentThread, api: httpx.Client, recorder: Recorder, tmp_path: Path
) -> None:
    api.put("/v1/kv/r/a", content=b"1")
    api.put("/v1/kv/rp/x", content=b"1")
    conf = tmp_path / "conf"
    conf.mkdir()
    a_log, c_log = tmp_path / "a.jsonl", tmp_path / "c.jsonl"
    (conf / "a.toml").write_text(
        f'[[watch]]\ntype = "key"\nkey = "r/a"\nargs = {json.dumps(script(a_log))}\n'
    )
    watches = [{"type": "keyprefix", "prefix": "rp/", "handler_type": "http",
                "http_handler_config": {"path": recorder.url + "/p"}}]  # fmt: skip
    (conf / "b.json").write_text(json.dumps({"watches": watches}))
    env = {**os.environ, "CONSUL_HTTP_ADDR": live.http_addr, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "watchd", "-config", str(conf), "-log-level",
                             "debug"], env=env, stderr=subprocess.PIPE, text=True)  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True).start()
    try:
        wait_for(lambda: script_calls(a_log) and recorder.calls, 30)
        args = json.dumps(script(c_log))
        (conf / "c.hcl").write_text(
            f'watches = [{{\n  type = "key"\n  key = "r/c"\n  fire_on_start = false\n'
            f"  args = {args}\n}}]\n"
        )
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any("watches: 3 running" in line for line in lines), 30)
        # The new watch must hold its first answer (r/c missing) before r/c is written: with
        # fire_on_start = false, whatever that first answer holds is the baseline.
        wait_for(lambda: any("/v1/kv/r/c): new data" in line for line in lines), 30)
        api.put("/v1/kv/r/c", content=b"new")
        wait_for(lambda: script_calls(c_log), 30)
        assert len(script_calls(c_log)) == 1  # not fired at start, fired on the change
        assert len(script_calls(a_log)) == 1 and len(recorder.calls) == 1  # indexes kept
        api.put("/v1/kv/rp/y", content=b"2")
        wait_for(lambda: len(recorder.calls) == 2, 30)
        assert json.loads(recorder.calls[1]["headers"]["X-Consul-Changed-Keys"]) == ["rp/y"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


async def test_retries_with_backoff_then_give_up(
    live: AgentThread, api: httpx.Client, recorder: Recorder
) -> None:
    recorder.status = 500
    spec = parse_watch({"type": "key", "key": "retry/k", "retries": 2, "retry_backoff": "50ms",
                        "http_handler_config": {"path": recorder.url}})  # fmt: skip
    async with Client(ClientConfig(live.http_addr)) as client:
        plans = PlanSet(client, wait=5)
        task = asyncio.create_task(plans.run([spec]))
        await until(lambda: len(recorder.calls) == 3)
        await asyncio.sleep(0.3)
        plans.stop()
        await task
    assert len(recorder.calls) == 3  # one call and two retries


async def test_one_handler_at_a_time_coalescing_changes(
    live: AgentThread, api: httpx.Client, tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    slow = RECORD + "import time; time.sleep(0.5)\n"
    spec = parse_watch(
        {"type": "key", "key": "co/k", "args": [sys.executable, "-c", slow, str(out)]}
    )
    api.put("/v1/kv/co/k", content=b"0")
    async with Client(ClientConfig(live.http_addr)) as client:
        plans = PlanSet(client, wait=5)
        task = asyncio.create_task(plans.run([spec]))
        await until(lambda: script_calls(out))
        for i in range(1, 6):
            api.put("/v1/kv/co/k", content=str(i).encode())
            await asyncio.sleep(0.03)
        await until(lambda: script_calls(out)[-1]["body"]["Value"] == "NQ==")  # "5"
        plans.stop()
        await task
    assert len(script_calls(out)) <= 3


async def test_newer_data_cuts_a_retry_backoff_short(
    live: AgentThread, api: httpx.Client, recorder: Recorder
) -> None:
    recorder.status = 500
    api.put("/v1/kv/cut/k", content=b"old")
    spec = parse_watch({"type": "key", "key": "cut/k", "retries": 5, "retry_backoff": "30s",
                        "http_handler_config": {"path": recorder.url}})  # fmt: skip
    async with Client(ClientConfig(live.http_addr)) as client:
        plans = PlanSet(client, wait=5)
        task = asyncio.create_task(plans.run([spec]))
        await until(lambda: recorder.calls)
        recorder.status = 200
        api.put("/v1/kv/cut/k", content=b"new")
        await until(lambda: len(recorder.calls) == 2, timeout=5)  # not after the 30 s backoff
        plans.stop()
        await task
    assert recorder.calls[1]["body"]["Value"] == "bmV3"  # "new"
