"""``services "@dc"``: every service name in the catalog with the union of its tags.

Written as ``catalog.services(@dc)``; the data is a list of
:class:`~cnslkit.watch.records.CatalogSnippet` sorted by name, tags sorted and unique.
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
from cnslkit.watch.records import CatalogSnippet

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["CatalogServices"]

_FORM = re.compile(r"(?:@(?P<dc>[\w.\-]+))?")


@dataclass(frozen=True, slots=True)
class CatalogServices(Dependency):
    dc: str = ""

    kind: ClassVar[str] = "catalog.services"
    collection: ClassVar[bool] = True

    @classmethod
    def parse(cls, text: str = "") -> CatalogServices:
        return cls(match(_FORM, cls.kind, text)["dc"])

    @property
    def key(self) -> str:
        return f"{self.kind}({suffix(self.dc)})"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        reply = await request(client, "/v1/catalog/services", opts, dc=self.dc)
        try:
            obj = json.loads(reply.body) or {}
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        snippets = [
            CatalogSnippet(str(name), tuple(sorted({str(t) for t in tags or ()})))
            for name, tags in sorted(obj.items())
        ]
        return fetched(snippets, reply)
