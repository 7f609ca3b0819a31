"""Catalog records: nodes, service instances and health checks, as the store keeps them.

Records are immutable; maps and lists inside them are never mutated after construction (the store
replaces records instead), so snapshot images can share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar


class Health(StrEnum):
    PASSING = "passing"
    WARNING = "warning"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


CHECK_STATUSES = frozenset({Health.PASSING, Health.WARNING, Health.CRITICAL})
SERF_CHECK_ID = "serfHealth"
SERF_CHECK_NAME = "Serf Health Status"
NODE_MAINT_CHECK_ID = "_node_maintenance"
SERVICE_MAINT_PREFIX = "_service_maintenance:"


@dataclass(frozen=True, slots=True)
class Node:
    node: str
    address: str
    id: str = ""
    datacenter: str = ""
    tagged_addresses: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    create_index: int = 0
    modify_index: int = 0


@dataclass(frozen=True, slots=True)
class Service:
    node: str
    id: str
    service: str
    tags: tuple[str, ...] = ()
    address: str = ""
    port: int = 0
    meta: dict[str, str] = field(default_factory=dict)
    tagged_addresses: dict[str, dict[str, Any]] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=lambda: {"Passing": 1, "Warning": 1})
    enable_tag_override: bool = False
    kind: str = ""
    proxy: dict[str, Any] = field(default_factory=dict)
    connect: dict[str, Any] = field(default_factory=dict)
    socket_path: str = ""
    create_index: int = 0
    modify_index: int = 0


@dataclass(frozen=True, slots=True)
class Check:
    node: str
    check_id: str
    name: str = ""
    status: str = Health.CRITICAL
    notes: str = ""
    output: str = ""
    service_id: str = ""
    service_name: str = ""
    service_tags: tuple[str, ...] = ()
    type: str = ""
    interval: str = ""
    timeout: str = ""
    definition: dict[str, Any] = field(default_factory=dict)
    create_index: int = 0
    modify_index: int = 0


def aggregate(checks: list[Check]) -> str:
    """Consul's AggregatedStatus: maintenance > critical > warning > passing."""
    if any(
        c.check_id == NODE_MAINT_CHECK_ID or c.check_id.startswith(SERVICE_MAINT_PREFIX)
        for c in checks
    ):
        return Health.MAINTENANCE
    worst = Health.PASSING
    for c in checks:
        if c.status == Health.CRITICAL:
            worst = Health.CRITICAL
        elif c.status == Health.WARNING and worst == Health.PASSING:
            worst = Health.WARNING
        elif c.status not in CHECK_STATUSES:
            return ""
    return worst


def to_wire(record: Node | Service | Check) -> dict[str, Any]:
    """A record as it travels in log commands and snapshots (msgpack-friendly, by field name, so
    records can gain fields without breaking old logs)."""
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


R = TypeVar("R", Node, Service, Check)


def from_wire(cls: type[R], raw: dict[str, Any]) -> R:
    known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
    for name in ("tags", "service_tags"):
        if name in known and isinstance(known[name], list):
            known[name] = tuple(known[name])
    return cls(**known)
