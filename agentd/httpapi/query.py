"""``/v1/query``: prepared queries (create, list, read, update, delete, execute, explain).

ACLs as in Consul: a query with a name (or a template) is guarded by ``query`` rules on that
name; an anonymous static query (bound to a session) only by ``acl:write``. Stored tokens are
shown as ``<hidden>`` unless the caller has ``acl:write``. Execution filters instances with
``node:read`` and ``service:read`` of the query's own token if it has one, else the caller's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from agentd.endpoints import query as endpoint
from agentd.endpoints.catalog import Instance
from agentd.errors import AgentError, BadRequest, PermissionDenied
from agentd.httpapi.app import meta_headers, query_options
from agentd.httpapi.decode import field_map, fold, loads
from agentd.httpapi.need import require, visible
from agentd.httpapi.request import Request, Response
from agentd.httpapi.shapes import check_json, node_json, node_service_json
from agentd.structs.query import (
    REDACTED_TOKEN,
    Failover,
    PreparedQuery,
    QueryTarget,
    QueryTemplate,
    ServiceQuery,
)

if TYPE_CHECKING:
    from agentd.agent import Agent

_DECODE = "Request decode failed"
_PREFIX = "/v1/query/"


# ---- JSON in ---------------------------------------------------------------------------------


def _str(f: dict[str, Any], key: str, field: str) -> str:
    value = f.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{_DECODE}: {field} must be a string")
    return value


def _strs(f: dict[str, Any], key: str, field: str) -> tuple[str, ...]:
    value = f.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"{_DECODE}: {field} must be a list of strings")
    return tuple(value)


def _strmap(f: dict[str, Any], key: str, field: str) -> dict[str, str]:
    value = field_map(f, key)
    if not all(isinstance(v, str) for v in value.values()):
        raise BadRequest(f"{_DECODE}: {field} must map strings to strings")
    return dict(value)


def _bool(f: dict[str, Any], key: str, field: str) -> bool:
    value = f.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequest(f"{_DECODE}: {field} must be true or false")
    return value


def _obj(f: dict[str, Any], key: str, field: str) -> dict[str, Any]:
    value = f.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{_DECODE}: {field} must be an object")
    return fold(value)


def _failover(f: dict[str, Any]) -> Failover:
    nearest = f.get("nearestn") or 0
    if isinstance(nearest, bool) or not isinstance(nearest, int):
        raise BadRequest(f"{_DECODE}: Failover.NearestN must be an integer")
    raw_targets = f.get("targets") or []
    if not isinstance(raw_targets, list) or not all(isinstance(t, dict) for t in raw_targets):
        raise BadRequest(f"{_DECODE}: Failover.Targets must be a list of objects")
    targets = []
    for raw in raw_targets:
        t = fold(raw)
        targets.append(
            QueryTarget(
                peer=_str(t, "peer", "Peer") or _str(t, "peername", "PeerName"),
                datacenter=_str(t, "datacenter", "Datacenter"),
                partition=_str(t, "partition", "Partition"),
                namespace=_str(t, "namespace", "Namespace"),
            )
        )
    return Failover(
        nearest_n=nearest,
        datacenters=_strs(f, "datacenters", "Failover.Datacenters"),
        targets=tuple(targets),
    )


def decode_query(body: bytes, query_id: str = "") -> PreparedQuery:
    """A PreparedQuery body (field names case-insensitive); ``query_id`` wins over the body's."""
    obj = loads(body) if body.strip() else {}
    if not isinstance(obj, dict):
        raise BadRequest(f"{_DECODE}: expected a JSON object")
    f = fold(obj)
    svc = _obj(f, "service", "Service")
    tmpl = _obj(f, "template", "Template")
    dns = _obj(f, "dns", "DNS")
    return PreparedQuery(
        id=query_id or _str(f, "id", "ID"),
        name=_str(f, "name", "Name"),
        session=_str(f, "session", "Session"),
        token=_str(f, "token", "Token"),
        template=QueryTemplate(
            type=_str(tmpl, "type", "Template.Type"),
            regexp=_str(tmpl, "regexp", "Template.Regexp"),
            remove_empty_tags=_bool(tmpl, "removeemptytags", "Template.RemoveEmptyTags"),
        ),
        service=ServiceQuery(
            service=_str(svc, "service", "Service.Service"),
            failover=_failover(_obj(svc, "failover", "Service.Failover")),
            ignore_check_ids=_strs(svc, "ignorecheckids", "Service.IgnoreCheckIDs"),
            only_passing=_bool(svc, "onlypassing", "Service.OnlyPassing"),
            near=_str(svc, "near", "Service.Near"),
            tags=_strs(svc, "tags", "Service.Tags"),
            node_meta=_strmap(svc, "nodemeta", "Service.NodeMeta"),
            service_meta=_strmap(svc, "servicemeta", "Service.ServiceMeta"),
            peer=_str(svc, "peer", "Service.Peer") or _str(svc, "peername", "Service.PeerName"),
            connect=_bool(svc, "connect", "Service.Connect"),
        ),
        dns_ttl=_str(dns, "ttl", "DNS.TTL"),
    )


