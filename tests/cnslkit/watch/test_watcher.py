"""The watcher against a live agent: shared queries, change notices, cancellation, failures."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cnslkit.api import Client, ClientConfig
from cnslkit.watch import RetriesExhausted, RetryPolicy, Subscription, Watcher, parse
from cnslkit.watch.file import FileQuery
from tests.agents import AgentThread


@contextlib.asynccontextmanager
async def running(agent_addr: str, **kwargs: object) -> AsyncIterator[Watcher]:
    async with Client(ClientConfig(agent_addr)) as client:
        watcher = Watcher(client, **kwargs)  # type: ignore[arg-type]
        task = asyncio.create_task(watcher.run())
        try:
            yield watcher
        finally:
            watcher.stop()
            await asyncio.wait_for(task, 5)


async def put(agent: AgentThread, key: str, value: str) -> None:
    async with httpx.AsyncClient(base_url=agent.url) as http:
        (await http.put(f"/v1/kv/{key}", content=value.encode())).raise_for_status()


async def next_change(sub: Subscription, timeout: float = 5.0) -> list[str]:
    async with asyncio.timeout(timeout):
        return [d.key for d in await sub.wait()]


async def test_one_query_for_many_consumers(agent: AgentThread) -> None:
    await put(agent, "a", "1")
    async with running(agent.http_addr) as watcher:
        dep = parse("kv.get", "a")
        subs = [Subscription() for _ in range(5)]
        for sub in subs:
            watcher.watch(parse("kv.get", "a"), sub)  # equal values, one view
        assert len(watcher.dependencies) == 1
        for sub in subs:
            assert await next_change(sub) == ["kv.get(a)"]
        has, pair = watcher.get(dep)
        assert has and pair.Value == "1"
        await put(agent, "a", "2")
        for sub in subs:
            assert await next_change(sub) == ["kv.get(a)"]
        assert watcher.get(dep)[1].Value == "2"
        assert watcher.fetch_count(dep) <= 3  # first read, the wake-up, the next long-poll
        for sub in subs[:-1]:
            watcher.release(sub)
        assert len(watcher.dependencies) == 1
        watcher.unwatch(dep, subs[-1])
        assert watcher.dependencies == [] and watcher.get(dep) == (False, None)


async def test_other_keys_do_not_notify(agent: AgentThread) -> None:
    await put(agent, "b", "same")
    async with running(agent.http_addr) as watcher:
        sub = Subscription()
        watcher.watch(parse("kv.get", "b"), sub)
        await next_change(sub)
        await put(agent, "bb", "x")
        await put(agent, "other", "x")
        await asyncio.sleep(0.4)
        assert sub.drain() == []


async def test_a_shared_event_wakes_one_waiter(agent: AgentThread) -> None:
    async with running(agent.http_addr) as watcher:
        event = asyncio.Event()
        one, two = Subscription(event), Subscription(event)
        watcher.watch(parse("kv.get", "x"), one)
        watcher.watch(parse("kv.list", "p"), two)
        async with asyncio.timeout(5):
            while not (
                watcher.has_data(parse("kv.get", "x")) and watcher.has_data(parse("kv.list", "p"))
            ):
                event.clear()
                await event.wait()
        assert [d.key for d in one.drain()] == ["kv.get(x)"]
        assert [d.key for d in two.drain()] == ["kv.list(p)"]
        assert watcher.get(parse("kv.get", "x")) == (True, None)  # absent: an answer


async def test_catalog_dependencies(agent: AgentThread) -> None:
    async with httpx.AsyncClient(base_url=agent.url) as http:
        body = {"Name": "db", "ID": "db1", "Port": 5432, "Tags": ["primary"]}
        (await http.put("/v1/agent/service/register", json=body)).raise_for_status()
    async with running(agent.http_addr) as watcher:
        sub = Subscription()
        deps = [
            parse("health.service", "primary.db"),
            parse("catalog.services"),
            parse("catalog.nodes"),
            parse("catalog.node"),
            parse("catalog.datacenters"),
            parse("kv.keys", ""),
        ]
        for dep in deps:
            watcher.watch(dep, sub)
        async with asyncio.timeout(10):
            while not all(watcher.has_data(d) and watcher.get(d)[1] for d in deps[:5]):
                await sub.wait()
        (svc,) = watcher.get(deps[0])[1]
        assert (svc.Name, svc.ID, svc.Port, svc.Node, svc.Status) == (
            "db",
            "db1",
            5432,
            "test-node",
            "passing",
        )
        assert [(s.Name, s.Tags) for s in watcher.get(deps[1])[1]] == [
            ("consul", ()),
            ("db", ("primary",)),
        ]
        assert [n.Node for n in watcher.get(deps[2])[1]] == ["test-node"]
        node = watcher.get(deps[3])[1]
        assert node.Node.Node == "test-node" and "db1" in [s.ID for s in node.Services]
        assert watcher.get(deps[4])[1] == ["dc1"]


async def test_file_dependency(agent: AgentThread, tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    async with running(agent.http_addr) as watcher:
        sub = Subscription()
        dep = FileQuery(str(path), poll=0.05)
        watcher.watch(dep, sub)
        await next_change(sub)
        assert watcher.get(dep) == (True, None)
        path.write_text("one")
        await next_change(sub)
        assert watcher.get(dep) == (True, "one")
        path.unlink()
        await next_change(sub)
        assert watcher.get(dep) == (True, None)


async def test_retries_are_exhausted_and_reported() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    policy = RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.02)
    async with running(f"127.0.0.1:{port}", retry=policy) as watcher:
        sub = Subscription()
        watcher.watch(parse("kv.get", "a"), sub)
        with pytest.raises(RetriesExhausted) as info:
            await next_change(sub)
        assert "kv.get(a)" in str(info.value) and "connection refused" in str(info.value)
        assert watcher.fetch_count(parse("kv.get", "a")) == 3
