"""rawhttp against real sockets: a threaded server on port 0 (TCP) or a Unix socket in tmp_path."""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cnslkit import rawhttp
from cnslkit.api.errors import ApiError, TransportError

Handler = Callable[[bytes], bytes]


class _Server:
    """Accepts connections, reads one request head (+ Content-Length body), sends canned bytes."""

    def __init__(self, respond: Handler, unix_path: str | None = None) -> None:
        self.requests: list[bytes] = []
        respond_ = respond
        requests = self.requests

        class H(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        need = int(line.split(b":")[1])
                        while len(body) < need:
                            body += self.request.recv(65536)
                requests.append(head + b"\r\n\r\n" + body)
                self.request.sendall(respond_(data))

        if unix_path is None:
            self.server: socketserver.BaseServer = socketserver.ThreadingTCPServer(
                ("127.0.0.1", 0), H
            )
        else:
            self.server = socketserver.ThreadingUnixStreamServer(unix_path, H)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])  # type: ignore[index]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., _Server]]:
    servers: list[_Server] = []

    def start(respond: Handler, unix_path: str | None = None) -> _Server:
        servers.append(_Server(respond, unix_path))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _fixed(raw: bytes) -> Handler:
    return lambda _req: raw


def test_content_length_body_and_case_insensitive_headers(serve: Callable[..., _Server]) -> None:
    srv = serve(_fixed(b"HTTP/1.1 200 OK\r\nX-Consul-Index: 7\r\nContent-Length: 5\r\n\r\nhello"))
    resp = rawhttp.request("GET", "/v1/kv/a?raw", port=srv.port, headers={"X-Consul-Token": "t"})
    assert (resp.status, resp.reason, resp.body) == (200, "OK", b"hello")
    assert resp.header("x-consul-index") == "7" == resp.header("X-CONSUL-INDEX")
    sent = srv.requests[0]
    assert sent.startswith(b"GET /v1/kv/a?raw HTTP/1.1\r\n")
    assert b"Connection: close\r\n" in sent and b"X-Consul-Token: t\r\n" in sent
    assert b"Content-Length" not in sent


def test_put_sends_body_with_length(serve: Callable[..., _Server]) -> None:
    srv = serve(_fixed(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntrue"))
    resp = rawhttp.request("PUT", "/v1/kv/k", port=srv.port, body=b"v\x00\xff")
    assert resp.body == b"true"
    assert srv.requests[0].endswith(b"Content-Length: 3\r\n\r\nv\x00\xff")
    rawhttp.request("PUT", "/v1/kv/k", port=srv.port)
    assert b"Content-Length: 0\r\n" in srv.requests[1]


def test_chunked_body_with_trailers(serve: Callable[..., _Server]) -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    assert rawhttp.request("GET", "/", port=serve(_fixed(raw)).port).body == b"hello world"


def test_body_until_eof_and_repeated_headers(serve: Callable[..., _Server]) -> None:
    raw = b"HTTP/1.0 404 Not Found\r\nVary: a\r\nvary: b\r\n\r\nno length here"
    resp = rawhttp.request("GET", "/", port=serve(_fixed(raw)).port)
    assert (resp.status, resp.body, resp.header("Vary")) == (404, b"no length here", "a, b")


def test_interim_100_and_head_and_204(serve: Callable[..., _Server]) -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    assert rawhttp.request("GET", "/", port=serve(_fixed(raw)).port).body == b"ok"
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
    assert rawhttp.request("HEAD", "/", port=serve(_fixed(head)).port).body == b""
    empty = b"HTTP/1.1 204 No Content\r\n\r\n"
    assert rawhttp.request("DELETE", "/", port=serve(_fixed(empty)).port).status == 204


def test_large_body(serve: Callable[..., _Server]) -> None:
    payload = os.urandom(300_000)
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload
    assert rawhttp.request("GET", "/", port=serve(_fixed(raw)).port).body == payload


def test_truncated_and_garbage_responses(serve: Callable[..., _Server]) -> None:
    short = serve(_fixed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
    with pytest.raises(TransportError, match="unexpected EOF"):
        rawhttp.request("GET", "/x", port=short.port)
    junk = serve(_fixed(b"SSH-2.0-OpenSSH\r\n\r\n"))
    with pytest.raises(TransportError, match="malformed HTTP response"):
        rawhttp.request("GET", "/x", port=junk.port)


def test_unix_socket(serve: Callable[..., _Server], tmp_path: Path) -> None:
    path = str(tmp_path / "agent.sock")
    srv = serve(_fixed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), unix_path=path)
    assert rawhttp.request("GET", "/v1/kv/a", unix_socket=path).body == b"hi"
    assert b"Host: localhost\r\n" in srv.requests[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_reads_like_go() -> None:
    port = _closed_port()
    with pytest.raises(ApiError) as info:
        rawhttp.request("GET", "/v1/kv/x", port=port)
    assert info.value.status == 0
    assert str(info.value) == (
        f'Get "http://127.0.0.1:{port}/v1/kv/x": dial tcp 127.0.0.1:{port}: connect: '
        "connection refused"
    )


def test_missing_unix_socket_and_unknown_host(tmp_path: Path) -> None:
    path = str(tmp_path / "none.sock")
    with pytest.raises(TransportError) as info:
        rawhttp.request("PUT", "/v1/kv/x", unix_socket=path)
    assert str(info.value).endswith(f"dial unix {path}: connect: no such file or directory")
    assert str(info.value).startswith('Put "http://localhost/v1/kv/x"')
    with pytest.raises(TransportError, match="no such host"):
        rawhttp.request("GET", "/", host="no-such-host.invalid", port=80)


def test_header_injection_refused() -> None:
    with pytest.raises(TransportError, match="invalid value for header"):
        rawhttp.request("GET", "/", port=_closed_port(), headers={"X": "a\r\nB: c"})


def test_import_is_light() -> None:
    code = (
        "import sys, cnslkit.rawhttp; "
        "bad = {'httpx', 'asyncio', 'email', 'http.client', 'urllib.request', 'ssl', 'socket', "
        "'json', 'typer', 'dataclasses', 'typing'} & set(sys.modules); print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
