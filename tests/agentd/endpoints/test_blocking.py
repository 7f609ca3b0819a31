from __future__ import annotations

import asyncio
import random

from agentd.endpoints.blocking import QueryOptions, blocking_query, timeout_for
from agentd.fsm import FSM
from agentd.state.store import Store


def test_wait_is_clamped_and_jittered() -> None:
    rng = random.Random(1)
    for _ in range(200):
        assert 300 <= timeout_for(0, 300, 600, rng) < 300 + 300 / 16
        assert 600 <= timeout_for(3600, 300, 600, rng) < 600 + 600 / 16
        assert 2 <= timeout_for(2, 300, 600, rng) < 2 + 2 / 16


async def test_returns_at_once_without_index_and_never_zero() -> None:
    store = Store()
    index, entry = await blocking_query(
        store.watch_set, QueryOptions(), lambda ws: store.kv.get(ws, "x")
    )
    assert (index, entry) == (1, None)


async def test_blocks_until_the_key_changes() -> None:
    store = Store()
    fsm = FSM(store)
    fsm.apply(1, {"Type": 1, "Op": {"Verb": "set", "Key": "k", "Value": b"1"}})
    loop = asyncio.get_running_loop()
    loop.call_later(
        0.05, fsm.apply, 2, {"Type": 1, "Op": {"Verb": "set", "Key": "k", "Value": b"2"}}
    )
    start = loop.time()
    index, entry = await blocking_query(
        store.watch_set, QueryOptions(min_index=1, wait=5), lambda ws: store.kv.get(ws, "k")
    )
    assert index == 2 and entry is not None and entry.value == b"2"
    assert loop.time() - start < 2


async def test_times_out_with_the_current_result() -> None:
    store = Store()
    fsm = FSM(store)
    fsm.apply(1, {"Type": 1, "Op": {"Verb": "set", "Key": "k", "Value": b"1"}})
    # an unrelated write does not wake the query, and the timeout returns the current state
    asyncio.get_running_loop().call_later(
        0.02, fsm.apply, 2, {"Type": 1, "Op": {"Verb": "set", "Key": "other", "Value": b"1"}}
    )
    index, entry = await blocking_query(
        store.watch_set, QueryOptions(min_index=1, wait=0.2), lambda ws: store.kv.get(ws, "k")
    )
    assert index == 1 and entry is not None and entry.value == b"1"


async def test_a_restore_answers_blocked_queries_even_at_a_lower_index() -> None:
    store = Store()
    fsm = FSM(store)
    for i in range(1, 4):
        fsm.apply(i, {"Type": 1, "Op": {"Verb": "set", "Key": "k", "Value": str(i).encode()}})
    image = Store().image()  # an older, empty state
    asyncio.get_running_loop().call_later(0.05, store.load, 2, image)
    loop = asyncio.get_running_loop()
    start = loop.time()
    _, entry = await blocking_query(
        store.watch_set, QueryOptions(min_index=3, wait=5), lambda ws: store.kv.get(ws, "k")
    )
    assert entry is None and loop.time() - start < 2
