"""Catalog and health endpoints: registrations as commands, reads as blocking queries.

Reads return store records; the HTTP layer shapes them. ``tags`` must all be present on an
instance (compared case-insensitively); ``node_meta`` pairs must all match the node's meta.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from agentd.endpoints.blocking import QueryOptions
from agentd.server import Server
from agentd.state.catalog import CatalogTable
from agentd.state.watch import WatchSet
from agentd.structs.catalog import Check, Health, Node, Service, to_wire
from agentd.structs.commands import MessageType


@dataclass(frozen=True, slots=True)
class Instance:
    """One service instance with its node and, for health answers, its checks."""

    node: Node
    service: Service
    checks: tuple[Check, ...] = ()


def _meta_ok(node: Node | None, node_meta: list[tuple[str, str]]) -> bool:
    return node is not None and all(node.meta.get(k) == v for k, v in node_meta)


def _tags_ok(svc: Service, tags: list[str]) -> bool:
    have = {t.lower() for t in svc.tags}
    return all(t.lower() in have for t in tags)


async def register(
    srv: Server, node: Node, service: Service | None, checks: list[Check], skip: bool
) -> None:
    result = await srv.propose(
        {
            "Type": int(MessageType.REGISTER),
            "Node": to_wire(node),
            "Service": to_wire(service) if service is not None else None,
            "Checks": [to_wire(c) for c in checks],
            "SkipNodeUpdate": skip,
            "Now": time.time(),  # lock-delays of sessions this may invalidate
        }
    )
    if isinstance(result, Exception):
        raise result


async def deregister(srv: Server, node: str, service_id: str = "", check_id: str = "") -> None:
    await srv.propose(
        {
            "Type": int(MessageType.DEREGISTER),
            "Node": node,
            "ServiceID": service_id,
            "CheckID": check_id,
            "Now": time.time(),  # lock-delays of sessions this may invalidate
        }
    )


async def nodes(
    srv: Server, opts: QueryOptions, node_meta: list[tuple[str, str]]
) -> tuple[int, list[Node]]:
    catalog = srv.store.catalog

    def run(ws: WatchSet) -> tuple[int, list[Node]]:
        index, found = catalog.list_nodes(ws)
        return index, [n for n in found if _meta_ok(n, node_meta)]

    return await srv.query(opts, run)


async def services(
    srv: Server,
    opts: QueryOptions,
    node_meta: list[tuple[str, str]],
    keep: Callable[[Node, Service], bool] | None = None,
) -> tuple[int, dict[str, list[str]]]:
    """Service name -> its tags, over the instances on nodes with ``node_meta`` that ``keep``
    (a ``?filter`` over the instance as a ServiceNode) accepts."""
    catalog = srv.store.catalog

    def run(ws: WatchSet) -> tuple[int, dict[str, list[str]]]:
        if not node_meta and keep is None:
            return catalog.list_services(ws)
        index, _ = catalog.list_services(ws)
        catalog.list_nodes(ws)
        out: dict[str, list[str]] = {}
        for svc in catalog.services.values():
            node = catalog.nodes.get(svc.node.lower())
            if node is not None and _meta_ok(node, node_meta) and (keep is None or keep(node, svc)):
                tags = out.setdefault(svc.service, [])
                tags.extend(t for t in svc.tags if t not in tags)
        return index, out

    return await srv.query(opts, run)


async def instances(
    srv: Server,
    name: str,
    opts: QueryOptions,
    *,
    tags: list[str],
    node_meta: list[tuple[str, str]],
    with_checks: bool = False,
    passing_only: bool = False,
    connect: bool = False,
) -> tuple[int, list[Instance]]:
    """Instances of a service (catalog/service, and with checks for health/service); with
    ``connect``, its Connect-capable instances instead (catalog/connect, health/connect)."""
    catalog = srv.store.catalog

    def run(ws: WatchSet) -> tuple[int, list[Instance]]:
        if connect:
            index, found = _connect_capable(catalog, ws, name)
        else:
            index, found = catalog.service_instances(ws, name)
        return index, _instances(catalog, found, tags, node_meta, with_checks, passing_only)

    return await srv.query(opts, run)


def _instances(
    catalog: CatalogTable,
    found: list[Service],
    tags: list[str],
    node_meta: list[tuple[str, str]],
    with_checks: bool,
    passing_only: bool,
) -> list[Instance]:
    out = []
    for svc in found:
        node = catalog.nodes.get(svc.node.lower())
        if node is None or not _tags_ok(svc, tags) or not _meta_ok(node, node_meta):
            continue
        checks = tuple(catalog.checks_of(svc.node, svc.id)) if with_checks else ()
        if passing_only and any(c.status != Health.PASSING for c in checks):
            continue
        out.append(Instance(node, svc, checks))
    return out


def connect_capable(svc: Service, key: str) -> bool:
    """Consul's ``connect`` service index: a connect proxy whose Proxy.DestinationServiceName is
    the service, or the service itself when it is Connect-native (``key`` lower-cased)."""
    if svc.kind == "connect-proxy":
        return str(svc.proxy.get("DestinationServiceName", "")).lower() == key
    return svc.service.lower() == key and bool(svc.connect.get("Native"))


def _connect_capable(catalog: CatalogTable, ws: WatchSet, name: str) -> tuple[int, list[Service]]:
    """The Connect-capable instances for ``name``, ordered by node then ID. A blocked read wakes
    on any service registration or deregistration (the proxies of ``name`` carry other names)
    and on any change to a matching instance, its node or its checks; the index is the services
    table's, or a matching instance's if higher."""
    key = name.lower()
    ws.add(("table", "services"))
    index = catalog.index("services")
    found = sorted(
        (s for s in catalog.services.values() if connect_capable(s, key)),
        key=lambda s: (s.node.lower(), s.id),
    )
    for svc_name in sorted({s.service.lower() for s in found}):
        ws.add(("service", svc_name))
        index = max(index, catalog.service_index(svc_name))
    return index, found


async def node_services(
    srv: Server, node: str, opts: QueryOptions
) -> tuple[int, tuple[Node | None, list[Service]]]:
    catalog = srv.store.catalog

    def run(ws: WatchSet) -> tuple[int, tuple[Node | None, list[Service]]]:
        index, found, svcs = catalog.node_services(ws, node)
        return index, (found, svcs)

    return await srv.query(opts, run)


async def node_checks(srv: Server, node: str, opts: QueryOptions) -> tuple[int, list[Check]]:
    catalog = srv.store.catalog
    return await srv.query(opts, lambda ws: catalog.node_checks(ws, node))


async def _checks_on_nodes(
    srv: Server,
    opts: QueryOptions,
    node_meta: list[tuple[str, str]],
    read: Callable[[WatchSet], tuple[int, list[Check]]],
) -> tuple[int, list[Check]]:
    catalog = srv.store.catalog

    def run(ws: WatchSet) -> tuple[int, list[Check]]:
        index, checks = read(ws)
        if node_meta:
            checks = [c for c in checks if _meta_ok(catalog.nodes.get(c.node.lower()), node_meta)]
        return index, checks

    return await srv.query(opts, run)


async def service_checks(
    srv: Server, service: str, opts: QueryOptions, node_meta: list[tuple[str, str]]
) -> tuple[int, list[Check]]:
    catalog = srv.store.catalog
    return await _checks_on_nodes(
        srv, opts, node_meta, lambda ws: catalog.service_checks(ws, service)
    )


async def checks_in_state(
    srv: Server, state: str, opts: QueryOptions, node_meta: list[tuple[str, str]]
) -> tuple[int, list[Check]]:
    catalog = srv.store.catalog
    return await _checks_on_nodes(
        srv, opts, node_meta, lambda ws: catalog.checks_in_state(ws, state)
    )