# ---- JSON out --------------------------------------------------------------------------------


def _list_or_null(items: tuple[str, ...]) -> list[str] | None:
    return list(items) if items else None


def query_json(q: PreparedQuery, redact: bool = False) -> dict[str, Any]:
    svc, fo = q.service, q.service.failover
    token = REDACTED_TOKEN if redact and q.token else q.token
    return {
        "ID": q.id,
        "Name": q.name,
        "Session": q.session,
        "Token": token,
        "Template": {
            "Type": q.template.type,
            "Regexp": q.template.regexp,
            "RemoveEmptyTags": q.template.remove_empty_tags,
        },
        "Service": {
            "Service": svc.service,
            "Failover": {
                "NearestN": fo.nearest_n,
                "Datacenters": _list_or_null(fo.datacenters),
                "Targets": [
                    {
                        "Peer": t.peer,
                        "Datacenter": t.datacenter,
                        "Partition": t.partition,
                        "Namespace": t.namespace,
                    }
                    for t in fo.targets
                ]
                or None,
            },
            "IgnoreCheckIDs": _list_or_null(svc.ignore_check_ids),
            "OnlyPassing": svc.only_passing,
            "Near": svc.near,
            "Tags": _list_or_null(svc.tags),
            "NodeMeta": svc.node_meta or None,
            "ServiceMeta": svc.service_meta or None,
            "Peer": svc.peer,
            "Connect": svc.connect,
        },
        "DNS": {"TTL": q.dns_ttl},
        "CreateIndex": q.create_index,
        "ModifyIndex": q.modify_index,
    }


def instance_json(i: Instance) -> dict[str, Any]:
    return {
        "Node": node_json(i.node),
        "Service": node_service_json(i.service),
        "Checks": [check_json(c) for c in i.checks],
    }


# ---- ACL helpers -----------------------------------------------------------------------------


def _prefix(q: PreparedQuery) -> str | None:
    """The name ``query`` rules guard, or None for an anonymous static query."""
    return q.name if (q.name or q.is_template) else None


def _is_management(req: Request) -> bool:
    return req.identity is None or bool(req.identity.allowed("acl", "write"))


def _readable(req: Request, q: PreparedQuery) -> bool:
    prefix = _prefix(q)
    if prefix is None:
        if _is_management(req):
            return True
        req.filtered = True
        return False
    return visible(req, "query", prefix)


def _require_write(req: Request, q: PreparedQuery) -> None:
    prefix = _prefix(q)
    if prefix is not None:
        require(req, "query", "write", prefix)
    elif not _is_management(req):
        require(req, "acl", "write")


# ---- handlers --------------------------------------------------------------------------------


def _json(obj: Any, index: int, req: Request) -> Response:
    return meta_headers(Response(200, orjson.dumps(obj)), index, query_options(req))


async def create(agent: Agent, req: Request) -> Response:
    q = decode_query(req.body)
    _require_write(req, q)
    query_id = await endpoint.create(agent.server, q)
    return Response(200, orjson.dumps({"ID": query_id}))


