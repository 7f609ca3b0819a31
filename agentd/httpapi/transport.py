"""HTTP/1.1 over asyncio on httptools: the only module that touches sockets for the API.

One protocol instance per connection. Requests on a connection are answered in order (pipelining
is queued); a request's handler task is cancelled when its client goes away, so an abandoned
blocking query costs nothing. Connections per client IP are capped, as Consul's
``http_max_conns_per_client`` does, by answering 429 and closing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import cast

import httptools

from agentd.httpapi.request import Request, Response

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]

_REASONS = {s.value: s.phrase for s in HTTPStatus}
_TOO_MANY = (
    b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Connection: close\r\nContent-Length: 82\r\n\r\n"
    b"Your IP is issuing too many concurrent connections, please rate limit your calls\n\n"
)
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Clock:
    """The Date header, formatted at most once a second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._value = formatdate(now, usegmt=True).encode()
        return self._value


class ConnLimiter:
    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self.counts: dict[str, int] = {}

    def acquire(self, ip: str) -> bool:
        if not ip or self.per_client <= 0:
            return True
        n = self.counts.get(ip, 0)
        if n >= self.per_client:
            return False
        self.counts[ip] = n + 1
        return True

    def release(self, ip: str) -> None:
        if not ip or self.per_client <= 0:
            return
        n = self.counts.get(ip, 0) - 1
        if n <= 0:
            self.counts.pop(ip, None)
        else:
            self.counts[ip] = n


class HttpProtocol(asyncio.Protocol):
    def __init__(
        self,
        handler: Handler,
        limiter: ConnLimiter,
        clock: _Clock,
        max_body: int,
        conns: set[HttpProtocol],
    ) -> None:
        self._handler = handler
        self._conns = conns
        self._limiter = limiter
        self._clock = clock
        self._max_body = max_body
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._ip = ""
        self._limited = False
        self._queue: deque[tuple[Request, bool]] | None = None  # made when pipelining happens
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # per-message parse state
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._body_len = 0
        self._oversized = False
        self._last_header = ""

    # ---- connection ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self._loop = asyncio.get_running_loop()  # once: 3.11 checks the pid on every call
        self._conns.add(self)
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self._ip = str(peer[0])
        if not self._limiter.acquire(self._ip):
            self._transport.write(_TOO_MANY)
            self._transport.close()
            self._closing = True
            return
        self._limited = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        self._conns.discard(self)
        if self._limited:
            self._limiter.release(self._ip)
            self._limited = False
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._queue = None

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(400, "Upgrade not supported")
        except httptools.HttpParserError as exc:
            self._fail(400, f"Bad request: {exc}")

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _fail(self, status: int, message: str) -> None:
        if self._transport is not None and not self._closing:
            body = message.encode()
            head = (
                f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nContent-Type: text/plain; "
                f"charset=utf-8\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            self._transport.write(head.encode() + body)
            self._transport.close()
        self._closing = True

    # ---- httptools callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = {}
        self._body = []
        self._body_len = 0
        self._oversized = False

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        val = value.decode("latin-1")
        prev = self._headers.get(key)
        self._headers[key] = val if prev is None else f"{prev}, {val}"

    def on_headers_complete(self) -> None:
        length = self._headers.get("content-length", "")
        if length.isdigit() and int(length) > self._max_body:
            self._oversized = True
        elif self._headers.get("expect", "").lower() == "100-continue" and self._transport:
            self._transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._oversized:
            return
        self._body_len += len(body)
        if self._body_len > self._max_body:
            self._oversized = True
            self._body = []
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        url = httptools.parse_url(self._url)
        path = url.path.decode("utf-8", "surrogateescape") if url.path else "/"
        query = url.query.decode("latin-1") if url.query else ""
        keep_alive = self._parser.should_keep_alive() and not self._oversized
        length = self._headers.get("content-length", "")
        req = Request(
            self._parser.get_method().decode("ascii"),
            _unquote(path),
            query,
            self._headers,
            b"".join(self._body),
            self._ip,
            int(length)
            if self._oversized and length.isdigit()
            else (self._body_len if self._oversized else None),
            self._oversized,
        )
        if self._task is None or self._task.done():
            assert self._loop is not None
            self._task = self._loop.create_task(self._serve(req, keep_alive))
        else:
            if self._queue is None:
                self._queue = deque()
            self._queue.append((req, keep_alive))

    # ---- serving ------------------------------------------------------------------------------

    async def _serve(self, req: Request, keep_alive: bool) -> None:
        while not self._closing:
            try:
                resp = await self._handler(req)
            except asyncio.CancelledError:
                raise
            except Exception:  # the app maps errors; this is the last line of defence
                log.exception("http: unhandled error serving %s %s", req.method, req.path)
                resp = Response.text(500, "Internal error")
            if resp.stream is not None:
                await self._write_stream(resp)
                keep_alive = False
            else:
                self._write(resp, keep_alive and not resp.close)
            if not keep_alive or resp.close:
                self._closing = True
                if self._transport is not None:
                    self._transport.close()
                return
            if not self._queue:
                return
            req, keep_alive = self._queue.popleft()

    def _write(self, resp: Response, keep_alive: bool) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        lines = [
            f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, '')}".encode(),
            b"Date: " + self._clock.date(),
        ]
        if resp.content_type:
            lines.append(b"Content-Type: " + resp.content_type.encode())
        for name, value in resp.headers:
            lines.append(f"{name}: {value}".encode("latin-1", "replace"))
        lines.append(b"Content-Length: " + str(len(resp.body)).encode())
        if not keep_alive:
            lines.append(b"Connection: close")
        lines.append(b"\r\n")
        self._transport.write(b"\r\n".join(lines) + resp.body)

    async def _write_stream(self, resp: Response) -> None:
        """Chunked transfer of ``resp.stream``; the connection closes after it. A client that
        leaves cancels this task (``connection_lost``), which closes the stream."""
        assert resp.stream is not None
        if self._transport is None or self._transport.is_closing():
            return
        lines = [
            f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, '')}".encode(),
            b"Date: " + self._clock.date(),
        ]
        if resp.content_type:
            lines.append(b"Content-Type: " + resp.content_type.encode())
        for name, value in resp.headers:
            lines.append(f"{name}: {value}".encode("latin-1", "replace"))
        lines += [b"Transfer-Encoding: chunked", b"Connection: close", b"\r\n"]
        self._transport.write(b"\r\n".join(lines))
        try:
            async for chunk in resp.stream:
                if self._transport.is_closing():
                    break
                if chunk:
                    self._transport.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        finally:
            aclose = getattr(resp.stream, "aclose", None)
            if aclose is not None:
                await aclose()
        if not self._transport.is_closing():
            self._transport.write(b"0\r\n\r\n")


