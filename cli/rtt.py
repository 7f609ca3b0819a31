"""``cnsl rtt``: Consul's ``command/rtt``: the round trip time between two nodes, estimated from
their network coordinates.

``rtt NODE1 [NODE2]`` (NODE2 defaults to the agent's node) uses LAN coordinates, compared in a
network segment both nodes are in; with ``-wan`` the names are ``<node>.<datacenter>`` and WAN
coordinates of the same area are compared. Prints ``Estimated a <-> b rtt: 0.610 ms (using LAN
coordinates)``; a node without a coordinate is ``Could not find a coordinate for node "x"``.
"""

from __future__ import annotations

from typing import Any

from cli.command import EXIT_ERROR, EXIT_OK, Command
from cli.goflags import BOOL, Flag
from cli.httpflags import CLIENT_FLAGS
from cli.textfmt import go_quote
from cnslkit.api import agent
from cnslkit.api.call import Call, expect_list
from cnslkit.api.errors import ApiError
from cnslkit.coordinate import Coord as Coordinate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND", "Coordinate", "coordinate_datacenters", "coordinate_nodes", "rtt_ms"]

FLAGS = (
    Flag("wan", BOOL, help="Use WAN coordinates instead of LAN coordinates."),
    *CLIENT_FLAGS,
)


def _coordinate(raw: Any) -> Coordinate | None:
    """The coordinate in an API answer, or None if it is missing or malformed."""
    try:
        return Coordinate.from_json(raw)
    except ValueError:
        return None


def rtt_ms(a: Coordinate, b: Coordinate) -> str:
    return f"{a.distance_ns(b) / 1.0e9 * 1000.0:.3f} ms"


def coordinate_nodes() -> Call[list[Any]]:
    """Go's ``Coordinate.Nodes``: every LAN coordinate, ``[{"Node", "Segment", "Coord"}]``."""
    return Call("GET", "/v1/coordinate/nodes", expect_list)


def coordinate_datacenters() -> Call[list[Any]]:
    """Go's ``Coordinate.Datacenters``: ``[{"Datacenter", "AreaID", "Coordinates"}]``."""
    return Call("GET", "/v1/coordinate/datacenters", expect_list)


def _intersect(
    a: dict[str, Coordinate], b: dict[str, Coordinate]
) -> tuple[Coordinate | None, Coordinate | None]:
    """``lib.CoordinateSet.Intersect``: the default segment, unless a node is in one segment
    only (a client), whose segment then wins."""
    segment = ""
    for one in (a, b):
        if len(one) == 1:
            segment = next(iter(one))
    return a.get(segment), b.get(segment)


def _lan(inv: Invocation, nodes: list[str]) -> tuple[Coordinate | None, Coordinate | None] | int:
    http = inv.http()
    if len(nodes) < 2:
        try:
            nodes.append(http.send(agent.node_name()))
        except ApiError as exc:
            inv.out.error(f"Unable to look up agent info: {exc}")
            return EXIT_ERROR
    try:
        entries = http.send(coordinate_nodes())
    except ApiError as exc:
        inv.out.error(f"Error getting coordinates: {exc}")
        return EXIT_ERROR
    sets: tuple[dict[str, Coordinate], dict[str, Coordinate]] = ({}, {})
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        coord = _coordinate(entry.get("Coord"))
        name = str(entry.get("Node", "")).casefold()
        for i in (0, 1):
            if coord is not None and name == nodes[i].casefold():
                sets[i][str(entry.get("Segment") or "")] = coord
    return _intersect(*sets)


def _wan(inv: Invocation, nodes: list[str]) -> tuple[Coordinate | None, Coordinate | None] | int:
    http, out = inv.http(), inv.out
    if len(nodes) < 2:
        try:
            config = http.send(agent.self_()).get("Config") or {}
        except ApiError as exc:
            out.error(f"Unable to look up agent info: {exc}")
            return EXIT_ERROR
        nodes.append(f"{config.get('NodeName')}.{config.get('Datacenter')}")
    parts = [n.split(".") for n in nodes]
    if any(len(p) != 2 for p in parts):
        out.error("Node names must be specified as <node name>.<datacenter> with -wan")
        return EXIT_ERROR
    (node1, dc1), (node2, dc2) = parts
    try:
        dcs = http.send(coordinate_datacenters())
    except ApiError as exc:
        out.error(f"Error getting coordinates: {exc}")
        return EXIT_ERROR
    area1 = area2 = None
    coord1 = coord2 = None
    for dc in dcs:
        if not isinstance(dc, dict):
            continue
        for entry in dc.get("Coordinates") or []:
            if not isinstance(entry, dict):
                continue
            name = str(entry.get("Node", "")).casefold()
            if dc.get("Datacenter") == dc1 and name == node1.casefold():
                area1, coord1 = dc.get("AreaID"), _coordinate(entry.get("Coord"))
            if dc.get("Datacenter") == dc2 and name == node2.casefold():
                area2, coord2 = dc.get("AreaID"), _coordinate(entry.get("Coord"))
            if area1 == area2 and coord1 is not None and coord2 is not None:
                return coord1, coord2
    return None, None  # not across areas


def run(inv: Invocation) -> int:
    out = inv.out
    nodes = list(inv.args)
    if not 1 <= len(nodes) <= 2:
        out.error("One or two node names must be specified")
        return EXIT_ERROR
    wan = inv.parsed.on("wan")
    found = _wan(inv, nodes) if wan else _lan(inv, nodes)
    if isinstance(found, int):
        return found
    coord1, coord2 = found
    for name, coord in zip(nodes, found, strict=True):
        if coord is None:
            out.error(f"Could not find a coordinate for node {go_quote(name)}")
            return EXIT_ERROR
    assert coord1 is not None and coord2 is not None
    try:
        dist = rtt_ms(coord1, coord2)
    except ValueError as exc:
        out.error(f"Error computing distance: {exc}")
        return EXIT_ERROR
    source = "WAN" if wan else "LAN"
    out.info(f"Estimated {nodes[0]} <-> {nodes[1]} rtt: {dist} (using {source} coordinates)")
    return EXIT_OK


COMMAND = Command(
    "rtt",
    FLAGS,
    run,
    usage="NODE1 [NODE2]",
    synopsis="Estimates network round trip time between nodes",
    help="Estimate the round trip time between two nodes from Consul's network coordinates. "
    "NODE2 defaults to the agent's node. With -wan, WAN coordinates are used and names are "
    "<node>.<datacenter>.",
)
