"""``/v1/catalog/*`` reads as :class:`~cnslkit.api.call.Call` records (Go's ``Catalog``).

``near``, ``node_meta`` and ``filter`` are the Go client's ``QueryOptions`` of the same names; an
empty value sends nothing. Send with ``await client.send(call)`` or the CLI's ``http.send(call)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from cnslkit.api import wire
from cnslkit.api.call import Call, decode_json, expect_list, expect_object, meta_query, params
from cnslkit.api.models import CatalogNode, CatalogService, Node

__all__ = ["datacenters", "node", "nodes", "service", "services"]


def _names(status: int, body: bytes) -> list[str]:
    return [str(dc) for dc in expect_list(status, body)]


def _nodes(status: int, body: bytes) -> list[Node]:
    return [Node.from_json(item) for item in expect_list(status, body)]


def _instances(status: int, body: bytes) -> list[CatalogService]:
    return [CatalogService.from_json(item) for item in expect_list(status, body)]


def _services(status: int, body: bytes) -> dict[str, list[str]]:
    return {str(k): [str(t) for t in v or ()] for k, v in expect_object(status, body).items()}


def _node(status: int, body: bytes) -> CatalogNode | None:
    obj = decode_json(status, body)
    return CatalogNode.from_json(obj) if isinstance(obj, dict) else None


def datacenters() -> Call[list[str]]:
    """Known datacenters, nearest first."""
    return Call("GET", "/v1/catalog/datacenters", _names)


def nodes(
    *, near: str = "", node_meta: Sequence[tuple[str, str]] = (), filter: str = ""
) -> Call[list[Node]]:
    """Every node, by name (or by round-trip time from ``near``)."""
    query = params(("near", near), ("filter", filter)) + meta_query(node_meta)
    return Call("GET", "/v1/catalog/nodes", _nodes, query)


def services(
    *, node_meta: Sequence[tuple[str, str]] = (), filter: str = ""
) -> Call[dict[str, list[str]]]:
    """Service name -> the union of its instances' tags."""
    query = params(("filter", filter)) + meta_query(node_meta)
    return Call("GET", "/v1/catalog/services", _services, query)


def service(
    name: str,
    *,
    tags: Sequence[str] = (),
    near: str = "",
    node_meta: Sequence[tuple[str, str]] = (),
    filter: str = "",
) -> Call[list[CatalogService]]:
    """The instances of one service (each must carry every tag in ``tags``)."""
    query = (
        tuple(("tag", t) for t in tags)
        + params(("near", near), ("filter", filter))
        + meta_query(node_meta)
    )
    return Call("GET", "/v1/catalog/service/" + wire.quote_path(name), _instances, query)


def node(
    name: str, *, node_meta: Sequence[tuple[str, str]] = (), filter: str = ""
) -> Call[CatalogNode | None]:
    """One node and its services; None when the node is unknown (the agent answers ``null``)."""
    query = params(("filter", filter)) + meta_query(node_meta)
    return Call("GET", "/v1/catalog/node/" + wire.quote_path(name), _node, query)
