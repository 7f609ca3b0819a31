"""The DNS core's read-only view of the catalog and prepared queries.

``View`` is the seam: the answer builder sees only these methods, so its tests feed it plain
records. ``StoreView`` reads this agent's store directly (every read is a dict lookup on the
event loop, current as of the last applied command) and filters what the DNS token may see.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from agentd.endpoints import query as query_endpoint
from agentd.endpoints.catalog import Instance
from agentd.errors import AgentError, NotFound
from agentd.state.store import Store
from agentd.structs.catalog import Node, Service

__all__ = ["Instance", "QueryAnswer", "StoreView", "View", "ViewError"]


class ViewError(Exception):
    """The view could not answer (ACL refusal, RPC failure): the client gets SERVFAIL."""


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """A prepared query's execution, as DNS uses it."""

    service: str
    nodes: list[Instance]  # already filtered and ordered
    ttl: str  # the query's DNS TTL ("" = use service_ttl)


class View(Protocol):
    def node(self, name: str) -> Node | None: ...

    def nodes(self) -> list[Node]: ...

    def instances(self, service: str, connect: bool = False) -> list[Instance]:
        """Every instance of the service with its checks (health is filtered by the caller)."""
        ...

    def services(self) -> list[Service]: ...

    def query(self, id_or_name: str, source_ip: str) -> QueryAnswer | None: ...


class StoreView:
    def __init__(
        self,
        store: Store,
        agent_node: Callable[[], str],
        datacenter: Callable[[], str],
        identity: Callable[[], Any] | None = None,
    ) -> None:
        self._store = store
        self._agent_node = agent_node
        self._datacenter = datacenter
        self._identity = identity  # the DNS token's identity (None: everything is visible)
        self.rng = random.Random()

    def _allowed(self) -> Any:
        if self._identity is None:
            return None
        try:
            return self._identity()
        except AgentError as exc:
            raise ViewError(exc.message) from None

    def node(self, name: str) -> Node | None:
        found = self._store.catalog.nodes.get(name.lower())
        ident = self._allowed()
        if found is not None and ident is not None and not ident.allowed("node", "read", name):
            return None
        return found

    def nodes(self) -> list[Node]:
        ident = self._allowed()
        found = list(self._store.catalog.nodes.values())
        if ident is not None:
            found = [n for n in found if ident.allowed("node", "read", n.node)]
        return found

    def instances(self, service: str, connect: bool = False) -> list[Instance]:
        found = query_endpoint.candidates(self._store.catalog, service, connect)
        return self._visible(found)

    def services(self) -> list[Service]:
        ident = self._allowed()
        found = list(self._store.catalog.services.values())
        if ident is not None:
            found = [s for s in found if ident.allowed("service", "read", s.service)]
        return found

    def query(self, id_or_name: str, source_ip: str) -> QueryAnswer | None:
        ident = self._allowed()

        def visible(inst: Instance) -> bool:
            return ident is None or bool(
                ident.allowed("node", "read", inst.node.node)
                and ident.allowed("service", "read", inst.service.service)
            )

        try:
            result = query_endpoint.execute_now(
                self._store,
                id_or_name,
                agent_node=self._agent_node(),
                datacenter=self._datacenter(),
                source=query_endpoint.Source(ip=source_ip),
                visible=visible,
                rng=self.rng,
            )
        except NotFound:
            return None
        return QueryAnswer(result.query.service.service, result.nodes, result.query.dns_ttl)

    def _visible(self, found: list[Instance]) -> list[Instance]:
        ident = self._allowed()
        if ident is None:
            return found
        return [
            i
            for i in found
            if ident.allowed("node", "read", i.node.node)
            and ident.allowed("service", "read", i.service.service)
        ]
