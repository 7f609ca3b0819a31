"""Prepared-query endpoint: validation, writes as PREPARED_QUERY commands, reads as blocking
queries, and execution.

Validation that needs no state (Consul's ``parseQuery``: service name, NearestN, Targets, DNS
TTL, template syntax) happens here with Consul's texts; what needs the table (unique names, the
session) happens when the command applies. IDs are chosen here: the FSM has no randomness.

Execution (``execute_now``) is a plain function of the store, shared by the HTTP API and DNS:
the service's instances, health-filtered (critical never; warning unless OnlyPassing; checks in
IgnoreCheckIDs do not count), tag/meta-filtered, shuffled, the ``Near`` node moved first,
limited. Failover lists the datacenters to try when nothing is left locally; with no federation
yet there are none, so ``Failovers`` is 0 and the answer is the local one.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from agentd.endpoints.blocking import QueryOptions
from agentd.endpoints.catalog import Instance
from agentd.errors import AgentError, NotFound
from agentd.server import Server
from agentd.state.catalog import CatalogTable
from agentd.state.query_template import TemplateError, compile_template
from agentd.state.store import Store
from agentd.structs.catalog import Health, Service
from agentd.structs.commands import MessageType
from agentd.structs.query import REDACTED_TOKEN, Failover, PreparedQuery, ServiceQuery, to_wire
from cnslkit.duration import parse_duration

log = logging.getLogger(__name__)

QUERY_NOT_FOUND = "Query not found"
NEAR_SEARCH_DEPTH = 10  # Consul looks this far for the near node after a distance sort

_rng = random.Random()


def validate(query: PreparedQuery) -> None:
    """Consul's parseQuery (plus the template check), with its texts."""
    try:
        _validate(query)
    except AgentError as exc:
        raise AgentError(f"Invalid prepared query: {exc.message}") from None


def _validate(query: PreparedQuery) -> None:
    if not query.name and not query.is_template and not query.session:
        raise AgentError("Must be bound to a session")
    if query.token == REDACTED_TOKEN:
        raise AgentError(
            f"Bad Token '{query.token}', it looks like a query definition with a redacted "
            "token was submitted"
        )
    svc = query.service
    if not svc.service:
        raise AgentError("Must provide a Service name to query")
    fo = svc.failover
    if fo.nearest_n < 0:
        raise AgentError(f"Bad NearestN '{fo.nearest_n}', must be >= 0")
    if fo.targets and (fo.nearest_n or fo.datacenters):
        raise AgentError("Targets cannot be populated with NearestN or Datacenters")
    if query.dns_ttl:
        try:
            ttl = parse_duration(query.dns_ttl)
        except ValueError as exc:
            raise AgentError(f"Bad DNS TTL '{query.dns_ttl}': {exc}") from None
        if ttl < 0:
            raise AgentError(f"DNS TTL '{query.dns_ttl}', must be >=0")
    try:
        compile_template(query)
    except TemplateError as exc:
        raise AgentError(str(exc)) from None


async def _propose(srv: Server, query: PreparedQuery) -> None:
    result = await srv.propose(
        {"Type": int(MessageType.PREPARED_QUERY), "Op": "set", "Query": to_wire(query)}
    )
    if isinstance(result, Exception):
        raise result


async def create(srv: Server, query: PreparedQuery) -> str:
    if query.id:
        raise AgentError("ID must be empty when creating a new prepared query")
    validate(query)
    query_id = str(uuid.uuid4())
    while query_id in srv.store.queries.queries:
        query_id = str(uuid.uuid4())
    await _propose(srv, replace(query, id=query_id))
    return query_id


async def update(srv: Server, query: PreparedQuery) -> None:
    if query.id not in srv.store.queries.queries:
        raise AgentError(f"Cannot modify non-existent prepared query: '{query.id}'")
    validate(query)
    await _propose(srv, query)


async def delete(srv: Server, query_id: str) -> None:
    if query_id not in srv.store.queries.queries:
        raise AgentError(f"Cannot modify non-existent prepared query: '{query_id}'")
    await srv.propose({"Type": int(MessageType.PREPARED_QUERY), "Op": "delete", "ID": query_id})


async def get(srv: Server, query_id: str, opts: QueryOptions) -> tuple[int, PreparedQuery]:
    table = srv.store.queries
    index, found = await srv.query(opts, lambda ws: table.get(ws, query_id))
    if found is None:
        raise NotFound(QUERY_NOT_FOUND)
    return index, found


async def list_(srv: Server, opts: QueryOptions) -> tuple[int, list[PreparedQuery]]:
    table = srv.store.queries
    return await srv.query(opts, table.list_queries)


