"""The async HTTP client every companion shares: httpx underneath, Consul's conventions on top.

One :class:`Client` per agent address. It adds the token header, ``?dc`` and ``?stale``, turns
``index``/``wait`` into a blocking query with a read timeout long enough for the server's jitter,
reads the ``X-Consul-*`` headers into :class:`QueryMeta`, and translates every httpx failure into
:mod:`cnslkit.api.errors` so no httpx type reaches a caller. Noun modules build paths and decode
bodies as :class:`~cnslkit.api.call.Call` records (:meth:`Client.send`, :meth:`Client.query`) or
call :meth:`Client.request` (``kv.py``); they never touch httpx.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import httpx

from cnslkit.api import wire
from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import ResponseError, TransportError

if TYPE_CHECKING:
    from cnslkit.api.call import Call

T = TypeVar("T")

__all__ = ["Client", "QueryMeta", "Reply"]

# The agent caps a blocking query at 600 s and adds up to wait/16 of jitter; when no wait is
# given it uses its default of 300 s.
_DEFAULT_WAIT = 300.0
_MAX_WAIT = 600.0
_SLACK = 10.0


@dataclass(frozen=True, slots=True)
class QueryMeta:
    """What a read says about itself: the index to block on next, and how fresh the server was."""

    index: int = 0
    known_leader: bool = False
    last_contact: float = 0.0  # seconds since the serving server heard from the leader

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> QueryMeta:
        def number(name: str) -> int:
            text = headers.get(name, "")
            return int(text) if text.isdigit() else 0

        return cls(
            index=number("X-Consul-Index"),
            known_leader=headers.get("X-Consul-KnownLeader", "") == "true",
            last_contact=number("X-Consul-LastContact") / 1000.0,
        )


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    meta: QueryMeta = field(default_factory=QueryMeta)


def blocking_timeout(wait: float | None) -> float:
    """Client-side read timeout for a blocking query that may be held for ``wait`` seconds."""
    held = min(wait, _MAX_WAIT) if wait and wait > 0 else _DEFAULT_WAIT
    return held + held / 16 + _SLACK


class Client:
    """Async client for one agent. Use ``async with Client(config) as client:`` or call aclose()."""

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_connections: int | None = None,
    ) -> None:
        self.config = config if config is not None else ClientConfig.from_env()
        cfg = self.config
        if transport is None:
            limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=20)
            if cfg.unix_socket is not None:
                transport = httpx.AsyncHTTPTransport(uds=cfg.unix_socket, limits=limits)
            elif cfg.scheme == "https":
                transport = httpx.AsyncHTTPTransport(verify=cfg.ssl_context(), limits=limits)
            else:
                transport = httpx.AsyncHTTPTransport(limits=limits)
        headers = {"User-Agent": "cnslkit"}
        if cfg.token:
            headers["X-Consul-Token"] = cfg.token
        self._extensions = {"sni_hostname": cfg.tls_server_name} if cfg.tls_server_name else {}
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            transport=transport,
            headers=headers,
            auth=httpx.BasicAuth(*cfg.http_auth) if cfg.http_auth else None,
            timeout=timeout,
            trust_env=False,
        )

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def url(self, path: str, params: Sequence[tuple[str, str | None]] = ()) -> str:
        """Absolute URL for an API path (already escaped) and query parameters."""
        query = wire.encode_query(params)
        return self.config.base_url + path + ("?" + query if query else "")

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str | None]] = (),
        content: bytes | None = None,
        index: int = 0,
        wait: float | None = None,
        dc: str | None = None,
        stale: bool | None = None,
        expect: Sequence[int] = (200,),
        token: str | None = None,
    ) -> Reply:
        """Send one request; a status outside ``expect`` raises ResponseError.

        ``index`` > 0 makes a read a blocking query (``wait`` seconds at most, server default
        otherwise); ``dc``/``stale`` default to the config's; ``token`` replaces the config's
        token for this request only.
        """
        query = list(params)
        datacenter = dc if dc is not None else self.config.datacenter
        if datacenter:
            query.append(("dc", datacenter))
        if method == "GET" and (self.config.stale if stale is None else stale):
            query.append(("stale", None))
        timeout: float = self._timeout
        if index > 0:
            query.append(("index", str(index)))
            if wait is not None and wait > 0:
                query.append(("wait", f"{int(wait * 1000)}ms"))
            timeout = blocking_timeout(wait)
        url = self.url(path, query)
        try:
            resp = await self._http.request(
                method,
                url,
                content=content,
                timeout=timeout,
                extensions=self._extensions,
                headers={"X-Consul-Token": token} if token else None,
            )
        except httpx.HTTPError as exc:
            raise TransportError(self._describe(method, url, exc)) from exc
        if resp.status_code not in expect:
            raise ResponseError(resp.status_code, resp.content)
        return Reply(resp.status_code, resp.content, QueryMeta.from_headers(resp.headers))

    async def send(self, call: Call[T]) -> T:
        """Send one :class:`~cnslkit.api.call.Call` and decode its answer."""
        return (await self.query(call))[0]

    async def query(
        self,
        call: Call[T],
        *,
        index: int = 0,
        wait: float | None = None,
        stale: bool | None = None,
    ) -> tuple[T, QueryMeta]:
        """Send a read, blocking when ``index`` > 0; its answer and the index to block on next."""
        reply = await self.request(
            call.method,
            call.path,
            params=call.params,
            content=call.body,
            index=index,
            wait=wait,
            stale=stale,
            expect=call.expect,
        )
        return call.finish(reply.status, reply.body), reply.meta

    def _describe(self, method: str, url: str, exc: httpx.HTTPError) -> str:
        cfg = self.config
        if cfg.unix_socket is not None:
            network, address = "unix", cfg.unix_socket
        else:
            network, address = "tcp", f"{cfg.host}:{cfg.port}"
        cause = _os_error(exc)
        if cause is not None and type(cause).__module__ == "ssl":
            return f'{wire.go_op(method)} "{url}": {wire.os_error_text(cause)}'
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) and cause is not None:
            return wire.dial_error(method, url, network, address, cause)
        if isinstance(exc, httpx.TimeoutException):
            return f'{wire.go_op(method)} "{url}": context deadline exceeded'
        if cause is not None:
            return f'{wire.go_op(method)} "{url}": {wire.os_error_text(cause)}'
        return f'{wire.go_op(method)} "{url}": {exc or type(exc).__name__}'


def _os_error(exc: BaseException) -> OSError | None:
    """The first OSError with an errno in an exception's cause/context chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and (current.errno or isinstance(current, TimeoutError)):
            return current
        current = current.__cause__ or current.__context__
    return None
