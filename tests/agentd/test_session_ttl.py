from __future__ import annotations

import asyncio
import time

from agentd.fsm import FSM
from agentd.leader import Leader
from agentd.log.memory import MemoryLog
from agentd.server import Server
from agentd.session_ttl import SessionTimers
from agentd.state.store import Store
from agentd.structs.catalog import Node
from agentd.structs.session import Session


def test_a_ttl_session_expires_two_ttls_after_its_last_renew() -> None:
    timers = SessionTimers()
    timers.reset(Session("a", "n", ttl="10s"), now=100)
    timers.reset(Session("b", "n", ttl="15s"), now=100)
    timers.reset(Session("none", "n"), now=100)
    timers.reset(Session("zero", "n", ttl="0s"), now=100)
    assert len(timers) == 2 and timers.next_deadline() == 120
    assert timers.expired(119.9) == []
    timers.reset(Session("a", "n", ttl="10s"), now=115)  # renewed
    assert timers.expired(130) == ["b"]
    assert timers.expired(134.9) == []
    assert timers.expired(135) == ["a"]
    assert timers.next_deadline() is None


def test_rebuild_gives_every_ttl_session_a_fresh_window() -> None:
    timers = SessionTimers()
    timers.reset(Session("old", "n", ttl="10s"), now=0)
    timers.rebuild([Session("a", "n", ttl="1m"), Session("b", "n")], now=50)
    assert timers.deadline("old") is None
    assert timers.deadline("a") == 170 and timers.deadline("b") is None


async def test_the_leader_destroys_expired_sessions() -> None:
    store = Store()
    fsm = FSM(store)
    srv = Server(store, fsm, MemoryLog(fsm), "127.0.0.1:8300")
    store.catalog.ensure_node(1, Node("n", "10.0.0.1"))
    store.sessions.create(1, Session("short", "n", ttl="50ms"))
    store.sessions.create(1, Session("forever", "n"))
    leader = Leader(srv)
    await leader.establish()
    assert srv.session_timers.deadline("short") is not None
    task = asyncio.create_task(leader.run())
    try:
        for _ in range(100):
            if not store.sessions.exists("short"):
                break
            await asyncio.sleep(0.01)
        assert not store.sessions.exists("short")
        assert store.sessions.exists("forever")
        # a session created later wakes the timer loop for its own, earlier deadline
        store.sessions.create(fsm.last_index, Session("later", "n", ttl="20ms"))
        srv.session_timers.reset(store.sessions.sessions["later"], time.monotonic())
        for _ in range(100):
            if not store.sessions.exists("later"):
                break
            await asyncio.sleep(0.01)
        assert not store.sessions.exists("later")
    finally:
        task.cancel()
