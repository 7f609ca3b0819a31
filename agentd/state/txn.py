"""Transactions: every op runs against a staged view first; only if none failed are the staged
changes written to the table, all at the transaction's index. Nothing is applied on rollback."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from agentd.state import kv_verbs
from agentd.state.kv import KVEntry, KVTable
from agentd.state.kv_verbs import KVOp, SessionCheck


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
    results: list[KVEntry] = field(default_factory=list)
    errors: list[TxnError] = field(default_factory=list)


def run(
    table: KVTable, index: int, ops: list[KVOp], session_exists: SessionCheck, *, write: bool
) -> TxnResult:
    view = StagedView(table, index)
    out = TxnResult()
    for i, op in enumerate(ops):
        entries, err = kv_verbs.run(view, op, session_exists)
        if err is not None:
            out.errors.append(TxnError(i, err))
            continue
        if op.verb in kv_verbs.READ_VERBS:
            out.results.extend(entries)
        else:
            out.results.extend(kv_verbs.strip_value(e) for e in entries)
    if out.errors:
        out.results = []
        return out
    if write:
        view.commit()
    return out
