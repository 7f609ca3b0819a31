"""``watch.raw(path?query@dc)``: one API endpoint's JSON exactly as Consul's watch plans see it.

Consul's ``consul watch`` handlers receive the API's own JSON (``Value`` base64, PascalCase
fields), not consul-template's records, so the watch plans of :mod:`cnslkit.watch.plans` use
this one generic dependency. The data is a :class:`Payload`, whose ``index`` is left out of
equality: the view suppresses an answer whose body did not change, yet handlers still learn the
index of the change (``CONSUL_INDEX``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from cnslkit.api import wire
from cnslkit.api.errors import ApiError
from cnslkit.watch.dependency import Dependency, Fetched, QueryOptions, fetched, request

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["Payload", "RawQuery", "token_tag"]


def token_tag(token: str) -> str:
    """Tells queries with different tokens apart without ever showing a token."""
    if not token:
        return ""
    import hashlib

    return "#token-" + hashlib.sha256(token.encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Payload:
    """A watch result: the decoded JSON body and the index it was read at (not compared)."""

    body: Any
    index: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class RawQuery(Dependency):
    """A blocking GET of ``path``; ``missing`` is the body of a 404, ``single`` keeps item 0."""

    path: str
    params: tuple[tuple[str, str | None], ...] = ()
    dc: str = ""
    missing: Any = None
    single: bool = False
    token: str = field(default="", repr=False)  # a watch's own token (never shown: see key)

    kind: ClassVar[str] = "watch.raw"

    @property
    def key(self) -> str:
        query = wire.encode_query(self.params)
        tail = ("?" + query if query else "") + (f"@{self.dc}" if self.dc else "")
        return f"{self.kind}({self.path}{tail}){token_tag(self.token)}"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        reply = await request(
            client,
            self.path,
            opts,
            params=self.params,
            dc=self.dc,
            expect=(200, 404),
            token=self.token,
        )
        if reply.status == 404:
            return fetched(Payload(self.missing, reply.meta.index), reply)
        try:
            body = json.loads(reply.body) if reply.body else None
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        if self.single:
            body = body[0] if isinstance(body, list) and body else None
        return fetched(Payload(body, reply.meta.index), reply)