def _unquote(path: str) -> str:
    if "%" not in path:
        return path
    from urllib.parse import unquote

    return unquote(path, errors="surrogateescape")


class HttpServer:
    """Serves one handler on any number of TCP and Unix listeners."""

    def __init__(self, handler: Handler, *, max_conns_per_client: int, max_body: int) -> None:
        self._handler = handler
        self._limiter = ConnLimiter(max_conns_per_client)
        self._clock = _Clock()
        self._max_body = max_body
        self.servers: list[asyncio.Server] = []
        self.conns: set[HttpProtocol] = set()

    def _factory(self) -> HttpProtocol:
        return HttpProtocol(self._handler, self._limiter, self._clock, self._max_body, self.conns)

    async def listen_tcp(self, host: str, port: int) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            self._factory, host, port, backlog=4096, reuse_address=True
        )
        self.servers.append(server)
        sock = server.sockets[0].getsockname()
        return str(sock[0]), int(sock[1])

    async def listen_unix(self, path: str, mode: int | None = None) -> str:
        import os

        if os.path.exists(path):
            os.unlink(path)  # a stale socket from a previous run
        loop = asyncio.get_running_loop()
        server = await loop.create_unix_server(self._factory, path, backlog=4096)
        if mode is not None:
            os.chmod(path, mode)
        self.servers.append(server)
        return path

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for conn in list(self.conns):
            conn.abort()
        for server in self.servers:
            try:
                await asyncio.wait_for(server.wait_closed(), 1.0)
            except TimeoutError:
                pass
        self.servers.clear()
