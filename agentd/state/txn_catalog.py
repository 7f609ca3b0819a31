"""The catalog side of a transaction: ``Node``, ``Service`` and ``Check`` operations.

Each kind has the verbs ``set``, ``cas``, ``get``, ``delete`` and ``delete-cas``, with Consul's
semantics and error texts (its state store's txn and catalog code). They run against a
``CatalogStage``: the first write forks the catalog (its maps are copied, its immutable records
shared) and records the watch keys the writes touch instead of waking anyone. Later operations
read the fork, so they see earlier ones. ``commit`` makes the live table adopt the fork and wakes
each recorded key once; a transaction that fails just drops the stage, and nothing woke.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from agentd.state.catalog import CatalogError, CatalogTable
from agentd.state.watch import WatchHub
from agentd.structs.catalog import SERF_CHECK_ID, Check, Health, Node, Service, from_wire, to_wire

KINDS = ("Node", "Service", "Check")
VERBS = frozenset({"set", "cas", "get", "delete", "delete-cas"})

Record = Node | Service | Check
Outcome = tuple[list[Record], str | None]


@dataclass(slots=True)
class CatalogOp:
    """One catalog element of a transaction. ``Service`` ops name their node in ``node_name``;
    the record's ``modify_index`` is the index ``cas`` and ``delete-cas`` compare against."""

    kind: str  # "Node" | "Service" | "Check"
    verb: str
    node: Node | None = None
    node_name: str = ""
    service: Service | None = None
    check: Check | None = None

    @property
    def is_read(self) -> bool:
        return self.verb == "get"

    def wire(self) -> dict[str, Any]:
        """The op as it travels in a log command."""
        if self.kind == "Node":
            assert self.node is not None
            return {"Verb": self.verb, "Node": to_wire(self.node)}
        if self.kind == "Service":
            assert self.service is not None
            return {"Verb": self.verb, "Node": self.node_name, "Service": to_wire(self.service)}
        assert self.check is not None
        return {"Verb": self.verb, "Check": to_wire(self.check)}

    @classmethod
    def from_wire(cls, kind: str, raw: dict[str, Any]) -> CatalogOp:
        verb = raw["Verb"]
        if kind == "Node":
            return cls(kind, verb, node=from_wire(Node, raw["Node"]))
        if kind == "Service":
            svc = from_wire(Service, raw["Service"])
            return cls(kind, verb, node_name=raw.get("Node", ""), service=svc)
        if kind == "Check":
            return cls(kind, verb, check=from_wire(Check, raw["Check"]))
        raise ValueError(f"txn: unknown operation kind {kind!r}")


class _Recorder(WatchHub):
    """The fork's hub: it remembers what would have been woken, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[Hashable] = []

    def notify(self, wkey: Hashable) -> None:
        self.keys.append(wkey)

    def notify_many(self, wkeys: Iterable[Hashable]) -> None:
        self.keys.extend(wkeys)

    def notify_all(self) -> None:
        raise RuntimeError("a transaction cannot replace the whole state")


class CatalogStage:
    def __init__(self, live: CatalogTable, index: int) -> None:
        self.live = live
        self.index = index
        self._recorder = _Recorder()
        self._fork: CatalogTable | None = None
        self._touched: set[str] = set()  # nodes whose sessions may need invalidating

    @property
    def table(self) -> CatalogTable:
        """What reads see: the fork once something was written, else the live table."""
        return self._fork if self._fork is not None else self.live

    def writable(self, *nodes: str) -> CatalogTable:
        if self._fork is None:
            self._fork = self.live.fork(self._recorder)
        self._touched.update(n.lower() for n in nodes)
        return self._fork

    def commit(self) -> list[str]:
        """Apply the staged writes to the live table; the (lower-cased) names of the nodes they
        touched come back, sorted, for session invalidation."""
        if self._fork is None:
            return []
        self.live.adopt(self._fork, self._recorder.keys)
        self._fork = None
        return sorted(self._touched)


def run(stage: CatalogStage, op: CatalogOp) -> Outcome:
    verbs = _HANDLERS[op.kind]
    handler = verbs.get(op.verb)
    if handler is None:
        return [], f'unknown {op.kind} verb "{op.verb}"'
    return handler(stage, op)


def _bare(record: Record) -> Any:
    """The record as a write stores it: the table assigns the indexes."""
    return replace(record, create_index=0, modify_index=0)


def _stale(cas_index: int, existing: Record | None) -> bool:
    """Consul's CAS rule for sets: 0 = create only if absent, else must equal ModifyIndex."""
    if cas_index == 0:
        return existing is not None
    return existing is None or existing.modify_index != cas_index


