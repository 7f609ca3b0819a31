from __future__ import annotations

import asyncio

from agentd.fsm import FSM
from agentd.leader import Leader, TombstoneGC
from agentd.log.memory import MemoryLog
from agentd.server import Server
from agentd.state.store import Store


def test_tombstones_become_due_after_the_ttl() -> None:
    gc = TombstoneGC(ttl=100)
    assert gc.tick(0, 0) is None
    assert gc.tick(10, 5) is None  # tombstones up to 5 seen at t=10
    assert gc.tick(50, 9) is None  # up to 9 seen at t=50
    assert gc.tick(109, 9) is None
    assert gc.tick(110, 9) == 5
    assert gc.tick(149, 9) is None
    assert gc.tick(200, 12) == 9
    assert gc.tick(400, 12) == 12


async def test_leader_reaps_old_tombstones_through_the_log() -> None:
    store = Store()
    fsm = FSM(store)
    srv = Server(store, fsm, MemoryLog(fsm), "127.0.0.1:8300")
    for verb, key in [("set", "a/1"), ("set", "a/2"), ("delete", "a/1")]:
        await srv.propose({"Type": 1, "Op": {"Verb": verb, "Key": key, "Value": b"x"}})
    assert list(store.kv.tombstones) == ["a/1"]
    task = asyncio.create_task(Leader(srv, ttl=0.05, granularity=0.02).run())
    try:
        for _ in range(100):
            if not store.kv.tombstones:
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
    assert not store.kv.tombstones
    assert store.kv.get(None, "a/2")[1] is not None
