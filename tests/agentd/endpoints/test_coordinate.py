"""This agent keeps its own coordinate, as a Consul agent re-sends its own."""

from __future__ import annotations

import asyncio

from agentd.endpoints import coordinate
from agentd.fsm import FSM
from agentd.log.memory import MemoryLog
from agentd.server import Server
from agentd.state.store import Store
from agentd.structs.catalog import Node, to_wire
from agentd.structs.commands import MessageType
from cnslkit.coordinate import ORIGIN


async def test_a_lost_coordinate_comes_back() -> None:
    store = Store()
    fsm = FSM(store)
    srv = Server(store, fsm, MemoryLog(fsm), "127.0.0.1:8300")
    await srv.propose({"Type": int(MessageType.REGISTER), "Node": to_wire(Node("me", "10.0.0.1"))})
    await coordinate.ensure_own(srv, "me")
    assert store.coordinates.segments("me") == {"": ORIGIN}
    store.coordinates.delete_node(srv.store.last_index, "me")  # as a restored old snapshot
    task = asyncio.create_task(coordinate.keep_own(srv, "me", interval=0.02))
    try:
        for _ in range(200):
            if store.coordinates.segments("me"):
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert store.coordinates.segments("me") == {"": ORIGIN}
