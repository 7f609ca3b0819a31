"""``/v1/event/fire/<name>`` and ``/v1/event/list`` (pseudo-blocking on the folded event ID)."""

from __future__ import annotations

import asyncio
import base64
from typing import TYPE_CHECKING, Any

import orjson

from agentd.errors import BadRequest
from agentd.event import UserEvent, matches
from agentd.httpapi.app import json_response, query_options
from agentd.httpapi.need import visible
from agentd.httpapi.request import Request, Response

if TYPE_CHECKING:
    from agentd.agent import Agent

MAX_PAYLOAD = 512  # the gossip user-event limit, name included


def event_json(e: UserEvent) -> dict[str, Any]:
    return {
        "ID": e.id,
        "Name": e.name,
        "Payload": base64.b64encode(e.payload).decode() if e.payload is not None else None,
        "NodeFilter": e.node_filter,
        "ServiceFilter": e.service_filter,
        "TagFilter": e.tag_filter,
        "Version": e.version,
        "LTime": e.ltime,
    }


async def fire(agent: Agent, req: Request) -> Response:
    name = req.path.removeprefix("/v1/event/fire/")
    if not name:
        raise BadRequest("Missing name")
    payload = req.body or None
    if len(name) + len(req.body) > MAX_PAYLOAD:
        raise BadRequest(
            f"UserEvent exceeds the size limit: {len(name) + len(req.body)} > {MAX_PAYLOAD} bytes"
        )
    buf = agent.events
    event = buf.new(
        name, payload, req.arg("node") or "", req.arg("service") or "", req.arg("tag") or ""
    )
    services = agent.local.services.values
    if matches(
        event,
        agent.config.node_name,
        lambda: ((ls.service.service, ls.service.tags) for ls in services()),
    ):
        buf.receive(event)
    return json_response(event_json(event))


async def list_(agent: Agent, req: Request) -> Response:
    opts = query_options(req)
    name = req.arg("name") or ""
    buf = agent.events
    index, found = buf.list(name)
    if opts.min_index and index == opts.min_index:
        wait = min(opts.wait or agent.config.max_query_time, agent.config.max_query_time)
        try:
            async with asyncio.timeout(wait):
                while index == opts.min_index:
                    await buf.changed.wait()
                    index, found = buf.list(name)
        except TimeoutError:
            pass
    found = [e for e in found if visible(req, "event", e.name)]
    resp = Response(200, orjson.dumps([event_json(e) for e in found]))
    resp.headers.append(("X-Consul-Index", str(index)))
    return resp
