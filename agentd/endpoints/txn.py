"""Txn endpoint: a transaction with any write goes through the log; a read-only one is a read."""

from __future__ import annotations

import time
from typing import Any

from agentd.server import Server
from agentd.state import txn
from agentd.state.kv_verbs import READ_VERBS, KVOp
from agentd.structs.commands import MessageType


def is_read_only(ops: list[KVOp]) -> bool:
    return all(op.verb in READ_VERBS for op in ops)


async def apply(srv: Server, ops: list[KVOp]) -> txn.TxnResult:
    if is_read_only(ops):
        store = srv.store
        return txn.run(store.kv, store.last_index, ops, store.sessions, write=False)
    now = time.time()  # the FSM weighs lock-delays against the proposer's clock
    for op in ops:
        if op.verb == "lock":
            op.now = now
    raw: list[dict[str, Any]] = [{"KV": op.wire()} for op in ops]
    result = await srv.propose({"Type": int(MessageType.TXN), "Ops": raw})
    assert isinstance(result, txn.TxnResult)
    return result
