"""``keys``: the key names under a prefix, folded at ``/`` (``kv.keys(prefix@dc)``).

Cheaper than ``kv.list`` when only the names matter: the agent sends no values. The names are
relative to the prefix; a folded sub-folder keeps its trailing ``/``.
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

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["KVKeys"]


@dataclass(frozen=True, slots=True)
class KVKeys(PrefixDependency):
    prefix: str
    dc: str = ""

    kind: ClassVar[str] = "kv.keys"
    collection: ClassVar[bool] = True

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        reply = await request(
            client,
            kv_path(self.prefix),
            opts,
            params=(("keys", None), ("separator", "/")),
            dc=self.dc,
            expect=(200, 404),
        )
        if reply.status == 404:
            return fetched([], reply)
        try:
            names = json.loads(reply.body) or []
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        base = self.prefix
        out = sorted(str(n)[len(base) :].lstrip("/") if base else str(n) for n in names)
        return fetched([n for n in out if n], reply)