def explain(store: Store, id_or_name: str) -> PreparedQuery:
    """The query ``id_or_name`` resolves to, rendered if it is a template."""
    _, found = store.queries.resolve(None, id_or_name)
    if found is None:
        raise NotFound(QUERY_NOT_FOUND)
    return found


# ---- execution -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Where a request comes from, for ``Near``: a node name (or ``_agent``) and the client IP."""

    node: str = ""
    ip: str = ""


@dataclass(frozen=True, slots=True)
class Execution:
    query: PreparedQuery  # rendered
    nodes: list[Instance]
    datacenter: str
    failovers: int = 0


def execute_now(
    store: Store,
    id_or_name: str,
    *,
    agent_node: str,
    datacenter: str,
    source: Source = Source(),
    limit: int = 0,
    connect: bool = False,
    visible: Callable[[Instance], bool] | None = None,
    rng: random.Random = _rng,
) -> Execution:
    """Run a prepared query against the store now; NotFound if no query answers the name."""
    _, query = store.queries.resolve(None, id_or_name)
    if query is None:
        raise NotFound(QUERY_NOT_FOUND)
    svc = query.service
    nodes = [
        inst
        for inst in candidates(store.catalog, svc.service, connect or svc.connect)
        if matches(inst, svc)
    ]
    if visible is not None:
        nodes = [i for i in nodes if visible(i)]
    rng.shuffle(nodes)
    near = _near_node(store.catalog, source.node or svc.near, agent_node, source.ip)
    if near:
        for i, inst in enumerate(nodes[:NEAR_SEARCH_DEPTH]):
            if inst.node.node.lower() == near.lower():
                nodes[0], nodes[i] = nodes[i], nodes[0]
                break
    if limit > 0:
        nodes = nodes[:limit]
    tried = failover_datacenters(svc.failover, datacenter, []) if not nodes else []
    return Execution(query, nodes, datacenter, len(tried))


def candidates(catalog: CatalogTable, name: str, connect: bool) -> list[Instance]:
    """Every instance of ``name`` with its node and checks (Connect-capable ones if asked)."""
    if connect:
        key = name.lower()
        services: list[Service] = sorted(
            (s for s in catalog.services.values() if _connect_capable(s, key)),
            key=lambda s: (s.node.lower(), s.id),
        )
    else:
        _, services = catalog.service_instances(None, name)
    out = []
    for svc in services:
        node = catalog.nodes.get(svc.node.lower())
        if node is not None:
            out.append(Instance(node, svc, tuple(catalog.checks_of(svc.node, svc.id))))
    return out


def _connect_capable(svc: Service, key: str) -> bool:
    if svc.kind == "connect-proxy":
        return str(svc.proxy.get("DestinationServiceName", "")).lower() == key
    return svc.service.lower() == key and bool(svc.connect.get("Native"))


def matches(inst: Instance, svc: ServiceQuery) -> bool:
    """Health, node meta, service meta and tags, as Consul's execute filters them."""
    ignore = set(svc.ignore_check_ids)
    for chk in inst.checks:
        if chk.check_id in ignore:
            continue
        if chk.status == Health.CRITICAL or (svc.only_passing and chk.status != Health.PASSING):
            return False
    if any(inst.node.meta.get(k) != v for k, v in svc.node_meta.items()):
        return False
    if any(inst.service.meta.get(k) != v for k, v in svc.service_meta.items()):
        return False
    have = {t.lower() for t in inst.service.tags}
    for tag in svc.tags:
        tag = tag.lower()
        if tag.startswith("!"):
            if tag[1:] in have:
                return False
        elif tag not in have:
            return False
    return True


def _near_node(catalog: CatalogTable, near: str, agent_node: str, ip: str) -> str:
    if near == "_agent":
        return agent_node
    if near == "_ip":
        if not ip:
            log.warning("query: near=_ip needs the source IP; no distance sorting")
            return ""
        return next((n.node for n in catalog.nodes.values() if n.address == ip), "")
    return near


def failover_datacenters(failover: Failover, local: str, known: list[str]) -> list[str]:
    """The datacenters to try, in order, when nothing answered locally: the NearestN closest
    of ``known`` (other datacenters, nearest first), then Datacenters (or the Targets'
    datacenters), each once; unknown datacenters are skipped."""
    out: list[str] = []
    for dc in known[: failover.nearest_n]:
        if dc != local and dc not in out:
            out.append(dc)
    wanted = list(failover.datacenters) or [t.datacenter for t in failover.targets if t.datacenter]
    for dc in wanted:
        if dc in out:
            continue
        if dc not in known or dc == local:
            log.debug("query: failover skips unknown datacenter %s", dc)
            continue
        out.append(dc)
    return out
