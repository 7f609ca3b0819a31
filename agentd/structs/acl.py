"""ACL records: tokens, policies, roles. Links to policies and roles are by ID (names are resolved
when a token or role is written); identities are kept as given and expanded when a token is used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(frozen=True, slots=True)
class Link:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class ServiceIdentity:
    service_name: str
    datacenters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    node_name: str
    datacenter: str


@dataclass(frozen=True, slots=True)
class TemplatedPolicy:
    """A builtin template applied with its ``Name`` variable ("" for templates without one)."""

    template_name: str
    name: str = ""
    datacenters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Token:
    accessor_id: str
    secret_id: str
    description: str = ""
    policies: tuple[str, ...] = ()  # policy IDs
    roles: tuple[str, ...] = ()  # role IDs
    service_identities: tuple[ServiceIdentity, ...] = ()
    node_identities: tuple[NodeIdentity, ...] = ()
    local: bool = False
    expiration_time: float = 0.0  # epoch seconds; 0 = never
    create_time: float = 0.0
    create_index: int = 0
    modify_index: int = 0
    templated_policies: tuple[TemplatedPolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    name: str
    description: str = ""
    rules: str = ""
    datacenters: tuple[str, ...] = ()
    create_index: int = 0
    modify_index: int = 0


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    description: str = ""
    policies: tuple[str, ...] = ()
    service_identities: tuple[ServiceIdentity, ...] = ()
    node_identities: tuple[NodeIdentity, ...] = ()
    create_index: int = 0
    modify_index: int = 0
    templated_policies: tuple[TemplatedPolicy, ...] = ()


def to_wire(record: Token | Policy | Role) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in record.__dataclass_fields__:
        value = getattr(record, name)
        if name in ("service_identities", "node_identities", "templated_policies"):
            if not value and name == "templated_policies":
                continue  # absent when empty: records stay as they were before the field
            value = [[getattr(i, f) for f in i.__dataclass_fields__] for i in value]
        out[name] = value
    return out


R = TypeVar("R", Token, Policy, Role)


def from_wire(cls: type[R], raw: dict[str, Any]) -> R:
    known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
    for name in ("policies", "roles", "datacenters"):
        if name in known:
            known[name] = tuple(known[name])
    if "service_identities" in known:
        known["service_identities"] = tuple(
            ServiceIdentity(row[0], tuple(row[1])) for row in known["service_identities"]
        )
    if "node_identities" in known:
        known["node_identities"] = tuple(NodeIdentity(*row) for row in known["node_identities"])
    if "templated_policies" in known:
        known["templated_policies"] = tuple(
            TemplatedPolicy(row[0], row[1], tuple(row[2])) for row in known["templated_policies"]
        )
    return cls(**known)
