"""KV endpoint: reads through blocking queries, writes as KV commands."""

from __future__ import annotations

import time

from agentd.endpoints.blocking import QueryOptions
from agentd.server import Server
from agentd.state.kv import KVEntry
from agentd.state.kv_verbs import KVOp
from agentd.structs.commands import MessageType


async def get(srv: Server, key: str, opts: QueryOptions) -> tuple[int, KVEntry | None]:
    table = srv.store.kv
    return await srv.query(opts, lambda ws: table.get(ws, key))


async def tree(srv: Server, prefix: str, opts: QueryOptions) -> tuple[int, list[KVEntry]]:
    table = srv.store.kv
    return await srv.query(opts, lambda ws: table.tree(ws, prefix))


async def keys(
    srv: Server, prefix: str, separator: str, opts: QueryOptions
) -> tuple[int, list[str]]:
    table = srv.store.kv
    return await srv.query(opts, lambda ws: table.keys(ws, prefix, separator))


async def apply(srv: Server, op: KVOp) -> bool:
    if op.verb == "lock":
        op.now = time.time()  # the FSM weighs lock-delays against the proposer's clock
    result = await srv.propose({"Type": int(MessageType.KV), "Op": op.wire()})
    if isinstance(result, Exception):
        raise result
    return bool(result)
