"""Wire records of every API noun, with their JSON shapes (Consul's PascalCase).

KV values are bytes (or None for a nil value): the agent stores bytes verbatim and sends them
base64 encoded; decoding happens here, once, so callers never see base64. Records keep the fields
clients read; ``from_json`` tolerates missing and null fields as the Go decoder does. ACL
records (tokens, policies, roles) live in :mod:`cnslkit.api.aclmodels`.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AgentService",
    "CatalogNode",
    "CatalogService",
    "HealthCheck",
    "KVPair",
    "KVTxnOp",
    "Member",
    "Node",
    "SessionEntry",
    "TxnError",
    "TxnResult",
    "UserEvent",
    "b64decode",
    "b64encode",
]


def b64encode(value: bytes | None) -> str:
    """Standard padded base64, as Go's ``base64.StdEncoding``; None encodes as ``""``."""
    return binascii.b2a_base64(value or b"", newline=False).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64; ValueError on bad input (Go rejects what ``binascii`` tolerates)."""
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"illegal base64 data: {exc}") from None


@dataclass(frozen=True, slots=True)
class KVPair:
    """One key as the agent returns it. ``session`` is "" when the key is not locked."""

    key: str
    value: bytes | None = None
    flags: int = 0
    lock_index: int = 0
    session: str = ""
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KVPair:
        raw = obj.get("Value")
        return cls(
            key=obj["Key"],
            value=None if raw is None else b64decode(raw),
            flags=int(obj.get("Flags") or 0),
            lock_index=int(obj.get("LockIndex") or 0),
            session=obj.get("Session") or "",
            create_index=int(obj.get("CreateIndex") or 0),
            modify_index=int(obj.get("ModifyIndex") or 0),
        )

    def to_json(self) -> dict[str, Any]:
        """Consul's field order; ``Session`` only when set (it is ``omitempty``)."""
        out: dict[str, Any] = {
            "LockIndex": self.lock_index,
            "Key": self.key,
            "Flags": self.flags,
            "Value": None if self.value is None else b64encode(self.value),
        }
        if self.session:
            out["Session"] = self.session
        out["CreateIndex"] = self.create_index
        out["ModifyIndex"] = self.modify_index
        return out


@dataclass(frozen=True, slots=True)
class KVTxnOp:
    """One KV operation of ``PUT /v1/txn``; ``verb`` is Consul's (set, cas, get-tree ...)."""

    verb: str
    key: str
    value: bytes | None = None
    flags: int = 0
    index: int = 0
    session: str = ""

    def to_json(self) -> dict[str, Any]:
        kv: dict[str, Any] = {"Verb": self.verb, "Key": self.key}
        if self.value is not None:
            kv["Value"] = b64encode(self.value)
        if self.flags:
            kv["Flags"] = self.flags
        if self.index:
            kv["Index"] = self.index
        if self.session:
            kv["Session"] = self.session
        return {"KV": kv}


@dataclass(frozen=True, slots=True)
class TxnError:
    """Why one operation made the transaction roll back."""

    op_index: int
    what: str


@dataclass(frozen=True, slots=True)
class TxnResult:
    """``ok`` False means rolled back (HTTP 409): nothing was applied and ``errors`` says why."""

    ok: bool
    results: list[KVPair] = field(default_factory=list)
    errors: list[TxnError] = field(default_factory=list)

    @classmethod
    def from_json(cls, obj: dict[str, Any], ok: bool) -> TxnResult:
        results = [KVPair.from_json(r["KV"]) for r in obj.get("Results") or () if "KV" in r]
        errors = [
            TxnError(int(e.get("OpIndex", 0)), e.get("What", "")) for e in obj.get("Errors") or ()
        ]
        return cls(ok=ok, results=results, errors=errors)


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in (value or {}).items()}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


@dataclass(frozen=True, slots=True)
class Node:
    """A catalog node (``/v1/catalog/nodes`` items)."""

    node: str
    id: str = ""
    address: str = ""
    datacenter: str = ""
    tagged_addresses: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Node:
        return cls(
            node=obj.get("Node") or "",
            id=obj.get("ID") or "",
            address=obj.get("Address") or "",
            datacenter=obj.get("Datacenter") or "",
            tagged_addresses=_str_map(obj.get("TaggedAddresses")),
            meta=_str_map(obj.get("Meta")),
            create_index=int(obj.get("CreateIndex") or 0),
            modify_index=int(obj.get("ModifyIndex") or 0),
        )


