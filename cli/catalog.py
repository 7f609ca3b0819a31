"""``cnsl catalog datacenters|nodes|services``: Consul's ``command/catalog/list/*``.

Outputs are Consul's: datacenters and service names one per line; ``nodes`` as a columnize table
(``Node  ID  Address  DC``, the ID cut at its first ``-`` unless ``-detailed``); ``services -tags``
through Go's tabwriter. "No nodes/services match" goes to stderr with exit 0, as in Consul.
"""

from __future__ import annotations

from cli.command import (
    EXIT_ERROR,
    EXIT_OK,
    Command,
    DataError,
    command_table,
    load_data,
    map_flag,
    no_args,
)
from cli.goflags import BOOL, LIST, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.textfmt import DELIM, table, tabwrite
from cnslkit.api import catalog
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cli.command import Invocation
    from cnslkit.api.models import Node

__all__ = ["COMMANDS", "format_nodes", "format_service_tags"]

_NODE_META = "Metadata to filter nodes with the given key=value pairs (repeatable)."
NODES_FLAGS = (
    Flag("detailed", BOOL, help="Show full node IDs, tagged addresses and metadata."),
    Flag("filter", STRING, "", help="Filter expression to use with the request.", metavar="EXPR"),
    Flag("near", STRING, "", help='Sort by round-trip time from this node ("_agent": this one).'),
    Flag("node-meta", LIST, help=_NODE_META, metavar="KEY=VALUE"),
    Flag("service", STRING, "", help="Only nodes providing this service (ID or name)."),
    *HTTP_FLAGS,
)
SERVICES_FLAGS = (
    Flag("filter", STRING, "", help="Filter expression to use with the request.", metavar="EXPR"),
    Flag("node", STRING, "", help="List the services of this node (ID or name)."),
    Flag("node-meta", LIST, help=_NODE_META, metavar="KEY=VALUE"),
    Flag("tags", BOOL, help="Show each service's tags, comma-separated, beside its name."),
    *HTTP_FLAGS,
)


def _kv_list(mapping: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={mapping[k]}" for k in sorted(mapping))


def format_nodes(nodes: Sequence[Node], detailed: bool) -> str:
    """The ``catalog nodes`` table (Consul's ``NodesHeader``/``NodeRow`` through columnize)."""
    header = ["Node", "ID", "Address", "DC"] + (["TaggedAddresses", "Meta"] if detailed else [])
    rows = [DELIM.join(header)]
    for node in nodes:
        if detailed:
            cells = [node.node, node.id, node.address, node.datacenter]
            cells += [_kv_list(node.tagged_addresses), _kv_list(node.meta)]
        else:
            dash = node.id.find("-")
            cells = [node.node, node.id[:dash] if dash > 0 else node.id]
            cells += [node.address, node.datacenter]
        rows.append(DELIM.join(cells))
    return table(rows)


def format_service_tags(services: Mapping[str, Sequence[str]]) -> str:
    """``catalog services -tags``: name, 6 spaces past the longest, sorted tags joined by ","."""
    rows = [[name, ",".join(sorted(services[name]))] for name in sorted(services)]
    return tabwrite(rows, padding=6).strip()


def run_datacenters(inv: Invocation) -> int:
    no_args(inv)
    http = inv.http()
    try:
        names = http.send(catalog.datacenters())
    except ApiError as exc:
        # Consul prints this and still exits 0; a failed command exits 1 here.
        inv.out.error(f"Error listing datacenters: {exc}")
        return EXIT_ERROR
    for name in names:
        inv.out.info(name)
    return EXIT_OK


def _filter(inv: Invocation) -> str:
    """``-filter`` takes a value, ``@file`` or ``-`` (Consul's ``LoadDataSource``)."""
    text = inv.parsed.text("filter") or ""
    return load_data(text).decode("utf-8", "surrogateescape") if text else ""


def run_nodes(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    no_args(inv)
    meta = map_flag(p, "node-meta")
    http = inv.http()
    try:
        expr = _filter(inv)
    except DataError as exc:
        out.error(f"Could not process filter argument: {exc}")
        return EXIT_ERROR
    near, service = p.text("near") or "", p.text("service") or ""
    try:
        if service:
            call = catalog.service(service, near=near, node_meta=meta, filter=expr)
            nodes = [instance.node for instance in http.send(call)]
        else:
            nodes = http.send(catalog.nodes(near=near, node_meta=meta, filter=expr))
    except ApiError as exc:
        what = "Error listing nodes for service" if service else "Error listing nodes"
        out.error(f"{what}: {exc}")
        return EXIT_ERROR
    if not nodes:
        out.error("No nodes match the given query - try expanding your search.")
        return EXIT_OK
    out.info(format_nodes(nodes, p.on("detailed")))
    return EXIT_OK


def run_services(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    no_args(inv)
    meta, node = map_flag(p, "node-meta"), p.text("node") or ""
    http = inv.http()
    try:
        expr = _filter(inv)
    except DataError as exc:
        out.error(f"Could not process filter argument: {exc}")
        return EXIT_ERROR
    try:
        if node:
            found = http.send(catalog.node(node, node_meta=meta, filter=expr))
            services: dict[str, list[str]] = {}
            for svc in found.services.values() if found else ():
                services.setdefault(svc.service, []).extend(svc.tags)
        else:
            services = http.send(catalog.services(node_meta=meta, filter=expr))
    except ApiError as exc:
        what = "Error listing services for node" if node else "Error listing services"
        out.error(f"{what}: {exc}")
        return EXIT_ERROR
    if not services:
        out.error("No services match the given query - try expanding your search.")
        return EXIT_OK
    if p.on("tags"):
        out.info(format_service_tags(services))
    else:
        for name in sorted(services):
            out.info(name)
    return EXIT_OK


COMMANDS: dict[str, Command] = command_table(
    Command(
        "datacenters",
        HTTP_FLAGS,
        run_datacenters,
        synopsis="Lists all known datacenters",
        help="Print every known datacenter, nearest first, one per line.",
    ),
    Command(
        "nodes",
        NODES_FLAGS,
        run_nodes,
        synopsis="Lists all nodes in the given datacenter",
        help="Print the datacenter's nodes as a table (Node, ID, Address, DC); -detailed adds "
        "full IDs, tagged addresses and metadata.",
    ),
    Command(
        "services",
        SERVICES_FLAGS,
        run_services,
        synopsis="Lists all registered services in a datacenter",
        help="Print the names of the datacenter's services (or one node's), one per line; "
        "-tags adds each service's tags.",
    ),
)
