"""KV against a real dev agent (the ``agent`` fixture), over TCP and a Unix socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cnslkit.api import KV, ApiError, Client, ClientConfig, KVTxnOp
from tests.agents import AgentThread


@pytest.fixture
async def kv(agent: AgentThread) -> AsyncIterator[KV]:
    async with Client(ClientConfig(agent.http_addr)) as client:
        yield KV(client)


async def test_put_get_raw_delete(kv: KV) -> None:
    assert await kv.put("app/name", b"web", flags=7)
    pair, meta = await kv.get("app/name")
    assert pair is not None and (pair.key, pair.value, pair.flags) == ("app/name", b"web", 7)
    assert meta.index >= pair.modify_index and meta.known_leader
    assert (await kv.raw("app/name"))[0] == b"web"
    assert await kv.delete("app/name")
    assert (await kv.get("app/name"))[0] is None
    assert (await kv.raw("app/name"))[0] is None


async def test_nil_value_and_odd_key_characters(kv: KV) -> None:
    key = "odd/sp ace?#%é"
    assert await kv.put(key, None)
    pair, _ = await kv.get(key)
    assert pair is not None and pair.key == key and pair.value is None


async def test_tree_and_keys(kv: KV) -> None:
    for key in ("t/a", "t/b/c", "t/b/d", "u"):
        await kv.put(key, key.encode())
    pairs, _ = await kv.get_tree("t/")
    assert [p.key for p in pairs] == ["t/a", "t/b/c", "t/b/d"]
    assert (await kv.keys("t/", separator="/"))[0] == ["t/a", "t/b/"]
    assert (await kv.keys("t/"))[0] == ["t/a", "t/b/c", "t/b/d"]
    assert (await kv.get_tree("none/"))[0] == []
    assert await kv.delete("t/", recurse=True)
    assert (await kv.keys(""))[0] == ["u"]


async def test_cas(kv: KV) -> None:
    assert await kv.put("c", b"1", cas=0)
    assert not await kv.put("c", b"2", cas=0)
    pair, _ = await kv.get("c")
    assert pair is not None
    assert not await kv.put("c", b"2", cas=pair.modify_index + 100)
    assert await kv.put("c", b"2", cas=pair.modify_index)
    assert not await kv.delete("c", cas=pair.modify_index)
    current, _ = await kv.get("c")
    assert current is not None and await kv.delete("c", cas=current.modify_index)


async def test_leading_slash_is_refused_for_writes(kv: KV) -> None:
    with pytest.raises(ApiError, match="must not begin with a '/'"):
        await kv.put("/x", b"")


async def test_txn_commit_and_rollback(kv: KV) -> None:
    result = await kv.txn([KVTxnOp("set", "x/1", b"a"), KVTxnOp("get", "x/1")])
    assert result.ok and [p.value for p in result.results if p.value] == [b"a"]
    rolled = await kv.txn([KVTxnOp("set", "x/2", b"b"), KVTxnOp("cas", "x/1", b"c", index=999)])
    assert not rolled.ok and rolled.errors[0].op_index == 1
    assert (await kv.get("x/2"))[0] is None


async def test_blocking_get_wakes_on_change(kv: KV) -> None:
    await kv.put("w", b"1")
    _, meta = await kv.get("w")

    async def change() -> None:
        await asyncio.sleep(0.2)
        await kv.put("w", b"2")

    writer = asyncio.create_task(change())
    pair, after = await asyncio.wait_for(kv.get("w", index=meta.index, wait=10), 5)
    await writer
    assert pair is not None and pair.value == b"2" and after.index > meta.index


async def test_blocking_get_times_out_with_same_index(kv: KV) -> None:
    await kv.put("idle", b"1")
    _, meta = await kv.get("idle")
    _, again = await kv.get("idle", index=meta.index, wait=0.3)
    assert again.index == meta.index


async def test_unix_socket(tmp_path: Path) -> None:
    sock = tmp_path / "agent.sock"
    agent = AgentThread("-hcl", f'addresses {{ http = "unix://{sock}" }}').start()
    try:
        async with Client(ClientConfig(f"unix://{sock}")) as client:
            kv = KV(client)
            assert await kv.put("via/unix", b"yes")
            assert (await kv.raw("via/unix"))[0] == b"yes"
    finally:
        agent.stop()
