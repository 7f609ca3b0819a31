"""``nodes "@dc~near"``: every catalog node (``catalog.nodes(@dc~near)``).

Sorted by node name then ID, unless ``~near`` asks the agent to order them by round-trip time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

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
from cnslkit.watch.records import NodeEntry

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["CatalogNodes"]

_FORM = re.compile(r"(?:@(?P<dc>[\w.\-]+))?(?:~(?P<near>[\w.\-]+))?")


@dataclass(frozen=True, slots=True)
class CatalogNodes(Dependency):
    dc: str = ""
    near: str = ""

    kind: ClassVar[str] = "catalog.nodes"
    collection: ClassVar[bool] = True

    @classmethod
    def parse(cls, text: str = "") -> CatalogNodes:
        parts = match(_FORM, cls.kind, text)
        return cls(parts["dc"], parts["near"])

    @property
    def key(self) -> str:
        return f"{self.kind}({suffix(self.dc, self.near)})"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        params = (("near", self.near),) if self.near else ()
        reply = await request(client, "/v1/catalog/nodes", opts, params=params, dc=self.dc)
        try:
            items = json.loads(reply.body) or []
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        found = [NodeEntry.from_json(item) for item in items]
        if not self.near:
            found.sort(key=lambda n: (n.Node, n.ID))
        return fetched(found, reply)
