"""``/v1/coordinate/*``: network coordinates (Consul's ``coordinate_endpoint.go``).

- ``datacenters``: the WAN area, one entry per datacenter with its servers' coordinates: here
  this datacenter and this server, whose WAN coordinate is a fresh Vivaldi client's (there is no
  WAN gossip to move it). Not a blocking read.
- ``nodes``: every LAN coordinate (blocking; ``?segment`` keeps one segment; entries on nodes the
  token may not read are dropped).
- ``node/<node>``: that node's coordinates, one per segment; 404 with an empty body when none.
- ``update``: ``{"Node", "Segment", "Coord"}``; non-finite values are ``invalid coordinate`` and
  a vector of another dimension ``incompatible coordinate`` (500, checked before the ACL, as in
  Consul); needs node:write on the node. An update for a node the catalog does not know is
  accepted and dropped.

With ``disable_coordinates`` every one answers 401 ``Coordinate support disabled``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentd.endpoints import coordinate as endpoint
from agentd.errors import AgentError, BadRequest
from agentd.httpapi.app import json_response, meta_headers, query_options
from agentd.httpapi.decode import field_str, object_body
from agentd.httpapi.need import require, visible
from agentd.httpapi.request import Request, Response
from agentd.state.coordinate import NodeCoord
from cnslkit.coordinate import ORIGIN, Coord

if TYPE_CHECKING:
    from agentd.agent import Agent

AREA_WAN = "wan"
DISABLED = "Coordinate support disabled"


def _disabled(agent: Agent) -> Response | None:
    if agent.config.raw.get("disable_coordinates"):
        return Response.text(401, DISABLED)
    return None


def _segment_filter(req: Request, found: list[NodeCoord]) -> list[NodeCoord]:
    """``?segment`` (present, even empty) keeps that segment only."""
    if not req.has("segment"):
        return found
    segment = req.arg("segment") or ""
    return [c for c in found if c.segment == segment]


async def datacenters(agent: Agent, req: Request) -> Response:
    disabled = _disabled(agent)
    if disabled is not None:
        return disabled
    cfg = agent.config
    own = NodeCoord(cfg.node_name, "", ORIGIN)
    return json_response(
        [{"Datacenter": cfg.datacenter, "AreaID": AREA_WAN, "Coordinates": [own.to_json()]}]
    )


async def nodes(agent: Agent, req: Request) -> Response:
    disabled = _disabled(agent)
    if disabled is not None:
        return disabled
    opts = query_options(req)
    index, found = await endpoint.nodes(agent.server, opts)
    found = [c for c in _segment_filter(req, found) if visible(req, "node", c.node)]
    return meta_headers(json_response([c.to_json() for c in found]), index, opts)


async def node(agent: Agent, req: Request) -> Response:
    disabled = _disabled(agent)
    if disabled is not None:
        return disabled
    name = req.path.removeprefix("/v1/coordinate/node/")
    opts = query_options(req)
    index, found = await endpoint.node(agent.server, name, opts)
    found = _segment_filter(req, found)
    if not found:
        return meta_headers(Response(404, b"", None), index, opts)
    return meta_headers(json_response([c.to_json() for c in found]), index, opts)


async def update(agent: Agent, req: Request) -> Response:
    disabled = _disabled(agent)
    if disabled is not None:
        return disabled
    f = object_body(req.body)
    node_name, segment = field_str(f, "node"), field_str(f, "segment")
    raw = f.get("coord")
    if raw is None:
        raise AgentError("invalid coordinate")
    try:
        coord = Coord.from_json(raw)
    except ValueError as exc:
        raise BadRequest(f"Request decode failed: {exc}") from None
    if not coord.is_valid():
        raise AgentError("invalid coordinate")
    if not coord.compatible(ORIGIN):
        raise AgentError("incompatible coordinate")
    require(req, "node", "write", node_name)
    await endpoint.update(agent.server, [NodeCoord(node_name, segment, coord)])
    return Response(200, b"", None)
