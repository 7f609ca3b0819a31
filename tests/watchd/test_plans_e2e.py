"""Every watch type, with a script handler and an HTTP handler, against a live agent."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.watch.plans import parse_watch
from cnslkit.watch.planset import PlanSet
from tests.agents import AgentThread
from tests.watchd.conftest import Recorder

RECORD = (
    "import json, os, sys\n"
    "body = json.load(sys.stdin)\n"
    "with open(sys.argv[1], 'a') as f:\n"
    "    f.write(json.dumps({'index': os.environ['CONSUL_INDEX'],\n"
    "        'changed': os.environ.get('CONSUL_CHANGED_KEYS'), 'body': body}) + '\\n')\n"
)


def script_calls(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def until(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# type -> (params, trigger, is the new body what the trigger made?)
CASES: dict[str, tuple[dict[str, Any], Callable[[httpx.Client], Any], Callable[[Any], bool]]] = {
    "key": (
        {"key": "w/k"},
        lambda c: c.put("/v1/kv/w/k", content=b"v2"),
        lambda b: b is not None and b["Value"] == b64("v2"),
    ),
    "keyprefix": (
        {"prefix": "wp/"},
        lambda c: c.put("/v1/kv/wp/b", content=b"2"),
        lambda b: [e["Key"] for e in b] == ["wp/a", "wp/b"],
    ),
    "services": (
        {},
        lambda c: c.put("/v1/agent/service/register", json={"Name": "web", "Tags": ["prod"]}),
        lambda b: "web" in b,
    ),
    "nodes": (
        {},
        lambda c: c.put("/v1/catalog/register", json={"Node": "n2", "Address": "10.0.0.2"}),
        lambda b: "n2" in [n["Node"] for n in b],
    ),
    "service": (
        {"service": "web", "tag": "prod", "passingonly": True},
        lambda c: None,  # made by the services trigger
        lambda b: [e["Service"]["Service"] for e in b] == ["web"],
    ),
    "checks": (
        {"service": "db"},  # a node-level check would make web fail -passingonly
        lambda c: c.put("/v1/agent/service/register", json={"Name": "db", "Check": {"TTL": "30s"}}),
        lambda b: [e["Status"] for e in b] == ["critical"],
    ),
    "event": (
        {"name": "deploy"},
        lambda c: c.put("/v1/event/fire/deploy", content=b"go"),
        lambda b: [e["Name"] for e in b] == ["deploy"],
    ),
}


async def test_every_type_with_both_handlers(
    live: AgentThread, api: httpx.Client, recorder: Recorder, tmp_path: Path
) -> None:
    api.put("/v1/kv/w/k", content=b"v1")
    api.put("/v1/kv/wp/a", content=b"1")
    specs = []
    for kind, (params, _, _) in CASES.items():
        out = tmp_path / f"{kind}.jsonl"
        script = {"args": [sys.executable, "-c", RECORD, str(out)]}
        http = {"http_handler_config": {"path": f"{recorder.url}/{kind}",
                                        "header": {"X-Test": ["yes"]}}}  # fmt: skip
        specs.append(parse_watch({"type": kind, **params, **script}))
        specs.append(parse_watch({"type": kind, **params, **http}))

    def http_calls(kind: str) -> list[dict[str, Any]]:
        return [c for c in recorder.calls if c["path"] == f"/{kind}"]

    async with Client(ClientConfig(live.http_addr)) as client:
        plans = PlanSet(client, wait=5)
        task = asyncio.create_task(plans.run(specs))
        try:
            for kind in CASES:  # Consul's rule: every watch fires once at start
                await until(lambda k=kind: script_calls(tmp_path / f"{k}.jsonl"))
                await until(lambda k=kind: http_calls(k))
            for _, trigger, _ in CASES.values():
                trigger(api)
            for kind, (_, _, made) in CASES.items():
                await until(
                    lambda k=kind, m=made: m(script_calls(tmp_path / f"{k}.jsonl")[-1]["body"])
                )
                await until(lambda k=kind, m=made: m(http_calls(k)[-1]["body"]))
        finally:
            plans.stop()
            await task
    prefix = script_calls(tmp_path / "keyprefix.jsonl")
    assert json.loads(prefix[0]["changed"]) == ["wp/a"]
    assert json.loads(prefix[-1]["changed"]) == ["wp/b"]
    last = http_calls("keyprefix")[-1]
    assert json.loads(last["headers"]["X-Consul-Changed-Keys"]) == ["wp/b"]
    assert last["headers"]["X-Test"] == "yes" and last["method"] == "POST"
    assert int(last["headers"]["X-Consul-Index"]) > 0
    assert int(prefix[-1]["index"]) > int(prefix[0]["index"])
