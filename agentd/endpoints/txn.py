"""Txn endpoint: a transaction with any write goes through the log; a read-only one is a read."""

from __future__ import annotations

import time
from typing import Any

from agentd.server import Server
from agentd.state import txn
from agentd.state.kv_verbs import KVOp
from agentd.state.txn import TxnOp
from agentd.state.txn_catalog import CatalogOp
from agentd.structs.commands import MessageType


def is_read_only(ops: list[TxnOp]) -> bool:
    return all(txn.is_read(op) for op in ops)


async def apply(srv: Server, ops: list[TxnOp]) -> txn.TxnResult:
    if is_read_only(ops):
        store = srv.store
        return txn.run(store, store.last_index, ops, write=False)
    now = time.time()  # the FSM weighs lock-delays against the proposer's clock
    for op in ops:
        if isinstance(op, KVOp) and op.verb == "lock":
            op.now = now
    cmd: dict[str, Any] = {"Type": int(MessageType.TXN), "Ops": [txn.op_wire(op) for op in ops]}
    if any(isinstance(op, CatalogOp) for op in ops):
        cmd["Now"] = now  # lock-delays of sessions the catalog changes invalidate
    result = await srv.propose(cmd)
    assert isinstance(result, txn.TxnResult)
    return result
