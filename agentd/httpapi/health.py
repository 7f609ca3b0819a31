"""``/v1/health/*``: checks by node, by service, by state, and healthy service instances."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentd.endpoints import catalog as endpoint
from agentd.endpoints.catalog import Instance
from agentd.errors import BadRequest
from agentd.filter import fields
from agentd.httpapi.app import query_options
from agentd.httpapi.catalog import (
    _json,
    connect_visible,
    filtered,
    instances_visible,
    near_first,
    node_meta,
)
from agentd.httpapi.need import visible
from agentd.httpapi.request import Request, Response
from agentd.httpapi.shapes import check_json, node_json, node_service_json
from agentd.structs.catalog import Check

if TYPE_CHECKING:
    from agentd.agent import Agent

_TRUE = {"", "1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _passing(req: Request) -> bool:
    if not req.has("passing"):
        return False
    value = req.arg("passing") or ""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadRequest("Invalid value for ?passing")


def _name(req: Request, prefix: str, missing: str) -> str:
    name = req.path.removeprefix(prefix)
    if not name:
        raise BadRequest(missing)
    return name


def checks_visible(req: Request, checks: list[Check]) -> list[Check]:
    return [
        c
        for c in checks
        if visible(req, "node", c.node)
        and (not c.service_name or visible(req, "service", c.service_name))
    ]


async def node(agent: Agent, req: Request) -> Response:
    name = _name(req, "/v1/health/node/", "Missing node name")
    keep = filtered(req, fields.HEALTH_CHECK)
    index, checks = await endpoint.node_checks(agent.server, name, query_options(req))
    checks = checks_visible(req, checks)
    return _json(keep([check_json(c) for c in checks]), index, req)


async def checks(agent: Agent, req: Request) -> Response:
    name = _name(req, "/v1/health/checks/", "Missing service name")
    if req.has("tag"):
        raise BadRequest("Tag filtering is not supported")
    keep = filtered(req, fields.HEALTH_CHECK)
    index, found = await endpoint.service_checks(
        agent.server, name, query_options(req), node_meta(req)
    )
    found = checks_visible(req, found)
    return _json(keep([check_json(c) for c in found]), index, req)


async def state(agent: Agent, req: Request) -> Response:
    name = _name(req, "/v1/health/state/", "Missing check state")
    keep = filtered(req, fields.HEALTH_CHECK)
    index, found = await endpoint.checks_in_state(
        agent.server, name, query_options(req), node_meta(req)
    )
    found = checks_visible(req, found)
    return _json(keep([check_json(c) for c in found]), index, req)


async def service(agent: Agent, req: Request) -> Response:
    return await _instances(agent, req, "/v1/health/service/", connect=False)


async def _instances(agent: Agent, req: Request, prefix: str, *, connect: bool) -> Response:
    name = _name(req, prefix, "Missing service name")
    passing = _passing(req)
    keep = filtered(req, fields.CHECK_SERVICE_NODE)
    index, found = await endpoint.instances(
        agent.server,
        name,
        query_options(req),
        tags=req.query.get("tag", []),
        node_meta=node_meta(req),
        with_checks=True,
        passing_only=passing,
        connect=connect,
    )
    found = connect_visible(req, name, found) if connect else instances_visible(req, found)
    return _json(keep(_entries(agent, req, found)), index, req)


def _entries(agent: Agent, req: Request, found: list[Instance]) -> list[dict[str, Any]]:
    """Service entries (``{"Node", "Service", "Checks"}``) in ``?near`` order."""
    found = [found[i] for i in near_first(agent, req, [i.node.node for i in found])]
    return [
        {
            "Node": node_json(i.node),
            "Service": node_service_json(i.service),
            "Checks": [check_json(c) for c in i.checks],
        }
        for i in found
    ]


async def connect(agent: Agent, req: Request) -> Response:
    """``/v1/health/connect/<service>``: health/service's answer for the Connect-capable
    instances of the service (its sidecar proxies, and itself if Connect-native)."""
    return await _instances(agent, req, "/v1/health/connect/", connect=True)


async def ingress(agent: Agent, req: Request) -> Response:
    """``/v1/health/ingress/<service>``: the ingress gateways exposing the service. Gateways are
    bound to services by ``ingress-gateway`` config entries, which this agent does not have, so
    no service is ever exposed: always ``[]``, with the blocking-query headers and the index
    Consul reports for a service no gateway names (1). A blocking read waits out its wait."""
    _name(req, "/v1/health/ingress/", "Missing service name")
    _passing(req)
    filtered(req, fields.CHECK_SERVICE_NODE)  # a bad ?filter is still an error
    index, _ = await agent.server.query(query_options(req), lambda ws: (1, None))
    return _json([], index, req)