# ---- nodes -------------------------------------------------------------------------------------


def _node_by_id(table: CatalogTable, node_id: str) -> Node | None:
    """The node with this ID; like Consul's ID index, a prefix of an ID finds the first match."""
    want = node_id.lower()
    found = [n for n in table.nodes.values() if n.id and n.id.lower().startswith(want)]
    return min(found, key=lambda n: n.id) if found else None


def _find_node(table: CatalogTable, node: Node) -> Node | None:
    """The ID wins over the name."""
    if node.id:
        return _node_by_id(table, node.id)
    return table.nodes.get(node.node.lower())


def _name_reserved(table: CatalogTable, node: Node, allow_without_id: bool) -> str | None:
    """A node may not take the name of another node (other ID) that is alive: one whose
    serfHealth check exists and is not critical; a node without an ID may lose its name."""
    other = table.nodes.get(node.node.lower())
    if other is None or other.id == node.id:
        return None
    serf = table.checks.get((other.node.lower(), SERF_CHECK_ID))
    healthy = serf is not None and serf.status != Health.CRITICAL
    if healthy and not (allow_without_id and not other.id):
        return (
            f"Node name {node.node} is reserved by node {other.id} with name {other.node} "
            f"({other.address})"
        )
    return None


def _ensure_node(stage: CatalogStage, node: Node) -> str | None:
    """Insert or update a node; a known ID under another name renames that node (the old one
    goes, with its services and checks), as Consul does."""
    table, renamed = stage.table, None
    if node.id:
        existing = _node_by_id(table, node.id)
        if existing is not None and existing.node.lower() != node.node.lower():
            clash = _name_reserved(table, node, allow_without_id=False)
            if clash is not None:
                return f'Error while renaming Node ID: "{node.id}" ({node.address}): {clash}'
            renamed = existing
            stage.writable(existing.node).delete_node(stage.index, existing.node)
        elif existing is None:
            clash = _name_reserved(table, node, allow_without_id=True)
            if clash is not None:
                return f'Error while renaming Node ID: "{node.id}": {clash}'
    fork = stage.writable(node.node)
    fork.ensure_node(stage.index, _bare(node))
    if renamed is not None:  # the renamed node keeps its CreateIndex
        key = node.node.lower()
        fork.nodes[key] = replace(fork.nodes[key], create_index=renamed.create_index)
    return None


def _node_result(stage: CatalogStage, node: Node) -> Outcome:
    found = _find_node(stage.table, node)
    return ([found] if found is not None else []), None


