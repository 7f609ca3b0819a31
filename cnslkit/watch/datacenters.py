"""``datacenters``: the known datacenters (``catalog.datacenters``).

Consul has no blocking query for this list, so the fetch polls: the first call answers at once,
later ones sleep for the wait time first. Each answer gets the next index, so the view's
equal-data rule is what keeps an unchanged list from reaching consumers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from cnslkit.api import catalog
from cnslkit.watch.dependency import Dependency, Fetched, QueryOptions
from cnslkit.watch.errors import DependencyParseError

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["CatalogDatacenters"]


@dataclass(frozen=True, slots=True)
class CatalogDatacenters(Dependency):
    kind: ClassVar[str] = "catalog.datacenters"
    collection: ClassVar[bool] = True

    @classmethod
    def parse(cls, text: str = "") -> CatalogDatacenters:
        if text.strip():
            raise DependencyParseError(cls.kind, text, "takes no argument")
        return cls()

    @property
    def key(self) -> str:
        return f"{self.kind}()"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        if opts.index > 0:
            await asyncio.sleep(opts.wait)
        names = await client.send(catalog.datacenters())
        return Fetched(sorted(names), opts.index + 1)
