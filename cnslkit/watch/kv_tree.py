"""``ls``, ``safeLs``, ``tree``, ``safeTree``: every key under a prefix (``kv.list(prefix@dc)``).

The data is every entry under the prefix (folder entries included), sorted by key, each
:class:`~cnslkit.watch.records.KeyPair` with ``Key`` relative to the prefix. ``ls`` and ``tree``
filter it client-side, so they share one recursive query per prefix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from cnslkit.api.errors import ApiError
from cnslkit.watch.dependency import (
    Fetched,
    PrefixDependency,
    QueryOptions,
    fetched,
    kv_path,
    request,
)
from cnslkit.watch.records import KeyPair

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["KVTree", "ls", "tree"]


@dataclass(frozen=True, slots=True)
class KVTree(PrefixDependency):
    prefix: str
    dc: str = ""

    kind: ClassVar[str] = "kv.list"
    collection: ClassVar[bool] = True

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        reply = await request(
            client,
            kv_path(self.prefix),
            opts,
            params=(("recurse", None),),
            dc=self.dc,
            expect=(200, 404),
        )
        if reply.status == 404:
            return fetched([], reply)
        try:
            items = json.loads(reply.body) or []
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        pairs = [KeyPair.from_json(item, self.prefix) for item in items]
        pairs.sort(key=lambda p: p.Path)
        return fetched(pairs, reply)


def ls(pairs: list[KeyPair]) -> list[KeyPair]:
    """The top level only: entries whose relative key has no ``/``."""
    return [p for p in pairs if p.Key and "/" not in p.Key]


def tree(pairs: list[KeyPair]) -> list[KeyPair]:
    """Everything but folder entries (keys ending in ``/``)."""
    return [p for p in pairs if p.Key and not p.Key.endswith("/")]
