"""``key``, ``keyExists``, ``keyOrDefault``: one KV key (``kv.get(path@dc)``).

The data is the :class:`~cnslkit.watch.records.KeyPair` or None when the key does not exist; a
missing key is an answer, not an error. The three template functions share this one dependency
(consul-template watches them separately), so they cost one query between them.
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
    kv_path,
    match,
    request,
    suffix,
)
from cnslkit.watch.records import KeyPair

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["KVGet"]

_FORM = re.compile(r"(?P<key>[^@]+)(?:@(?P<dc>.+))?")


@dataclass(frozen=True, slots=True)
class KVGet(Dependency):
    path: str
    dc: str = ""

    kind: ClassVar[str] = "kv.get"

    @classmethod
    def parse(cls, text: str) -> KVGet:
        """``"a/b"`` or ``"a/b@dc1"``; a leading ``/`` is dropped."""
        parts = match(_FORM, cls.kind, text)
        return cls(parts["key"].lstrip("/"), parts["dc"])

    @property
    def key(self) -> str:
        return f"{self.kind}({self.path}{suffix(self.dc)})"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        reply = await request(client, kv_path(self.path), opts, dc=self.dc, expect=(200, 404))
        if reply.status == 404:
            return fetched(None, reply)
        try:
            items = json.loads(reply.body)
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        pair = KeyPair.from_json(items[0]) if isinstance(items, list) and items else None
        return fetched(pair, reply)
