"""The request and response records handlers see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs


class Identity(Protocol):
    """Who a request acts as (the resolved ACL token) and what it may do."""

    accessor_id: str
    anonymous: bool

    def allowed(self, resource: str, level: str, name: str = "") -> bool: ...

    def denied_message(self, resource: str, level: str, name: str = "") -> str: ...


class Request:
    __slots__ = (
        "_query",
        "body",
        "content_length",
        "filtered",
        "headers",
        "identity",
        "method",
        "path",
        "query_string",
        "remote",
        "route",
        "truncated",
        "use_cache",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        remote: str,
        content_length: int | None = None,
        truncated: bool = False,
    ) -> None:
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers  # lower-cased names
        self.body = body
        self.remote = remote
        self._query: dict[str, list[str]] | None = None
        # the size the client sent; a truncated request's body was dropped for being too large
        self.content_length = len(body) if content_length is None else content_length
        self.truncated = truncated
        self.identity: Identity | None = None  # set by the app once the token is resolved
        self.filtered = False  # set when ACLs hid part of a list
        self.use_cache = True  # ``?cached`` is honoured (``http_config.use_cache``)
        self.route: Any = None  # the matched route, set by the app (for its metrics label)

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            self._query = (
                parse_qs(self.query_string, keep_blank_values=True) if self.query_string else {}
            )
        return self._query

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def has(self, name: str) -> bool:
        return name in self.query


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False
    # A streamed body (``/v1/agent/monitor``): sent chunked until it ends or the client leaves.
    stream: AsyncIterator[bytes] | None = None
    # The value a JSON body encodes, when the handler has it: pretty printing starts from it
    # rather than parsing the body again.
    data: Any = None

    @classmethod
    def text(cls, status: int, message: str) -> Response:
        """Consul's plain-text error bodies (Go sniffs them as text/plain)."""
        return cls(status, message.encode(), "text/plain; charset=utf-8")