async def list_(agent: Agent, req: Request) -> Response:
    index, found = await endpoint.list_(agent.server, query_options(req))
    redact = not _is_management(req)
    return _json([query_json(q, redact) for q in found if _readable(req, q)], index, req)


def _method_not_allowed(req: Request, allow: str) -> Response:
    resp = Response.text(405, f"method {req.method} not allowed")
    resp.headers.append(("Allow", allow))
    return resp


async def item(agent: Agent, req: Request) -> Response:
    """``/v1/query/<id>`` (GET, PUT, DELETE) and ``/v1/query/<id-or-name>/execute|explain``."""
    rest = req.path[len(_PREFIX) :]
    for suffix, handler in (("/execute", _execute), ("/explain", _explain)):
        if rest.endswith(suffix):
            if req.method != "GET":
                return _method_not_allowed(req, "OPTIONS,GET")
            return await handler(agent, req, rest[: -len(suffix)])
    if req.method == "GET":
        return await _get(agent, req, rest)
    if req.method == "PUT":
        return await _update(agent, req, rest)
    return await _delete(agent, req, rest)


async def _get(agent: Agent, req: Request, query_id: str) -> Response:
    index, q = await endpoint.get(agent.server, query_id, query_options(req))
    if not _readable(req, q):
        raise PermissionDenied("Permission denied")
    return _json([query_json(q, not _is_management(req))], index, req)


async def _update(agent: Agent, req: Request, query_id: str) -> Response:
    q = decode_query(req.body, query_id)
    existing = agent.store.queries.queries.get(query_id)
    if existing is not None:
        _require_write(req, existing)
    _require_write(req, q)
    await endpoint.update(agent.server, q)
    return Response(200, b"", None)


async def _delete(agent: Agent, req: Request, query_id: str) -> Response:
    existing = agent.store.queries.queries.get(query_id)
    if existing is not None:
        _require_write(req, existing)
    await endpoint.delete(agent.server, query_id)
    return Response(200, b"", None)


def _limit(req: Request) -> int:
    raw = req.arg("limit")
    if not raw:
        return 0
    try:
        return int(raw, 10)
    except ValueError:
        raise AgentError(f'Bad limit: strconv.Atoi: parsing "{raw}": invalid syntax') from None


async def _execute(agent: Agent, req: Request, id_or_name: str) -> Response:
    limit = _limit(req)
    connect = req.has("connect") and req.arg("connect") not in ("false", "0", "f", "F", "False")
    near = req.arg("near") or ""
    _, q = agent.store.queries.resolve(None, id_or_name)
    identity = agent.acl.resolve(q.token) if q is not None and q.token else req.identity

    def allowed(i: Instance) -> bool:
        return identity is None or bool(
            identity.allowed("node", "read", i.node.node)
            and identity.allowed("service", "read", i.service.service)
        )

    result = endpoint.execute_now(
        agent.store,
        id_or_name,
        agent_node=agent.config.node_name,
        datacenter=agent.config.datacenter,
        source=endpoint.Source(node=near, ip=req.remote),
        limit=limit,
        connect=connect,
        visible=allowed,
    )
    body = {
        "Service": result.query.service.service,
        "Nodes": [instance_json(i) for i in result.nodes],
        "DNS": {"TTL": result.query.dns_ttl},
        "Datacenter": result.datacenter,
        "Failovers": result.failovers,
        "Index": 0,
        "LastContact": 0,
        "KnownLeader": True,
        "ConsistencyLevel": "",
        "NotModified": False,
        "Backend": 0,
    }
    return meta_headers(Response(200, orjson.dumps(body)), 1, query_options(req))


async def _explain(agent: Agent, req: Request, id_or_name: str) -> Response:
    q = endpoint.explain(agent.store, id_or_name)
    if not _readable(req, q):
        raise PermissionDenied("Permission denied")
    body = {"Query": query_json(q, not _is_management(req))}
    return meta_headers(Response(200, orjson.dumps(body)), 1, query_options(req))
