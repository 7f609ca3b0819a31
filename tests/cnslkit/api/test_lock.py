"""Lock and semaphore recipes: the pure parts, then against a real agent's sessions and KV."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from cnslkit.api import KV, Client, ClientConfig, session
from cnslkit.api.errors import ApiError, LockConflict, LockInUse, ResponseError, TransportError
from cnslkit.api.lock import (
    LOCK_FLAG,
    SEMAPHORE_FLAG,
    Lock,
    LockOptions,
    Semaphore,
    SemaphoreState,
    join,
    retryable,
)
from cnslkit.api.models import KVPair
from tests.agents import AgentThread

QUICK = LockOptions(wait_time=0.3, try_once=True)


def test_constants_are_consuls() -> None:
    assert LOCK_FLAG == 3304740253564472344
    assert SEMAPHORE_FLAG == 0xE0F69A2BAA414DE0


def test_join_is_gos_path_join() -> None:
    assert join("locks/a", ".lock") == "locks/a/.lock"
    assert join("locks/a/", ".lock") == "locks/a/.lock"
    assert join("a//b", "c") == "a/b/c"
    assert join("", ".lock") == ".lock"


def test_semaphore_state_json() -> None:
    state = SemaphoreState(2, {"b": True, "a": True})
    assert state.encode() == b'{"Limit":2,"Holders":{"a":true,"b":true}}'
    assert SemaphoreState.decode(None, 3) == SemaphoreState(3, {})
    decoded = SemaphoreState.decode(b'{"limit":2,"holders":{"x":true}}', 9)
    assert decoded == SemaphoreState(2, {"x": True})
    with pytest.raises(Exception, match="lock decoding failed"):
        SemaphoreState.decode(b"not json", 1)


def test_prune_keeps_holders_with_live_contender_keys() -> None:
    state = SemaphoreState(3, {"live": True, "dead": True})
    pairs = [KVPair("p/live", None, session="live"), KVPair("p/dead", None), KVPair("p/.lock")]
    state.prune(pairs)
    assert state.holders == {"live": True}


def test_retryable() -> None:
    assert retryable(TransportError("refused"))
    assert retryable(ResponseError(500, b"rpc error"))
    assert not retryable(ResponseError(403, b"Permission denied"))


@pytest.fixture
async def client(agent: AgentThread) -> AsyncIterator[Client]:
    async with Client(ClientConfig(agent.http_addr)) as c:
        yield c


async def _session(client: Client, behavior: str = "release") -> str:
    return await client.send(
        session.create(name="test", ttl="15s", behavior=behavior, lock_delay=0)
    )


async def test_lock_excludes_until_released(client: Client) -> None:
    a, b = await _session(client), await _session(client)
    first, second = Lock(client, "t/.lock", QUICK), Lock(client, "t/.lock", QUICK)
    assert await first.acquire(a)
    assert not await second.acquire(b)  # try_once: gave up
    waiting = asyncio.create_task(Lock(client, "t/.lock").acquire(b))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await first.release(a)
    assert await asyncio.wait_for(waiting, 10)
    pair, _ = await KV(client).get("t/.lock")
    assert pair is not None and pair.session == b and pair.flags == LOCK_FLAG
    with pytest.raises(LockInUse, match="Lock in use"):
        await first.destroy()
    await second.release(b)
    await first.destroy()
    assert (await KV(client).get("t/.lock"))[0] is None


async def test_monitor_returns_when_the_session_goes(client: Client) -> None:
    a = await _session(client)
    held = Lock(client, "m/.lock")
    assert await held.acquire(a)
    monitor = asyncio.create_task(held.monitor(a))
    await asyncio.sleep(0.2)
    assert not monitor.done()
    assert await client.send(session.destroy(a))
    await asyncio.wait_for(monitor, 10)


async def test_lock_refuses_a_key_with_other_flags(client: Client) -> None:
    await KV(client).put("c/.lock", b"x", flags=7)
    with pytest.raises(LockConflict, match="Existing key does not match lock use"):
        await Lock(client, "c/.lock").acquire(await _session(client))
    with pytest.raises(LockConflict):
        await Lock(client, "c/.lock").destroy()


async def test_semaphore_admits_up_to_its_limit(client: Client) -> None:
    kv = KV(client)
    s1, s2, s3 = [await _session(client, "delete") for _ in range(3)]
    sems = [Semaphore(client, "sem", 2, QUICK) for _ in range(3)]
    assert await sems[0].acquire(s1)
    assert await sems[1].acquire(s2)
    assert not await sems[2].acquire(s3)
    pair, _ = await kv.get("sem/.lock")
    assert pair is not None and pair.flags == SEMAPHORE_FLAG
    assert json.loads(pair.value or b"") == {"Limit": 2, "Holders": {s1: True, s2: True}}
    waiting = asyncio.create_task(Semaphore(client, "sem", 2).acquire(s3))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await sems[0].release(s1)
    assert await asyncio.wait_for(waiting, 10)
    assert (await kv.get(f"sem/{s1}"))[0] is None
    with pytest.raises(LockConflict, match=r"semaphore limit conflict \(lock: 2, local: 3\)"):
        await Semaphore(client, "sem", 3, QUICK).acquire(await _session(client, "delete"))
    with pytest.raises(LockInUse, match="Semaphore in use"):
        await sems[0].destroy()


async def test_semaphore_monitor_and_dead_holders(client: Client) -> None:
    s1, s2 = await _session(client, "delete"), await _session(client, "delete")
    one = Semaphore(client, "dead", 1, QUICK)
    assert await one.acquire(s1)
    monitor = asyncio.create_task(one.monitor(s1))
    await asyncio.sleep(0.2)
    assert not monitor.done()
    await client.send(session.destroy(s1))  # its contender key goes with it (Behavior delete)
    await asyncio.wait_for(monitor, 10)
    assert await Semaphore(client, "dead", 1, QUICK).acquire(s2)  # the dead holder is pruned


async def test_monitor_gives_up_after_its_retries(agent: AgentThread) -> None:
    cfg = ClientConfig("127.0.0.1:1")  # nothing listens: every read is a transport error
    async with Client(cfg) as unreachable:
        opts = LockOptions(monitor_retries=2, monitor_retry_time=0.01)
        await asyncio.wait_for(Lock(unreachable, "x/.lock", opts).monitor("s"), 5)
        with pytest.raises(ApiError, match="failed to read lock: "):
            await Lock(unreachable, "x/.lock").acquire("s")
