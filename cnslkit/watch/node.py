"""``node "name@dc"``: one catalog node and its services (``catalog.node(name@dc)``).

With no name it is the local agent's node, asked of ``/v1/agent/self`` on every fetch (the agent
may be renamed by a restart). The data is :class:`~cnslkit.watch.records.CatalogNode`, or None
when the node is not registered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from cnslkit.api import agent, wire
from cnslkit.api.errors import ApiError
from cnslkit.watch.dependency import (
    Dependency,
    Fetched,
    QueryOptions,
    fetched,
    match,
    request,
    suffix,
)
from cnslkit.watch.records import CatalogNode

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["CatalogNodeQuery"]

_FORM = re.compile(r"(?P<name>[\w.\-]+)?(?:@(?P<dc>[\w.\-]+))?")


@dataclass(frozen=True, slots=True)
class CatalogNodeQuery(Dependency):
    name: str = ""
    dc: str = ""

    kind: ClassVar[str] = "catalog.node"

    @classmethod
    def parse(cls, text: str = "") -> CatalogNodeQuery:
        parts = match(_FORM, cls.kind, text)
        return cls(parts["name"], parts["dc"])

    @property
    def key(self) -> str:
        return f"{self.kind}({self.name}{suffix(self.dc)})"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        name = self.name or await client.send(agent.node_name())
        path = "/v1/catalog/node/" + wire.quote_path(name)
        reply = await request(client, path, opts, dc=self.dc)
        try:
            obj = json.loads(reply.body)
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        return fetched(CatalogNode.from_json(obj) if isinstance(obj, dict) else None, reply)
