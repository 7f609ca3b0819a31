"""Client: what it sends (through httpx's MockTransport seam) and how failures are translated."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from cnslkit.api.client import Client, QueryMeta, blocking_timeout
from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import ApiError, ResponseError, TransportError
from tests.cnslkit.api.tlsserver import SERVER_NAME, HttpsServer, make_certs


def _recording(
    status: int = 200, body: bytes = b"[]", headers: dict[str, str] | None = None
) -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body, headers=headers or {})

    return seen, httpx.MockTransport(handler)


async def test_token_dc_stale_and_blocking_parameters() -> None:
    seen, transport = _recording(
        headers={
            "X-Consul-Index": "42",
            "X-Consul-KnownLeader": "true",
            "X-Consul-LastContact": "5",
        }
    )
    cfg = ClientConfig("agent:8500", token="tok", datacenter="dc2", stale=True)
    async with Client(cfg, transport=transport) as client:
        reply = await client.request("GET", "/v1/kv/a", params=[("raw", None)], index=7, wait=2.5)
        await client.request("PUT", "/v1/kv/a", content=b"v")
    get, put = seen
    assert get.headers["X-Consul-Token"] == "tok"
    assert str(get.url) == "http://agent:8500/v1/kv/a?raw&dc=dc2&stale&index=7&wait=2500ms"
    assert get.extensions["timeout"]["read"] == pytest.approx(blocking_timeout(2.5))
    assert reply.meta == QueryMeta(index=42, known_leader=True, last_contact=0.005)
    assert str(put.url) == "http://agent:8500/v1/kv/a?dc=dc2"  # stale only on reads
    assert put.content == b"v"


async def test_basic_auth_and_path_prefix() -> None:
    seen, transport = _recording()
    cfg = ClientConfig("http://agent:8500/consul", http_auth=("u", "p"))
    async with Client(cfg, transport=transport) as client:
        await client.request("GET", "/v1/status/leader")
    assert seen[0].url.path == "/consul/v1/status/leader"
    assert seen[0].headers["Authorization"] == "Basic dTpw"


async def test_unexpected_status_is_response_error() -> None:
    _, transport = _recording(500, b"No path to datacenter")
    async with Client(ClientConfig(), transport=transport) as client:
        with pytest.raises(ResponseError) as info:
            await client.request("GET", "/v1/kv/a")
        reply = await client.request("GET", "/v1/kv/a", expect=(200, 500))
    assert str(info.value) == "Unexpected response code: 500 (No path to datacenter)"
    assert reply.status == 500


def test_blocking_timeout_covers_jitter() -> None:
    assert blocking_timeout(None) > 300 * 17 / 16
    assert blocking_timeout(10_000) == blocking_timeout(600)
    assert blocking_timeout(60) > 60 * 17 / 16


async def test_connection_refused_is_an_api_error_worded_like_go() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with Client(ClientConfig(f"127.0.0.1:{port}")) as client:
        with pytest.raises(TransportError) as info:
            await client.request("GET", "/v1/kv/x")
    assert isinstance(info.value, ApiError) and info.value.status == 0
    assert str(info.value) == (
        f'Get "http://127.0.0.1:{port}/v1/kv/x": dial tcp 127.0.0.1:{port}: connect: '
        "connection refused"
    )
    assert not isinstance(info.value, httpx.HTTPError)


async def test_missing_unix_socket(tmp_path: object) -> None:
    path = f"{tmp_path}/none.sock"
    async with Client(ClientConfig(f"unix://{path}")) as client:
        with pytest.raises(TransportError, match=f"dial unix {path}: connect: no such file"):
            await client.request("GET", "/v1/agent/self")


async def test_timeout_is_translated() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with Client(ClientConfig(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(TransportError, match="context deadline exceeded"):
            await client.request("GET", "/v1/kv/x")


def test_query_meta_defaults() -> None:
    assert QueryMeta.from_headers(httpx.Headers({"X-Consul-Index": "junk"})) == QueryMeta()
    assert json.dumps(0) == "0"


async def test_https_with_ca_server_name_and_client_cert(tmp_path: Path) -> None:
    certs = make_certs(tmp_path)
    server = HttpsServer(certs, require_client_cert=True)
    try:
        cfg = ClientConfig(
            f"https://127.0.0.1:{server.port}",
            ca_file=str(certs.ca),
            client_cert=str(certs.cert),
            client_key=str(certs.key),
            tls_server_name=SERVER_NAME,
        )
        async with Client(cfg) as client:
            assert (await client.request("GET", "/v1/status/leader")).body == b"ok"
        untrusted = ClientConfig(f"https://127.0.0.1:{server.port}")
        async with Client(untrusted) as client:
            with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.request("GET", "/v1/status/leader")
    finally:
        server.close()
