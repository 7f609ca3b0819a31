"""The apply table: one function per message type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentd.errors import AgentError
from agentd.fsm.acl import apply_acl
from agentd.fsm.query import apply_prepared_query
from agentd.state import kv_verbs, txn
from agentd.state.catalog import CatalogError
from agentd.state.coordinate import NodeCoord
from agentd.state.kv_verbs import KVOp, LiveView
from agentd.state.session import SessionError
from agentd.state.store import Store
from agentd.structs.catalog import Check, Node, Service, from_wire
from agentd.structs.commands import Command, MessageType
from agentd.structs.session import from_wire as session_from_wire

Applier = Callable[[Store, int, Command], Any]


def apply_kv(store: Store, index: int, cmd: Command) -> bool | AgentError:
    """A single ``/v1/kv`` write: the verb's success is the answer (``true``/``false``), except
    that a lock without a valid session is an error, as in Consul."""
    op = KVOp.from_wire(cmd["Op"])
    _, err = kv_verbs.run(LiveView(store.kv, index), op, store.sessions)
    if err is not None and (err == "missing session" or err.startswith("invalid session")):
        return AgentError(err)
    return err is None


def apply_txn(store: Store, index: int, cmd: Command) -> txn.TxnResult:
    """KV and catalog ops, all or nothing. ``Now`` (the proposer's clock) weighs the lock-delays
    of sessions the catalog ops invalidate; commands without catalog ops have none."""
    ops = [txn.op_from_wire(raw) for raw in cmd["Ops"]]
    return txn.run(store, index, ops, write=True, now=cmd.get("Now", 0.0))


def apply_tombstone_reap(store: Store, index: int, cmd: Command) -> int:
    return store.kv.reap_tombstones(cmd["Index"])


def apply_register(store: Store, index: int, cmd: Command) -> bool | AgentError:
    node = from_wire(Node, cmd["Node"])
    service = from_wire(Service, cmd["Service"]) if cmd.get("Service") else None
    checks = [from_wire(Check, raw) for raw in cmd.get("Checks") or []]
    try:
        store.catalog.register(index, node, service, checks, bool(cmd.get("SkipNodeUpdate")))
    except CatalogError as exc:
        return AgentError(str(exc))
    for name in sorted({node.node.lower(), *(c.node.lower() for c in checks)}):
        store.sessions.invalidate_node(index, name, cmd.get("Now", 0.0))
    return True


def apply_deregister(store: Store, index: int, cmd: Command) -> bool:
    catalog, node = store.catalog, cmd["Node"]
    if cmd.get("ServiceID"):
        catalog.delete_service(index, node, cmd["ServiceID"])
    elif cmd.get("CheckID"):
        catalog.delete_check(index, node, cmd["CheckID"])
    else:
        catalog.delete_node(index, node)
        store.coordinates.delete_node(index, node)  # a node's coordinates go with it
    store.sessions.invalidate_node(index, node, cmd.get("Now", 0.0))
    return True


def apply_session(store: Store, index: int, cmd: Command) -> str | bool | AgentError:
    """Create (answers the new session's ID) or destroy (invalidate) a session."""
    if cmd["Op"] == "destroy":
        return store.sessions.destroy(index, cmd["ID"], cmd.get("Now", 0.0))
    try:
        return store.sessions.create(index, session_from_wire(cmd["Session"])).id
    except SessionError as exc:
        return AgentError(str(exc))


def apply_coordinate_batch_update(store: Store, index: int, cmd: Command) -> int:
    """Network coordinates; updates for nodes the catalog does not know are dropped."""
    updates = [NodeCoord.from_json(raw) for raw in cmd.get("Updates") or []]
    nodes = store.catalog.nodes
    return store.coordinates.batch_update(index, updates, lambda name: name.lower() in nodes)


def apply_restore(store: Store, index: int, cmd: Command) -> bool:
    """A snapshot restore, logged like any write so that it is durable and replays in order; the
    image keeps its own table indexes, and ``load`` wakes every blocked query."""
    store.load(index, cmd["Image"])
    return True


def apply_noop(store: Store, index: int, cmd: Command) -> None:
    return None


def _table(*entries: tuple[MessageType, Applier]) -> dict[int, Applier]:
    table: dict[int, Applier] = {}
    for mtype, fn in entries:
        if mtype in table:
            raise RuntimeError(f"duplicate FSM entry for {mtype!r}")
        table[int(mtype)] = fn
    return table


APPLY = _table(
    (MessageType.KV, apply_kv),
    (MessageType.TXN, apply_txn),
    (MessageType.TOMBSTONE_REAP, apply_tombstone_reap),
    (MessageType.NOOP, apply_noop),
    (MessageType.REGISTER, apply_register),
    (MessageType.DEREGISTER, apply_deregister),
    (MessageType.SESSION, apply_session),
    (MessageType.ACL, apply_acl),
    (MessageType.PREPARED_QUERY, apply_prepared_query),
    (MessageType.RESTORE, apply_restore),
    (MessageType.COORDINATE_BATCH_UPDATE, apply_coordinate_batch_update),
)


class FSM:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.applied: dict[int, int] = {}  # commands applied per message type, for metrics

    @property
    def last_index(self) -> int:
        return self.store.last_index

    def apply(self, index: int, command: Command) -> Any:
        if index <= self.store.last_index:
            raise ValueError(f"fsm: index {index} already applied (last {self.store.last_index})")
        self.store.last_index = index
        fn = APPLY.get(command.get("Type", 0))
        if fn is None:
            raise ValueError(f"fsm: unknown message type {command.get('Type')!r}")
        mtype = command["Type"]
        self.applied[mtype] = self.applied.get(mtype, 0) + 1
        return fn(self.store, index, command)

    def snapshot(self) -> dict[str, Any]:
        return self.store.image()

    def restore(self, index: int, image: Any) -> None:
        self.store.load(index, image)
