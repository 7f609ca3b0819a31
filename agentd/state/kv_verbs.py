"""KV verbs (set, cas, lock, unlock, get, check-*, delete*): the semantics shared by ``PUT/DELETE
/v1/kv`` and ``/v1/txn``, run against a live table or a transaction's staged view.

Each verb returns ``(results, error)``: the entries the verb reports and Consul's error text, or
``None`` when it succeeded. Error texts are Consul's, since clients match on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from agentd.state.kv import KVEntry, KVTable


class SessionCheck(Protocol):
    """What the lock verb asks of the session table."""

    def exists(self, session_id: str) -> bool: ...

    def lock_delay_until(self, key: str) -> float: ...


class KVView(Protocol):
    index: int  # the index the writes are made at

    def get(self, key: str) -> KVEntry | None: ...

    def list(self, prefix: str) -> list[KVEntry]: ...

    def put(self, entry: KVEntry) -> KVEntry: ...

    def delete(self, key: str) -> None: ...

    def delete_tree(self, prefix: str) -> None: ...


class LiveView:
    """Writes straight into the table."""

    def __init__(self, table: KVTable, index: int) -> None:
        self.table = table
        self.index = index

    def get(self, key: str) -> KVEntry | None:
        return self.table.get(None, key)[1]

    def list(self, prefix: str) -> list[KVEntry]:
        return self.table.tree(None, prefix)[1]

    def put(self, entry: KVEntry) -> KVEntry:
        return self.table.put(self.index, entry)

    def delete(self, key: str) -> None:
        self.table.delete(self.index, key)

    def delete_tree(self, prefix: str) -> None:
        self.table.delete_tree(self.index, prefix)


@dataclass(slots=True)
class KVOp:
    verb: str
    key: str
    value: bytes | None = None
    flags: int = 0
    index: int = 0
    session: str = ""
    now: float = 0.0  # lock: the proposer's clock (epoch seconds), for lock-delays; 0 = unknown

    def wire(self) -> dict[str, Any]:
        """The op as it travels in a log command (``Now`` only on locks, which need it)."""
        raw: dict[str, Any] = {
            "Verb": self.verb,
            "Key": self.key,
            "Value": self.value,
            "Flags": self.flags,
            "Index": self.index,
            "Session": self.session,
        }
        if self.now:
            raw["Now"] = self.now
        return raw

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> KVOp:
        return cls(
            raw["Verb"],
            raw.get("Key", ""),
            raw.get("Value"),
            raw.get("Flags", 0),
            raw.get("Index", 0),
            raw.get("Session", ""),
            raw.get("Now", 0.0),
        )


Outcome = tuple[list[KVEntry], str | None]
_OK: Outcome = ([], None)


def run(view: KVView, op: KVOp, session_exists: SessionCheck) -> Outcome:
    handler = _VERBS.get(op.verb)
    if handler is None:
        return [], f'unknown KV verb "{op.verb}"'
    if not op.key and op.verb != "delete-tree":
        return [], "Must provide key"
    return handler(view, op, session_exists)


def _set(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    old = view.get(op.key)
    session = old.session if old is not None else ""
    lock_index = old.lock_index if old is not None else 0
    entry = KVEntry(op.key, op.flags, op.value, session, lock_index)
    return [view.put(entry)], None


def _cas(view: KVView, op: KVOp, s: SessionCheck) -> Outcome:
    old = view.get(op.key)
    if (op.index == 0 and old is not None) or (
        op.index != 0 and (old is None or old.modify_index != op.index)
    ):
        return [], f'failed to set key "{op.key}", index is stale'
    return _set(view, op, s)


def _lock(view: KVView, op: KVOp, sessions: SessionCheck) -> Outcome:
    if op.now > 0 and sessions.lock_delay_until(op.key) > op.now:
        return [], f'failed to lock key "{op.key}" due to lock delay'
    if not op.session:
        return [], "missing session"
    if not sessions.exists(op.session):
        return [], f'invalid session "{op.session}"'
    old = view.get(op.key)
    if old is not None and old.session and old.session != op.session:
        return [], f'failed to lock key "{op.key}", lock is already held'
    lock_index = old.lock_index if old is not None else 0
    if old is None or old.session != op.session:
        lock_index += 1
    entry = KVEntry(op.key, op.flags, op.value, op.session, lock_index)
    return [view.put(entry)], None


def _unlock(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    if not op.session:
        return [], "missing session"
    old = view.get(op.key)
    if old is None or old.session != op.session:
        return [], (
            f'failed to unlock key "{op.key}", lock isn\'t held, or is held by another session'
        )
    entry = KVEntry(op.key, op.flags, op.value, "", old.lock_index)
    return [view.put(entry)], None


def _get(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    entry = view.get(op.key)
    if entry is None:
        return [], f'key "{op.key}" doesn\'t exist'
    return [entry], None


def _get_or_empty(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    entry = view.get(op.key)
    return [entry if entry is not None else KVEntry(op.key)], None


def _get_tree(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    return view.list(op.key), None


def _check_index(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    entry = view.get(op.key)
    if entry is None:
        return [], f'failed to check index, key "{op.key}" doesn\'t exist'
    if entry.modify_index != op.index:
        return [], (
            f'failed index check for key "{op.key}", current modify index '
            f"{entry.modify_index} != {op.index}"
        )
    return [entry], None


def _check_session(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    entry = view.get(op.key)
    if entry is None:
        return [], f'failed to check session, key "{op.key}" doesn\'t exist'
    if entry.session != op.session:
        return [], (
            f'failed session check for key "{op.key}", current session '
            f'"{entry.session}" != "{op.session}"'
        )
    return [entry], None


def _check_not_exists(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    if view.get(op.key) is not None:
        return [], f'key "{op.key}" exists'
    return _OK


def _delete(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    view.delete(op.key)
    return _OK


def _delete_tree(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    view.delete_tree(op.key)
    return _OK


def _delete_cas(view: KVView, op: KVOp, _: SessionCheck) -> Outcome:
    old = view.get(op.key)
    if old is None:
        return _OK  # Consul: a CAS delete of a missing key succeeds
    if old.modify_index != op.index:
        return [], f'failed to delete key "{op.key}", index is stale'
    view.delete(op.key)
    return _OK


_VERBS: dict[str, Callable[[KVView, KVOp, SessionCheck], Outcome]] = {
    "set": _set,
    "cas": _cas,
    "lock": _lock,
    "unlock": _unlock,
    "get": _get,
    "get-or-empty": _get_or_empty,
    "get-tree": _get_tree,
    "check-index": _check_index,
    "check-session": _check_session,
    "check-not-exists": _check_not_exists,
    "delete": _delete,
    "delete-tree": _delete_tree,
    "delete-cas": _delete_cas,
}

READ_VERBS = frozenset(
    {"get", "get-or-empty", "get-tree", "check-index", "check-session", "check-not-exists"}
)
VERBS = frozenset(_VERBS)


def strip_value(entry: KVEntry) -> KVEntry:
    """Write verbs report the entry without its value, as Consul does."""
    return replace(entry, value=None)
