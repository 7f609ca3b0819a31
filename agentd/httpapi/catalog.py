"""``/v1/catalog/*``: register, deregister and the catalog reads."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from agentd.endpoints import catalog as endpoint
from agentd.errors import AgentError, BadRequest
from agentd.filter import FilterError, Schema, compile_filter, fields
from agentd.httpapi.app import meta_headers, query_options
from agentd.httpapi.decode import (
    CHECK_DEFINITION,
    CONNECT,
    PROXY,
    canonical,
    field_int,
    field_map,
    field_str,
    fold,
    object_body,
    tagged_addresses,
)
from agentd.httpapi.need import require, visible
from agentd.httpapi.request import Request, Response
from agentd.httpapi.shapes import catalog_service_json, node_json, node_service_json
from agentd.structs.catalog import CHECK_STATUSES, Check, Health, Node, Service
from cnslkit.coordinate import Coord

if TYPE_CHECKING:
    from agentd.agent import Agent


def decode_service(raw: Any, node: str) -> Service:
    if not isinstance(raw, dict):
        raise BadRequest("Request decode failed: Service must be an object")
    f = fold(raw)
    name = field_str(f, "service") or field_str(f, "name")
    tags = f.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BadRequest("Request decode failed: Tags must be a list of strings")
    weights = {"Passing": 1, "Warning": 1}
    for k, v in field_map(f, "weights").items():
        if k.lower() in ("passing", "warning") and isinstance(v, int):
            weights[k.capitalize()] = v
    return Service(
        node=node,
        id=field_str(f, "id") or name,
        service=name,
        tags=tuple(tags),
        address=field_str(f, "address"),
        port=field_int(f, "port"),
        meta=field_map(f, "meta"),
        tagged_addresses=tagged_addresses(f.get("taggedaddresses")),
        weights=weights,
        enable_tag_override=bool(f.get("enabletagoverride")),
        kind=field_str(f, "kind"),
        proxy=canonical(f.get("proxy"), PROXY, "Proxy"),
        connect=_connect(f.get("connect")),
        socket_path=field_str(f, "socketpath"),
    )


def _connect(raw: Any) -> dict[str, Any]:
    connect = canonical(raw, CONNECT, "Connect")
    if not connect.get("Native"):  # omitempty
        connect.pop("Native", None)
    return connect


def decode_check(raw: Any, node: str) -> Check:
    if not isinstance(raw, dict):
        raise BadRequest("Request decode failed: Check must be an object")
    f = fold(raw)
    name = field_str(f, "name")
    status = field_str(f, "status") or Health.CRITICAL
    if status not in CHECK_STATUSES:
        raise AgentError(f'Invalid check status "{status}"')
    definition = canonical(f.get("definition"), CHECK_DEFINITION, "Check.Definition")
    return Check(
        node=field_str(f, "node") or node,
        check_id=field_str(f, "checkid") or field_str(f, "id") or name,
        name=name,
        status=status,
        notes=field_str(f, "notes"),
        output=field_str(f, "output"),
        service_id=field_str(f, "serviceid"),
        type=field_str(f, "type"),
        interval=str(definition.get("Interval", "")),
        timeout=str(definition.get("Timeout", "")),
        definition=definition,
    )


async def register(agent: Agent, req: Request) -> Response:
    f = object_body(req.body)
    name = field_str(f, "node")
    if not name:
        raise AgentError("Must provide node")
    skip = bool(f.get("skipnodeupdate"))
    address = field_str(f, "address")
    if not address and not skip:
        raise AgentError("Must provide address if SkipNodeUpdate is not set")
    node = Node(
        node=name,
        address=address,
        id=field_str(f, "id").lower(),
        datacenter=field_str(f, "datacenter") or agent.config.datacenter,
        tagged_addresses=field_map(f, "taggedaddresses"),
        meta=field_map(f, "nodemeta"),
    )
    service = decode_service(f["service"], name) if f.get("service") else None
    if service is not None and not service.service:
        raise AgentError("Must provide service name (Service.Service) with ID")
    raws = ([f["check"]] if f.get("check") else []) + list(f.get("checks") or [])
    checks = [decode_check(raw, name) for raw in raws]
    for chk in checks:
        if not chk.check_id:
            raise AgentError("Must provide a CheckID or Name")
    require(req, "node", "write", name)
    if service is not None:
        require(req, "service", "write", service.service)
    await endpoint.register(agent.server, node, service, checks, skip)
    return Response(200, b"true")


async def deregister(agent: Agent, req: Request) -> Response:
    f = object_body(req.body)
    node = field_str(f, "node")
    if not node:
        raise AgentError("Must provide node")
    service_id, check_id = field_str(f, "serviceid"), field_str(f, "checkid")
    if service_id:
        svc = agent.store.catalog.services.get((node.lower(), service_id))
        require(req, "service", "write", svc.service if svc is not None else service_id)
    else:
        require(req, "node", "write", node)
    await endpoint.deregister(agent.server, node, service_id, check_id)
    return Response(200, b"true")


def node_meta(req: Request) -> list[tuple[str, str]]:
    out = []
    for pair in req.query.get("node-meta", []):
        key, _, value = pair.partition(":")
        out.append((key, value))
    return out


def instances_visible(req: Request, found: list[Any]) -> list[Any]:
    """An instance is shown only with node:read on its node and service:read on its name."""
    return [
        i
        for i in found
        if visible(req, "node", i.node.node) and visible(req, "service", i.service.service)
    ]


def near_first(agent: Agent, req: Request, nodes: list[str]) -> list[int]:
    """``?near=`` (``_agent`` is this agent's node): the order of answers by estimated round
    trip time from that node's network coordinate, as Consul's sort: stable, nodes without a
    coordinate last, and no sort at all when the origin has none."""
    near = req.arg("near")
    order = list(range(len(nodes)))
    if not near:
        return order
    origin = agent.config.node_name if near == "_agent" else near
    table = agent.store.coordinates
    source = table.segments(origin)
    if not source:
        return order
    distances = [rtt(source, table.segments(name)) for name in nodes]
    return sorted(order, key=lambda i: distances[i])


def rtt(a: dict[str, Coord], b: dict[str, Coord]) -> float:
    """Seconds between two nodes' coordinate sets (segment -> coordinate), compared in a segment
    both are in (Consul's ``CoordinateSet.Intersect``); infinite when there is none."""
    segment = ""
    for one in (a, b):
        if len(one) == 1:
            segment = next(iter(one))
    first, second = a.get(segment), b.get(segment)
    if first is None or second is None:
        return math.inf
    return first.distance_to(second)


Items = list[dict[str, Any]]


def filtered(req: Request, schema: Schema | None) -> Callable[[Items], Items]:
    """``?filter=``, compiled and checked against ``schema`` (the type of one response element,
    from ``agentd.filter.fields``), as the function that keeps the elements it matches; without a
    filter that function keeps everything. Call it before the query, so that a bad expression
    fails at once rather than after a blocking wait, as Consul creates its filter first.
    ``schema=None`` checks the syntax only."""
    expr = req.arg("filter")
    if not expr:
        return _everything
    try:
        return compile_filter(expr, schema).apply
    except FilterError as exc:
        # The issue asks for 400 (Consul's servers answer 500 here; its agent endpoints, 400).
        raise BadRequest(f"Failed to create boolean expression evaluator: {exc}") from None


def _everything(items: Items) -> Items:
    return items


def _json(obj: Any, index: int, req: Request) -> Response:
    return meta_headers(Response(200, orjson.dumps(obj)), index, query_options(req))


async def datacenters(agent: Agent, req: Request) -> Response:
    return Response(200, orjson.dumps([agent.config.datacenter]))


async def nodes(agent: Agent, req: Request) -> Response:
    keep = filtered(req, fields.NODE)
    index, found = await endpoint.nodes(agent.server, query_options(req), node_meta(req))
    found = [n for n in found if visible(req, "node", n.node)]
    found = [found[i] for i in near_first(agent, req, [n.node for n in found])]
    return _json(keep([node_json(n) for n in found]), index, req)


async def services(agent: Agent, req: Request) -> Response:
    keep = _service_node_filter(req)
    index, found = await endpoint.services(agent.server, query_options(req), node_meta(req), keep)
    found = {name: tags for name, tags in found.items() if visible(req, "service", name)}
    return _json(found, index, req)


def _service_node_filter(req: Request) -> Callable[[Node, Service], bool] | None:
    """``?filter`` of catalog/services: Consul applies it to each instance as a ServiceNode,
    then groups what is left by name."""
    if not req.arg("filter"):
        return None
    keep = filtered(req, fields.SERVICE_NODE)
    return lambda n, s: bool(keep([catalog_service_json(n, s)]))


async def service(agent: Agent, req: Request) -> Response:
    return await _instances(agent, req, "/v1/catalog/service/", connect=False)


def connect_visible(req: Request, name: str, found: list[Any]) -> list[Any]:
    """Connect answers need service:read on the service asked about (else they are empty, as
    Consul's), then node:read and service:read on each instance as any instance list."""
    identity = req.identity
    if identity is not None and not identity.allowed("service", "read", name):
        return []
    return instances_visible(req, found)


async def connect(agent: Agent, req: Request) -> Response:
    """``/v1/catalog/connect/<service>``: catalog/service's answer for the Connect-capable
    instances of the service: its sidecar proxies and, if Connect-native, itself."""
    return await _instances(agent, req, "/v1/catalog/connect/", connect=True)


async def _instances(agent: Agent, req: Request, prefix: str, *, connect: bool) -> Response:
    name = req.path.removeprefix(prefix)
    if not name:
        raise BadRequest("Missing service name")
    keep = filtered(req, fields.SERVICE_NODE)
    index, found = await endpoint.instances(
        agent.server,
        name,
        query_options(req),
        tags=req.query.get("tag", []),
        node_meta=node_meta(req),
        connect=connect,
    )
    found = connect_visible(req, name, found) if connect else instances_visible(req, found)
    found = [found[i] for i in near_first(agent, req, [i.node.node for i in found])]
    items = [catalog_service_json(i.node, i.service) for i in found]
    return _json(keep(items), index, req)


async def node(agent: Agent, req: Request) -> Response:
    name = req.path.removeprefix("/v1/catalog/node/")
    if not name:
        raise BadRequest("Missing node name")
    keep = filtered(req, fields.NODE_SERVICE)  # the values of the Services map
    index, (found, svcs) = await endpoint.node_services(agent.server, name, query_options(req))
    if found is None:
        return _json(None, index, req)
    items = keep([node_service_json(s) for s in svcs if visible(req, "service", s.service)])
    services_ = {s["ID"]: s for s in items}
    return _json({"Node": node_json(found), "Services": services_}, index, req)


async def node_services(agent: Agent, req: Request) -> Response:
    name = req.path.removeprefix("/v1/catalog/node-services/")
    if not name:
        raise BadRequest("Missing node name")
    keep = filtered(req, fields.NODE_SERVICE)
    index, (found, svcs) = await endpoint.node_services(agent.server, name, query_options(req))
    if found is None:
        return _json(None, index, req)
    items = keep([node_service_json(s) for s in svcs if visible(req, "service", s.service)])
    return _json({"Node": node_json(found), "Services": items}, index, req)
