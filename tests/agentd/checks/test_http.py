"""HTTP probe against a raw asyncio HTTP/1.1 server on an ephemeral port."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agentd.checks import http
from agentd.checks.definition import from_json
from tests.agentd.checks import closed_port

ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/ok": (200, "OK", b"ok"),
    "/created": (201, "Created", b""),
    "/busy": (429, "Too Many Requests", b"slow down"),
    "/fail": (500, "Internal Server Error", b"boom"),
    "/big": (200, "OK", b"a" * 5000 + b"THE END"),
}


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        writer.close()
        return
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, path, _ = request_line.split(" ")
    headers: dict[str, list[str]] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    body = await reader.readexactly(int(headers.get("content-length", ["0"])[0]))
    extra = ""
    if path == "/slow":
        await reader.read()  # hold the request until the client gives up and disconnects
        writer.close()
        return
    if path == "/echo":
        echo = {"method": method, "headers": headers, "body": body.decode()}
        status, reason, payload = 200, "OK", json.dumps(echo).encode()
    elif path == "/redirect":
        status, reason, payload, extra = 302, "Found", b"", "Location: /ok\r\n"
    else:
        status, reason, payload = ROUTES.get(path, (404, "Not Found", b"no such path"))
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(payload)}\r\n"
        f"Connection: close\r\n{extra}\r\n".encode()
        + payload
    )
    await writer.drain()
    writer.close()


@pytest.fixture
async def base() -> AsyncIterator[str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


def check(url: str, **extra: Any) -> Any:
    return from_json({"HTTP": url, "Interval": "10s", **extra})


@pytest.mark.parametrize(
    ("path", "status", "tail"),
    [
        ("/ok", "passing", "200 OK Output: ok"),
        ("/created", "passing", "201 Created Output: "),
        ("/busy", "warning", "429 Too Many Requests Output: slow down"),
        ("/fail", "critical", "500 Internal Server Error Output: boom"),
        ("/missing", "critical", "404 Not Found Output: no such path"),
    ],
)
async def test_status_codes(base: str, path: str, status: str, tail: str) -> None:
    result = await http.probe(check(base + path))
    assert result == (status, f"HTTP GET {base}{path}: {tail}")


async def test_method_headers_and_body_are_sent(base: str) -> None:
    defn = check(base + "/echo", Method="PUT", Header={"X-A": ["1", "2"]}, Body="hello")
    result = await http.probe(defn)
    assert result.status == "passing"
    prefix = f"HTTP PUT {base}/echo: 200 OK Output: "
    assert result.output.startswith(prefix)
    echo = json.loads(result.output[len(prefix) :])
    assert echo["method"] == "PUT"
    assert echo["body"] == "hello"
    assert echo["headers"]["x-a"] == ["1", "2"]
    assert echo["headers"]["user-agent"] == ["Consul Health Check"]
    assert echo["headers"]["accept"] == ["text/plain, text/*, */*"]


async def test_user_agent_can_be_overridden(base: str) -> None:
    result = await http.probe(check(base + "/echo", Header={"User-Agent": "mine"}))
    assert '"user-agent": ["mine"]' in result.output


async def test_redirects_followed_unless_disabled(base: str) -> None:
    followed = await http.probe(check(base + "/redirect"))
    assert followed == ("passing", f"HTTP GET {base}/redirect: 200 OK Output: ok")
    kept = await http.probe(check(base + "/redirect", DisableRedirects=True))
    assert kept == ("critical", f"HTTP GET {base}/redirect: 302 Found Output: ")


async def test_body_keeps_only_the_last_output_max_size_bytes(base: str) -> None:
    result = await http.probe(check(base + "/big", OutputMaxSize=10))
    assert result == ("passing", f"HTTP GET {base}/big: 200 OK Output: aaaTHE END")


async def test_timeout_is_critical(base: str) -> None:
    started = time.monotonic()
    result = await http.probe(check(base + "/slow", Timeout="200ms"))
    assert time.monotonic() - started < 2
    assert result == (
        "critical",
        f'Get "{base}/slow": context deadline exceeded '
        "(Client.Timeout exceeded while awaiting headers)",
    )


async def test_connection_refused_is_critical() -> None:
    addr = f"127.0.0.1:{closed_port()}"
    result = await http.probe(check(f"http://{addr}/", Method="POST"))
    assert result == (
        "critical",
        f'Post "http://{addr}/": dial tcp {addr}: connect: connection refused',
    )


async def test_unsupported_scheme() -> None:
    result = await http.probe(check("ftp://127.0.0.1/"))
    assert result == ("critical", 'Get "ftp://127.0.0.1/": unsupported protocol scheme "ftp"')


async def test_shared_client_is_reusable(base: str) -> None:
    defn = check(base + "/ok")
    async with http.make_client(defn) as client:
        for _ in range(3):
            assert (await http.probe(defn, client)).status == "passing"


@pytest.fixture
async def tls_base(tmp_path: Path) -> AsyncIterator[tuple[str, list[str | None]]]:
    """An HTTPS server with a self-signed certificate for svc.test; yields the URL and the SNI
    names it was asked for."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=svc.test", "-addext", "subjectAltName=DNS:svc.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    names: list[str | None] = []

    def record(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        names.append(name)

    ctx.sni_callback = record
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    async with server:
        yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}", names


async def test_tls_verification_fails_for_untrusted_certificate(
    tls_base: tuple[str, list[str | None]],
) -> None:
    base, _ = tls_base
    result = await http.probe(check(base + "/ok"))
    assert result.status == "critical"
    assert "CERTIFICATE_VERIFY_FAILED" in result.output


async def test_tls_skip_verify_and_server_name(tls_base: tuple[str, list[str | None]]) -> None:
    base, names = tls_base
    defn = check(base + "/ok", TLSSkipVerify=True, TLSServerName="svc.test")
    assert await http.probe(defn) == ("passing", f"HTTP GET {base}/ok: 200 OK Output: ok")
    assert names == ["svc.test"]
