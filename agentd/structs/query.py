"""Prepared-query records: a stored service lookup with its health, tag, order and failover rules.

A query is found by ID, by name (case-insensitive) or, for a template, by the longest name prefix;
executing it reads the catalog as it is at that moment. Records are immutable and travel in log
commands and snapshots by field name, nested records as nested dicts, like the catalog records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEMPLATE_NAME_PREFIX_MATCH = "name_prefix_match"
REDACTED_TOKEN = "<hidden>"


@dataclass(frozen=True, slots=True)
class QueryTarget:
    """One failover target: a datacenter, or a cluster peer (peers do not exist in cnsl yet)."""

    peer: str = ""
    datacenter: str = ""
    partition: str = ""
    namespace: str = ""


@dataclass(frozen=True, slots=True)
class Failover:
    nearest_n: int = 0
    datacenters: tuple[str, ...] = ()
    targets: tuple[QueryTarget, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceQuery:
    service: str = ""
    failover: Failover = field(default_factory=Failover)
    ignore_check_ids: tuple[str, ...] = ()
    only_passing: bool = False
    near: str = ""
    tags: tuple[str, ...] = ()  # "!tag" excludes
    node_meta: dict[str, str] = field(default_factory=dict)
    service_meta: dict[str, str] = field(default_factory=dict)
    peer: str = ""
    connect: bool = False


@dataclass(frozen=True, slots=True)
class QueryTemplate:
    type: str = ""  # "" (a static query) or name_prefix_match
    regexp: str = ""
    remove_empty_tags: bool = False


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    id: str
    name: str = ""
    session: str = ""
    token: str = ""
    template: QueryTemplate = field(default_factory=QueryTemplate)
    service: ServiceQuery = field(default_factory=ServiceQuery)
    dns_ttl: str = ""  # a Go duration, kept as the client wrote it
    create_index: int = 0
    modify_index: int = 0

    @property
    def is_template(self) -> bool:
        return self.template.type != ""


def to_wire(q: PreparedQuery) -> dict[str, Any]:
    """A query as it travels in log commands and snapshots (msgpack-friendly)."""
    svc = q.service
    return {
        "id": q.id,
        "name": q.name,
        "session": q.session,
        "token": q.token,
        "template": {
            "type": q.template.type,
            "regexp": q.template.regexp,
            "remove_empty_tags": q.template.remove_empty_tags,
        },
        "service": {
            "service": svc.service,
            "failover": {
                "nearest_n": svc.failover.nearest_n,
                "datacenters": list(svc.failover.datacenters),
                "targets": [_target_wire(t) for t in svc.failover.targets],
            },
            "ignore_check_ids": list(svc.ignore_check_ids),
            "only_passing": svc.only_passing,
            "near": svc.near,
            "tags": list(svc.tags),
            "node_meta": dict(svc.node_meta),
            "service_meta": dict(svc.service_meta),
            "peer": svc.peer,
            "connect": svc.connect,
        },
        "dns_ttl": q.dns_ttl,
        "create_index": q.create_index,
        "modify_index": q.modify_index,
    }


def _target_wire(t: QueryTarget) -> dict[str, str]:
    return {
        "peer": t.peer,
        "datacenter": t.datacenter,
        "partition": t.partition,
        "namespace": t.namespace,
    }


def from_wire(raw: dict[str, Any]) -> PreparedQuery:
    tmpl = raw.get("template") or {}
    svc = raw.get("service") or {}
    fo = svc.get("failover") or {}
    return PreparedQuery(
        id=str(raw["id"]),
        name=str(raw.get("name", "")),
        session=str(raw.get("session", "")),
        token=str(raw.get("token", "")),
        template=QueryTemplate(
            type=str(tmpl.get("type", "")),
            regexp=str(tmpl.get("regexp", "")),
            remove_empty_tags=bool(tmpl.get("remove_empty_tags", False)),
        ),
        service=ServiceQuery(
            service=str(svc.get("service", "")),
            failover=Failover(
                nearest_n=int(fo.get("nearest_n", 0)),
                datacenters=tuple(fo.get("datacenters") or ()),
                targets=tuple(QueryTarget(**t) for t in fo.get("targets") or ()),
            ),
            ignore_check_ids=tuple(svc.get("ignore_check_ids") or ()),
            only_passing=bool(svc.get("only_passing", False)),
            near=str(svc.get("near", "")),
            tags=tuple(svc.get("tags") or ()),
            node_meta=dict(svc.get("node_meta") or {}),
            service_meta=dict(svc.get("service_meta") or {}),
            peer=str(svc.get("peer", "")),
            connect=bool(svc.get("connect", False)),
        ),
        dns_ttl=str(raw.get("dns_ttl", "")),
        create_index=int(raw.get("create_index", 0)),
        modify_index=int(raw.get("modify_index", 0)),
    )