def _node_get(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.node is not None
    found = _find_node(stage.table, op.node)
    if found is None:
        return [], f'node "{op.node.node}" doesn\'t exist'
    return [found], None


def _node_set(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.node is not None
    err = _ensure_node(stage, op.node)
    return ([], err) if err is not None else _node_result(stage, op.node)


def _node_cas(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.node is not None
    existing = stage.table.nodes.get(op.node.node.lower())
    if _stale(op.node.modify_index, existing):
        return [], f'failed to set node "{op.node.node}", index is stale'
    return _node_set(stage, op)


def _node_delete(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.node is not None
    name = op.node.node
    if name.lower() in stage.table.nodes:
        stage.writable(name).delete_node(stage.index, name)
    return [], None


def _node_delete_cas(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.node is not None
    existing = stage.table.nodes.get(op.node.node.lower())
    if existing is None or existing.modify_index != op.node.modify_index:
        return [], f'failed to delete node "{op.node.node}", index is stale'
    return _node_delete(stage, op)


# ---- services ----------------------------------------------------------------------------------


def _service_key(op: CatalogOp) -> tuple[str, str]:
    assert op.service is not None
    return op.node_name.lower(), op.service.id


def _service_get(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.service is not None
    found = stage.table.services.get(_service_key(op))
    if found is None:
        return [], f'service "{op.service.id}" on node "{op.node_name}" doesn\'t exist'
    return [found], None


def _service_set(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.service is not None
    if op.node_name.lower() not in stage.table.nodes:
        return [], "Missing node registration"
    svc = replace(op.service, node=op.node_name)
    try:
        stage.writable(op.node_name).ensure_service(stage.index, _bare(svc))
    except CatalogError as exc:
        return [], str(exc)
    found = stage.table.services.get(_service_key(op))
    return ([found] if found is not None else []), None


def _service_cas(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.service is not None
    if _stale(op.service.modify_index, stage.table.services.get(_service_key(op))):
        return [], (
            f'failed to set service "{op.service.id}" on node "{op.node_name}", index is stale'
        )
    return _service_set(stage, op)


def _service_delete(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.service is not None
    if _service_key(op) in stage.table.services:
        stage.writable(op.node_name).delete_service(stage.index, op.node_name, op.service.id)
    return [], None


def _service_delete_cas(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.service is not None
    existing = stage.table.services.get(_service_key(op))
    if existing is None or existing.modify_index != op.service.modify_index:
        return [], (
            f'failed to delete service "{op.service.id}" on node "{op.node_name}", index is stale'
        )
    return _service_delete(stage, op)


# ---- checks ------------------------------------------------------------------------------------


def _check_key(op: CatalogOp) -> tuple[str, str]:
    assert op.check is not None
    return op.check.node.lower(), op.check.check_id


def _check_get(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.check is not None
    found = stage.table.checks.get(_check_key(op))
    if found is None:
        return [], f'check "{op.check.check_id}" on node "{op.check.node}" doesn\'t exist'
    return [found], None


def _check_set(stage: CatalogStage, op: CatalogOp) -> Outcome:
    chk = op.check
    assert chk is not None
    table = stage.table
    nkey = chk.node.lower()
    if nkey not in table.nodes:
        return [], "Missing node registration"
    if chk.service_id and (nkey, chk.service_id) not in table.services:
        return [], "Missing service registration"
    if not chk.status:
        chk = replace(chk, status=Health.CRITICAL)
    try:
        stage.writable(chk.node).ensure_check(stage.index, _bare(chk))
    except CatalogError as exc:
        return [], str(exc)
    found = stage.table.checks.get(_check_key(op))
    return ([found] if found is not None else []), None


def _check_cas(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.check is not None
    if _stale(op.check.modify_index, stage.table.checks.get(_check_key(op))):
        return [], (
            f'failed to set check "{op.check.check_id}" on node "{op.check.node}", index is stale'
        )
    return _check_set(stage, op)


def _check_delete(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.check is not None
    if _check_key(op) in stage.table.checks:
        stage.writable(op.check.node).delete_check(stage.index, op.check.node, op.check.check_id)
    return [], None


def _check_delete_cas(stage: CatalogStage, op: CatalogOp) -> Outcome:
    assert op.check is not None
    existing = stage.table.checks.get(_check_key(op))
    if existing is None or existing.modify_index != op.check.modify_index:
        return [], (
            f'failed to delete check "{op.check.check_id}" on node "{op.check.node}", '
            "index is stale"
        )
    return _check_delete(stage, op)


Handler = Callable[[CatalogStage, CatalogOp], Outcome]

_HANDLERS: dict[str, dict[str, Handler]] = {
    "Node": {
        "get": _node_get,
        "set": _node_set,
        "cas": _node_cas,
        "delete": _node_delete,
        "delete-cas": _node_delete_cas,
    },
    "Service": {
        "get": _service_get,
        "set": _service_set,
        "cas": _service_cas,
        "delete": _service_delete,
        "delete-cas": _service_delete_cas,
    },
    "Check": {
        "get": _check_get,
        "set": _check_set,
        "cas": _check_cas,
        "delete": _check_delete,
        "delete-cas": _check_delete_cas,
    },
}