@dataclass(frozen=True, slots=True)
class CatalogService:
    """One instance from ``/v1/catalog/service/<name>``: its node's fields and the service's."""

    node: Node
    service_id: str = ""
    service_name: str = ""
    service_tags: tuple[str, ...] = ()
    service_address: str = ""
    service_port: int = 0
    service_meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> CatalogService:
        node = Node.from_json({**obj, "Meta": obj.get("NodeMeta")})
        return cls(
            node=node,
            service_id=obj.get("ServiceID") or "",
            service_name=obj.get("ServiceName") or "",
            service_tags=_strings(obj.get("ServiceTags")),
            service_address=obj.get("ServiceAddress") or "",
            service_port=int(obj.get("ServicePort") or 0),
            service_meta=_str_map(obj.get("ServiceMeta")),
        )


@dataclass(frozen=True, slots=True)
class AgentService:
    """A service as the agent and ``/v1/catalog/node/<node>`` describe it."""

    id: str
    service: str
    tags: tuple[str, ...] = ()
    address: str = ""
    port: int = 0
    meta: dict[str, str] = field(default_factory=dict)
    kind: str = ""

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> AgentService:
        return cls(
            id=obj.get("ID") or "",
            service=obj.get("Service") or "",
            tags=_strings(obj.get("Tags")),
            address=obj.get("Address") or "",
            port=int(obj.get("Port") or 0),
            meta=_str_map(obj.get("Meta")),
            kind=obj.get("Kind") or "",
        )


@dataclass(frozen=True, slots=True)
class CatalogNode:
    """``/v1/catalog/node/<node>``: the node and its services by ID."""

    node: Node
    services: dict[str, AgentService] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> CatalogNode:
        services = obj.get("Services") or {}
        return cls(
            node=Node.from_json(obj.get("Node") or {}),
            services={str(k): AgentService.from_json(v) for k, v in services.items()},
        )


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """A check (``/v1/agent/checks`` values, ``/v1/health/*`` items)."""

    check_id: str
    name: str = ""
    status: str = ""
    notes: str = ""
    output: str = ""
    service_id: str = ""
    service_name: str = ""
    node: str = ""

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> HealthCheck:
        return cls(
            check_id=obj.get("CheckID") or "",
            name=obj.get("Name") or "",
            status=obj.get("Status") or "",
            notes=obj.get("Notes") or "",
            output=obj.get("Output") or "",
            service_id=obj.get("ServiceID") or "",
            service_name=obj.get("ServiceName") or "",
            node=obj.get("Node") or "",
        )


@dataclass(frozen=True, slots=True)
class Member:
    """A gossip pool member (``/v1/agent/members``); ``status`` is serf's number (1 alive ...)."""

    name: str
    addr: str = ""
    port: int = 0
    tags: dict[str, str] = field(default_factory=dict)
    status: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Member:
        return cls(
            name=obj.get("Name") or "",
            addr=obj.get("Addr") or "",
            port=int(obj.get("Port") or 0),
            tags=_str_map(obj.get("Tags")),
            status=int(obj.get("Status") or 0),
        )


@dataclass(frozen=True, slots=True)
class UserEvent:
    """A user event (``/v1/event/fire`` answer, ``/v1/event/list`` items)."""

    id: str
    name: str = ""
    payload: bytes | None = None
    node_filter: str = ""
    service_filter: str = ""
    tag_filter: str = ""
    version: int = 0
    ltime: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> UserEvent:
        raw = obj.get("Payload")
        return cls(
            id=obj.get("ID") or "",
            name=obj.get("Name") or "",
            payload=None if raw is None else b64decode(raw),
            node_filter=obj.get("NodeFilter") or "",
            service_filter=obj.get("ServiceFilter") or "",
            tag_filter=obj.get("TagFilter") or "",
            version=int(obj.get("Version") or 0),
            ltime=int(obj.get("LTime") or 0),
        )


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """A session; ``ttl`` is the Go duration string ("15s"), "" for none."""

    id: str
    name: str = ""
    node: str = ""
    behavior: str = ""
    ttl: str = ""
    lock_delay: int = 0  # nanoseconds, as the agent sends it
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SessionEntry:
        return cls(
            id=obj.get("ID") or "",
            name=obj.get("Name") or "",
            node=obj.get("Node") or "",
            behavior=obj.get("Behavior") or "",
            ttl=obj.get("TTL") or "",
            lock_delay=int(obj.get("LockDelay") or 0),
            create_index=int(obj.get("CreateIndex") or 0),
            modify_index=int(obj.get("ModifyIndex") or 0),
        )
