"""Transactions: every op runs against a staged view first; only if none failed are the staged
changes written to the tables, all at the transaction's index. Nothing is applied on rollback.

KV ops stage their writes in a ``StagedView``; catalog ops (``Node``, ``Service``, ``Check``) in a
``CatalogStage`` (``txn_catalog``). On commit the KV writes go to the table, the catalog adopts its
staged copy (each watch key it touched woken once), and the sessions of the nodes the catalog ops
touched are checked, as after a registration: one whose node or check went away or turned
critical is invalidated, with lock-delays weighed against the proposer's clock (``now``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentd.state import kv_verbs, txn_catalog
from agentd.state.kv import KVEntry, KVTable
from agentd.state.kv_verbs import KVOp
from agentd.state.txn_catalog import CatalogOp, CatalogStage
from agentd.structs.catalog import Check, Node, Service

if TYPE_CHECKING:
    from agentd.state.store import Store

TxnOp = KVOp | CatalogOp
TxnEntry = KVEntry | Node | Service | Check


class StagedView:
    def __init__(self, table: KVTable, index: int) -> None:
        self.table = table
        self.index = index
        self.staged: dict[str, KVEntry | None] = {}  # None = deleted

    def get(self, key: str) -> KVEntry | None:
        if key in self.staged:
            return self.staged[key]
        return self.table.get(None, key)[1]

    def list(self, prefix: str) -> list[KVEntry]:
        merged = {e.key: e for e in self.table.tree(None, prefix)[1]}
        for key, entry in self.staged.items():
            if key.startswith(prefix):
                if entry is None:
                    merged.pop(key, None)
                else:
                    merged[key] = entry
        return [merged[k] for k in sorted(merged)]

    def put(self, entry: KVEntry) -> KVEntry:
        old = self.get(entry.key)
        create = old.create_index if old is not None else self.index
        new = replace(entry, create_index=create, modify_index=self.index)
        self.staged[entry.key] = new
        return new

    def delete(self, key: str) -> None:
        if self.get(key) is not None:
            self.staged[key] = None

    def delete_tree(self, prefix: str) -> None:
        for entry in self.list(prefix):
            self.staged[entry.key] = None

    def commit(self) -> None:
        for key, entry in self.staged.items():
            if entry is None:
                self.table.delete(self.index, key)
            else:
                self.table.put(self.index, entry)


@dataclass(slots=True)
class TxnError:
    op_index: int
    what: str


@dataclass(slots=True)
class TxnResult:
    results: list[TxnEntry] = field(default_factory=list)
    errors: list[TxnError] = field(default_factory=list)


def is_read(op: TxnOp) -> bool:
    """Whether an op only reads: a txn of such ops is served as a read, not through the log."""
    if isinstance(op, CatalogOp):
        return op.is_read
    return op.verb in kv_verbs.READ_VERBS


def op_wire(op: TxnOp) -> dict[str, Any]:
    """An op as one element of a ``TXN`` command's ``Ops``."""
    if isinstance(op, CatalogOp):
        return {op.kind: op.wire()}
    return {"KV": op.wire()}


def op_from_wire(raw: dict[str, Any]) -> TxnOp:
    if "KV" in raw:
        return KVOp.from_wire(raw["KV"])
    for kind in txn_catalog.KINDS:
        if kind in raw:
            return CatalogOp.from_wire(kind, raw[kind])
    raise ValueError(f"txn: operation without a kind: {sorted(raw)!r}")


def run(store: Store, index: int, ops: list[TxnOp], *, write: bool, now: float = 0.0) -> TxnResult:
    kv = StagedView(store.kv, index)
    catalog = CatalogStage(store.catalog, index)
    out = TxnResult()
    for i, op in enumerate(ops):
        found: list[Any]
        if isinstance(op, CatalogOp):
            found, err = txn_catalog.run(catalog, op)
        else:
            found, err = kv_verbs.run(kv, op, store.sessions)
            if err is None and op.verb not in kv_verbs.READ_VERBS:
                found = [kv_verbs.strip_value(e) for e in found]
        if err is not None:
            out.errors.append(TxnError(i, err))
            continue
        out.results.extend(found)
    if out.errors:
        out.results = []
        return out
    if write:
        kv.commit()
        for node in catalog.commit():
            store.sessions.invalidate_node(index, node, now)
            if node.lower() not in store.catalog.nodes:  # deleted or renamed: as deregister does
                store.coordinates.delete_node(index, node)
    return out
