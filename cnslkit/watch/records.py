"""What dependencies hand to consumers: consul-template's data types, with its field names.

Templates written for consul-template read ``.Key``, ``.Value``, ``.Address``, ``.ServiceMeta``;
these records carry exactly those PascalCase names so such templates (Go syntax or Jinja2) work
unchanged. Python callers may also use the snake_case spelling (``s.service_meta``), resolved once
per class. Records are frozen and compare by value, which is what lets the view suppress a fetch
whose data did not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from cnslkit.api.models import b64decode

__all__ = [
    "CatalogNode",
    "CatalogNodeService",
    "CatalogSnippet",
    "Check",
    "HealthService",
    "KeyPair",
    "NodeEntry",
    "aggregate_status",
    "snake_case",
]

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_ALIASES: dict[type, dict[str, str]] = {}


def snake_case(name: str) -> str:
    """``ServiceTaggedAddresses`` -> ``service_tagged_addresses``; ``NodeID`` -> ``node_id``."""
    return _BOUNDARY.sub("_", name).lower()


class _Record:
    """Adds snake_case read access to a dataclass of PascalCase fields."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        cls = type(self)
        aliases = _ALIASES.get(cls)
        if aliases is None:
            aliases = _ALIASES[cls] = {snake_case(f.name): f.name for f in fields(cls)}  # type: ignore[arg-type]
        real = aliases.get(name)
        if real is None:
            raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
        return getattr(self, real)


def _text(value: bytes | None) -> str:
    return "" if value is None else value.decode("utf-8", "replace")


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in (value or {}).items()}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


@dataclass(frozen=True, slots=True)
class KeyPair(_Record):
    """A KV entry: ``Path`` is the full key, ``Key`` relative to the queried prefix."""

    Path: str
    Key: str
    Value: str = ""
    CreateIndex: int = 0
    ModifyIndex: int = 0
    LockIndex: int = 0
    Flags: int = 0
    Session: str = ""

    @classmethod
    def from_json(cls, obj: dict[str, Any], prefix: str = "") -> KeyPair:
        path = str(obj["Key"])
        raw = obj.get("Value")
        key = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        return cls(
            Path=path,
            Key=key.lstrip("/") if prefix else key,
            Value=_text(None if raw is None else b64decode(raw)),
            CreateIndex=int(obj.get("CreateIndex") or 0),
            ModifyIndex=int(obj.get("ModifyIndex") or 0),
            LockIndex=int(obj.get("LockIndex") or 0),
            Flags=int(obj.get("Flags") or 0),
            Session=str(obj.get("Session") or ""),
        )


@dataclass(frozen=True, slots=True)
class Check(_Record):
    """A health check as ``/v1/health/*`` returns it."""

    Node: str
    CheckID: str
    Name: str = ""
    Status: str = ""
    Notes: str = ""
    Output: str = ""
    ServiceID: str = ""
    ServiceName: str = ""
    ServiceTags: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Check:
        return cls(
            Node=str(obj.get("Node") or ""),
            CheckID=str(obj.get("CheckID") or ""),
            Name=str(obj.get("Name") or ""),
            Status=str(obj.get("Status") or ""),
            Notes=str(obj.get("Notes") or ""),
            Output=str(obj.get("Output") or ""),
            ServiceID=str(obj.get("ServiceID") or ""),
            ServiceName=str(obj.get("ServiceName") or ""),
            ServiceTags=_strings(obj.get("ServiceTags")),
        )


_SEVERITY = {"passing": 0, "warning": 1, "critical": 2, "maintenance": 3}
_MAINTENANCE = ("_node_maintenance", "_service_maintenance:")


def aggregate_status(checks: tuple[Check, ...]) -> str:
    """consul-template's ``Status``: maintenance beats critical beats warning beats passing."""
    worst = "passing"
    for check in checks:
        status = check.Status
        if check.CheckID == _MAINTENANCE[0] or check.CheckID.startswith(_MAINTENANCE[1]):
            status = "maintenance"
        if _SEVERITY.get(status, 2) > _SEVERITY[worst]:
            worst = status if status in _SEVERITY else "critical"
    return worst


