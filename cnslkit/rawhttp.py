"""A tiny synchronous HTTP/1.1 client for the CLI's hot path (``cnsl kv get/put/delete``).

Why not httpx or http.client: a shell loop runs ``cnsl kv get`` hundreds of times, and importing
httpx (~60 ms), asyncio (~50 ms) or even ``socket`` + ``http.client`` + ``email`` costs more than
the request. This module imports only ``_socket`` (the C module; ``socket`` drags in ``enum``) and
loads ``socket`` + ``ssl`` only for HTTPS. One request per connection with ``Connection: close``;
the body is framed by Content-Length, chunked encoding, or EOF. Header names are lower-cased.

Failures raise :class:`~cnslkit.api.errors.TransportError` with Go's ``*url.Error`` wording.
"""

from __future__ import annotations

import _socket

from cnslkit.api import wire
from cnslkit.api.errors import TransportError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Mapping

__all__ = ["Response", "request"]

_MAX_HEAD = 1 << 20
_RECV = 65536


class Response:
    """Status, lower-cased headers (repeats joined with ", ") and the whole body."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def __repr__(self) -> str:
        return f"<Response {self.status} {len(self.body)} bytes>"


class _Reader:
    """Buffered reads from a socket; ``fail`` formats errors with the request's URL."""

    def __init__(self, sock: _socket.socket, fail: str) -> None:
        self._sock = sock
        self._buf = bytearray()
        self._eof = False
        self._fail = fail

    def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._sock.recv(_RECV)
        except OSError as exc:
            raise TransportError(f"{self._fail}: {wire.os_error_text(exc)}") from exc
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def until(self, marker: bytes, limit: int = _MAX_HEAD) -> bytes:
        """Bytes up to and excluding ``marker`` (which is consumed)."""
        start = 0
        while True:
            at = self._buf.find(marker, start)
            if at >= 0:
                data = bytes(self._buf[:at])
                del self._buf[: at + len(marker)]
                return data
            if len(self._buf) > limit:
                raise TransportError(f"{self._fail}: response header too large")
            start = max(0, len(self._buf) - len(marker) + 1)
            if not self._fill():
                raise TransportError(f"{self._fail}: unexpected EOF")

    def exactly(self, n: int) -> bytes:
        while len(self._buf) < n:
            if not self._fill():
                raise TransportError(f"{self._fail}: unexpected EOF")
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def rest(self) -> bytes:
        while self._fill():
            pass
        data = bytes(self._buf)
        self._buf.clear()
        return data


def _parse_head(head: bytes, fail: str) -> tuple[int, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise TransportError(f"{fail}: malformed HTTP response {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = name.strip().lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def _read_chunked(reader: _Reader, fail: str) -> bytes:
    body = bytearray()
    while True:
        line = reader.until(b"\r\n")
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise TransportError(f"{fail}: malformed chunked encoding") from None
        if size == 0:
            while reader.until(b"\r\n"):  # trailers, up to the empty line
                pass
            return bytes(body)
        body += reader.exactly(size)
        reader.until(b"\r\n")


def _read_response(reader: _Reader, method: str, fail: str) -> Response:
    while True:
        status, reason, headers = _parse_head(reader.until(b"\r\n\r\n"), fail)
        if not 100 <= status < 200 or status == 101:
            break  # interim 1xx responses (100 Continue) are skipped
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = _read_chunked(reader, fail)
    elif "content-length" in headers:
        length = headers["content-length"]
        if not length.isdigit():
            raise TransportError(f"{fail}: bad Content-Length {length!r}")
        body = reader.exactly(int(length))
    else:
        body = reader.rest()
    return Response(status, reason, headers, body)


def _connect_tcp(host: str, port: int, timeout: float | None, fail: str) -> _socket.socket:
    # An ASCII host goes as bytes: a str is run through the "idna" codec (~4 ms to import).
    name: str | bytes = host.encode("ascii") if host.isascii() else host
    try:
        infos = _socket.getaddrinfo(name, port, 0, _socket.SOCK_STREAM)
    except OSError as exc:
        raise TransportError(f"{fail}: dial tcp: lookup {host}: no such host") from exc
    error: OSError | None = None
    for family, kind, proto, _, addr in infos:
        sock = _socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(addr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    assert error is not None
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    raise TransportError(f"{fail}: dial tcp {shown}: {_connect_text(error)}") from error


def _connect_text(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return "i/o timeout"
    return "connect: " + wire.os_error_text(exc)


def _connect(
    host: str,
    port: int,
    unix_socket: str | None,
    tls: ssl.SSLContext | None,
    server_hostname: str | None,
    timeout: float | None,
    fail: str,
) -> _socket.socket:
    if unix_socket is not None:
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(unix_socket)
        except OSError as exc:
            sock.close()
            raise TransportError(f"{fail}: dial unix {unix_socket}: {_connect_text(exc)}") from exc
    else:
        sock = _connect_tcp(host, port, timeout, fail)
    if tls is None:
        return sock
    import socket  # ssl wants a socket.socket; only HTTPS pays for these imports

    plain = socket.socket(fileno=sock.detach())
    plain.settimeout(timeout)
    try:
        return tls.wrap_socket(plain, server_hostname=server_hostname or host or "localhost")
    except OSError as exc:  # ssl.SSLError, certificate errors, resets during the handshake
        plain.close()
        raise TransportError(f"{fail}: {wire.os_error_text(exc)}") from exc


def request(
    method: str,
    target: str,
    *,
    host: str = "127.0.0.1",
    port: int = 80,
    unix_socket: str | None = None,
    tls: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float | None = 60.0,
) -> Response:
    """Send ``method target`` (path + query, already escaped) and return the whole response.

    ``unix_socket`` replaces host/port; ``tls`` (an SSLContext) makes it HTTPS. A body is sent
    with Content-Length; PUT/POST without one send ``Content-Length: 0``.
    """
    scheme = "https" if tls is not None else "http"
    if unix_socket is not None:
        authority = "localhost"
    else:
        authority = f"[{host}]" if ":" in host else host
        if port != (443 if tls is not None else 80):
            authority += f":{port}"
    fail = f'{wire.go_op(method)} "{scheme}://{authority}{target}"'
    lines = [f"{method} {target} HTTP/1.1", f"Host: {authority}", "Connection: close"]
    for name, value in (headers or {}).items():
        if "\r" in value or "\n" in value:
            raise TransportError(f"{fail}: invalid value for header {name}")
        lines.append(f"{name}: {value}")
    if body is not None or method in ("PUT", "POST", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
    sock = _connect(host, port, unix_socket, tls, server_hostname, timeout, fail)
    try:
        try:
            sock.sendall(payload)
        except OSError as exc:
            raise TransportError(f"{fail}: {wire.os_error_text(exc)}") from exc
        return _read_response(_Reader(sock, fail), method, fail)
    finally:
        sock.close()
