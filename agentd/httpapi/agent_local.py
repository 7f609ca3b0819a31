"""``/v1/agent/services|service|checks|check|maintenance|health|members|reload``: this agent's
own services and checks (agent-local state: no X-Consul-Index)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Any

import orjson

from agentd.checks import definition as checkdef
from agentd.errors import BadRequest
from agentd.filter import fields
from agentd.httpapi.app import blocking_args, json_response
from agentd.httpapi.catalog import filtered
from agentd.httpapi.decode import loads, object_body
from agentd.httpapi.need import require, visible
from agentd.httpapi.request import Request, Response
from agentd.httpapi.shapes import check_json
from agentd.structs.catalog import Check, Health, Service, aggregate

if TYPE_CHECKING:
    from agentd.agent import Agent

_CODES: dict[str, int] = {Health.PASSING: 200, Health.WARNING: 429}


def agent_service_json(s: Service, datacenter: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if s.kind:
        out["Kind"] = s.kind
    out.update(
        ID=s.id, Service=s.service, Tags=list(s.tags), Meta=s.meta, Port=s.port, Address=s.address
    )
    if s.tagged_addresses:
        out["TaggedAddresses"] = s.tagged_addresses
    if s.socket_path:
        out["SocketPath"] = s.socket_path
    out.update(Weights=s.weights, EnableTagOverride=s.enable_tag_override)
    if s.proxy:
        out["Proxy"] = s.proxy
    if s.connect:
        out["Connect"] = s.connect
    out["Datacenter"] = datacenter
    return out


def _tail(req: Request, prefix: str, missing: str) -> str:
    value = req.path.removeprefix(prefix)
    if not value:
        raise BadRequest(missing)
    return value


def _flag(req: Request, name: str) -> bool:
    value = req.arg(name)
    return value is not None and value.lower() in ("", "true", "1")


def _require_service(agent: Agent, req: Request, sid: str, level: str) -> None:
    ls = agent.local.services.get(sid)
    require(req, "service", level, ls.service.service if ls is not None else sid)


def _require_check(agent: Agent, req: Request, check_id: str) -> None:
    lc = agent.local.checks.get(check_id)
    if lc is not None and lc.check.service_name:
        require(req, "service", "write", lc.check.service_name)
    else:
        require(req, "agent", "write", agent.config.node_name)


# ---- services ---------------------------------------------------------------------------------


async def services(agent: Agent, req: Request) -> Response:
    keep = filtered(req, fields.AGENT_SERVICE)
    dc = agent.config.datacenter
    items = [
        agent_service_json(ls.service, dc)
        for ls in agent.local.services.values()
        if visible(req, "service", ls.service.service)
    ]
    return json_response({s["ID"]: s for s in keep(items)})


def _service_body(agent: Agent, sid: str) -> dict[str, Any] | None:
    ls = agent.local.services.get(sid)
    if ls is None:
        return None
    body = agent_service_json(ls.service, agent.config.datacenter)
    body["ContentHash"] = hashlib.sha256(orjson.dumps(body)).hexdigest()[:16]
    return body


async def service(agent: Agent, req: Request) -> Response:
    sid = _tail(req, "/v1/agent/service/", "Missing service ID")
    _, wait = blocking_args(req)  # checked first, whether or not this request blocks
    _require_service(agent, req, sid, "read")
    body = _service_body(agent, sid)
    want = req.arg("hash")
    if want and body is not None and body["ContentHash"] == want:
        wait = wait or agent.config.default_query_time
        changed = asyncio.Event()
        agent.local.listeners.append(changed.set)
        try:
            async with asyncio.timeout(min(wait, agent.config.max_query_time)):
                while body is not None and body["ContentHash"] == want:
                    changed.clear()
                    await changed.wait()
                    body = _service_body(agent, sid)
        except TimeoutError:
            pass
        finally:
            agent.local.listeners.remove(changed.set)
    if body is None:
        return Response.text(404, f"unknown service ID: {sid}")
    resp = json_response(body)
    resp.headers.append(("X-Consul-ContentHash", body["ContentHash"]))
    return resp


async def service_register(agent: Agent, req: Request) -> Response:
    reg = agent.local_agent.decode_service(loads(req.body))
    require(req, "service", "write", reg.service.service)
    replace = _flag(req, "replace-existing-checks")
    agent.local_agent.add_service(reg, replace_existing_checks=replace)
    return Response(200, b"", None)


async def service_deregister(agent: Agent, req: Request) -> Response:
    sid = _tail(req, "/v1/agent/service/deregister/", "Missing service ID")
    _require_service(agent, req, sid, "write")
    agent.local_agent.remove_service(sid)
    return Response(200, b"", None)


def _enable(req: Request) -> bool:
    if not req.has("enable"):
        raise BadRequest("Missing value for enable")
    value = (req.arg("enable") or "").lower()
    if value in ("true", "1", "t"):
        return True
    if value in ("false", "0", "f"):
        return False
    raise BadRequest(f'Invalid value for enable: "{req.arg("enable")}"')


async def service_maintenance(agent: Agent, req: Request) -> Response:
    sid = _tail(req, "/v1/agent/service/maintenance/", "Missing service ID")
    _require_service(agent, req, sid, "write")
    agent.local_agent.service_maintenance(sid, _enable(req), req.arg("reason") or "")
    return Response(200, b"", None)


async def maintenance(agent: Agent, req: Request) -> Response:
    agent.local_agent.node_maintenance(_enable(req), req.arg("reason") or "")
    return Response(200, b"", None)


# ---- checks -----------------------------------------------------------------------------------


async def checks(agent: Agent, req: Request) -> Response:
    items = [
        check_json(lc.check)
        for lc in agent.local.checks.values()
        if (
            visible(req, "service", lc.check.service_name)
            if lc.check.service_name
            else visible(req, "node", agent.config.node_name)
        )
    ]
    # Consul creates this filter without a type and go-bexpr checks it against the first check it
    # evaluates: with no checks to show, only the syntax is checked.
    keep = filtered(req, fields.HEALTH_CHECK if items else None)
    return json_response({c["CheckID"]: c for c in keep(items)})


async def check_register(agent: Agent, req: Request) -> Response:
    body = loads(req.body)
    if not isinstance(body, dict):
        raise BadRequest("Request decode failed: expected a JSON object")
    defn = checkdef.from_json(body)
    if not defn.name:
        raise BadRequest("Missing check name")
    if defn.status and defn.status not in ("passing", "warning", "critical"):
        raise BadRequest("Bad check status")
    import dataclasses

    if not defn.check_id:
        defn = dataclasses.replace(defn, check_id=defn.name)
    if defn.service_id and defn.service_id in agent.local.services:
        defn = dataclasses.replace(
            defn, service_name=agent.local.services[defn.service_id].service.service
        )
    defn.validate()
    if defn.service_id:
        _require_service(agent, req, defn.service_id, "write")
    else:
        require(req, "node", "write", agent.config.node_name)
    agent.local_agent.add_check(defn)
    return Response(200, b"", None)


async def check_deregister(agent: Agent, req: Request) -> Response:
    check_id = _tail(req, "/v1/agent/check/deregister/", "Missing check ID")
    _require_check(agent, req, check_id)
    agent.local_agent.remove_check(check_id)
    return Response(200, b"", None)


def _ttl(status: str, prefix: str) -> Any:
    async def handler(agent: Agent, req: Request) -> Response:
        check_id = _tail(req, prefix, "Missing check ID")
        _require_check(agent, req, check_id)
        agent.local_agent.ttl_update(check_id, status, req.arg("note") or "")
        return Response(200, b"", None)

    return handler


check_pass = _ttl(Health.PASSING, "/v1/agent/check/pass/")
check_warn = _ttl(Health.WARNING, "/v1/agent/check/warn/")
check_fail = _ttl(Health.CRITICAL, "/v1/agent/check/fail/")


async def check_update(agent: Agent, req: Request) -> Response:
    check_id = _tail(req, "/v1/agent/check/update/", "Missing check ID")
    _require_check(agent, req, check_id)
    f = object_body(req.body)
    agent.local_agent.ttl_update(check_id, str(f.get("status") or ""), str(f.get("output") or ""))
    return Response(200, b"", None)


# ---- local service health ---------------------------------------------------------------------


def _health_of(agent: Agent, sid: str) -> tuple[str, list[Check]]:
    found = agent.local.service_checks(sid) + agent.local.node_checks()
    return aggregate(found), found


def _text(req: Request) -> bool:
    return req.arg("format") == "text" or req.headers.get("accept", "").startswith("text/plain")


async def health_by_id(agent: Agent, req: Request) -> Response:
    sid = _tail(req, "/v1/agent/health/service/id/", "Missing serviceID")
    _require_service(agent, req, sid, "read")
    ls = agent.local.services.get(sid)
    if ls is None:
        if _text(req):
            return Response(404, f"ServiceId {sid} not found".encode(), "text/plain")
        body = {"AggregatedStatus": Health.CRITICAL, "Service": None, "Checks": None}
        return json_response(body, 404)
    status, found = _health_of(agent, sid)
    code = _CODES.get(status, 503)
    resp = (
        Response(code, status.encode(), "text/plain")
        if _text(req)
        else json_response(
            {
                "AggregatedStatus": status,
                "Service": agent_service_json(ls.service, agent.config.datacenter),
                "Checks": [check_json(c) for c in found],
            },
            code,
        )
    )
    resp.headers.append(("X-Consul-Reason", status))
    return resp


async def health_by_name(agent: Agent, req: Request) -> Response:
    name = _tail(req, "/v1/agent/health/service/name/", "Missing service Name")
    items: list[dict[str, Any]] = []
    code, worst = 200, str(Health.PASSING)
    for ls in agent.local.services.values():
        if ls.service.service != name:
            continue
        status, found = _health_of(agent, ls.service.id)
        this = _CODES.get(status, 503)
        if this > code:
            code, worst = this, status
        items.append(
            {
                "AggregatedStatus": status,
                "Service": agent_service_json(ls.service, agent.config.datacenter),
                "Checks": [check_json(c) for c in found],
            }
        )
    if not items:
        if _text(req):
            return Response(404, f"ServiceName {name} Not Found".encode(), "text/plain")
        return json_response([], 404)
    resp = (
        Response(code, worst.encode(), "text/plain") if _text(req) else json_response(items, code)
    )
    resp.headers.append(("X-Consul-Reason", worst))
    return resp


# ---- members and reload -----------------------------------------------------------------------


async def members(agent: Agent, req: Request) -> Response:
    from agentd.httpapi.agent import member, wan_member

    wan = bool(req.arg("wan"))
    if wan and req.arg("segment"):
        raise BadRequest("Cannot provide a segment with wan=true")
    pool = [member(agent)]
    if wan:  # only servers are in the WAN pool
        pool = [wan_member(agent)] if agent.config.server else []
    members = [m for m in pool if visible(req, "node", m["Name"])]
    return json_response(filtered(req, fields.AGENT_MEMBER)(members))


async def reload(agent: Agent, req: Request) -> Response:
    agent.reload()
    return Response(200, b"", None)