@dataclass(frozen=True, slots=True)
class HealthService(_Record):
    """One instance of a service with its node and checks (``service "web"``)."""

    Node: str
    ID: str
    Name: str
    NodeID: str = ""
    NodeAddress: str = ""
    NodeDatacenter: str = ""
    NodeTaggedAddresses: dict[str, str] = field(default_factory=dict)
    NodeMeta: dict[str, str] = field(default_factory=dict)
    ServiceMeta: dict[str, str] = field(default_factory=dict)
    Address: str = ""
    ServiceTaggedAddresses: dict[str, dict[str, Any]] = field(default_factory=dict)
    Kind: str = ""
    Tags: tuple[str, ...] = ()
    Checks: tuple[Check, ...] = ()
    Status: str = "passing"
    Port: int = 0
    Weights: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> HealthService:
        node = obj.get("Node") or {}
        svc = obj.get("Service") or {}
        checks = tuple(Check.from_json(c) for c in obj.get("Checks") or ())
        return cls(
            Node=str(node.get("Node") or ""),
            NodeID=str(node.get("ID") or ""),
            NodeAddress=str(node.get("Address") or ""),
            NodeDatacenter=str(node.get("Datacenter") or ""),
            NodeTaggedAddresses=_str_map(node.get("TaggedAddresses")),
            NodeMeta=_str_map(node.get("Meta")),
            ServiceMeta=_str_map(svc.get("Meta")),
            # The service's own address, else its node's, as consul-template does.
            Address=str(svc.get("Address") or node.get("Address") or ""),
            ServiceTaggedAddresses=dict(svc.get("TaggedAddresses") or {}),
            ID=str(svc.get("ID") or ""),
            Name=str(svc.get("Service") or ""),
            Kind=str(svc.get("Kind") or ""),
            Tags=_strings(svc.get("Tags")),
            Checks=checks,
            Status=aggregate_status(checks),
            Port=int(svc.get("Port") or 0),
            Weights={str(k): int(v) for k, v in (svc.get("Weights") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class CatalogSnippet(_Record):
    """One entry of ``services``: a service name and the union of its tags (sorted)."""

    Name: str
    Tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeEntry(_Record):
    """A catalog node (``nodes``, and ``.Node`` of ``node``)."""

    Node: str
    ID: str = ""
    Address: str = ""
    Datacenter: str = ""
    TaggedAddresses: dict[str, str] = field(default_factory=dict)
    Meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> NodeEntry:
        return cls(
            Node=str(obj.get("Node") or ""),
            ID=str(obj.get("ID") or ""),
            Address=str(obj.get("Address") or ""),
            Datacenter=str(obj.get("Datacenter") or ""),
            TaggedAddresses=_str_map(obj.get("TaggedAddresses")),
            Meta=_str_map(obj.get("Meta")),
        )


@dataclass(frozen=True, slots=True)
class CatalogNodeService(_Record):
    """A service registered on a node (``(node).Services``)."""

    ID: str
    Service: str
    Tags: tuple[str, ...] = ()
    Meta: dict[str, str] = field(default_factory=dict)
    Port: int = 0
    Address: str = ""
    EnableTagOverride: bool = False

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> CatalogNodeService:
        return cls(
            ID=str(obj.get("ID") or ""),
            Service=str(obj.get("Service") or ""),
            Tags=_strings(obj.get("Tags")),
            Meta=_str_map(obj.get("Meta")),
            Port=int(obj.get("Port") or 0),
            Address=str(obj.get("Address") or ""),
            EnableTagOverride=bool(obj.get("EnableTagOverride")),
        )


@dataclass(frozen=True, slots=True)
class CatalogNode(_Record):
    """``node "name"``: the node and its services, sorted by service name then ID."""

    Node: NodeEntry
    Services: tuple[CatalogNodeService, ...] = ()

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> CatalogNode:
        services = [CatalogNodeService.from_json(v) for v in (obj.get("Services") or {}).values()]
        services.sort(key=lambda s: (s.Service, s.ID))
        return cls(Node=NodeEntry.from_json(obj.get("Node") or {}), Services=tuple(services))
