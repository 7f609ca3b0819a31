"""HTTP flags -> ClientConfig, and what Http puts on the wire (plain, Unix socket, TLS)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.goflags import parse
from cli.httpflags import HTTP_FLAGS, Http, config_from
from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import TransportError
from tests.cnslkit.api.tlsserver import SERVER_NAME, HttpsServer, make_certs


class Recorder:
    """A plain HTTP responder recording request heads."""

    def __init__(self) -> None:
        heads: list[str] = []
        self.heads = heads

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += self.request.recv(65536)
                heads.append(data.decode())
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntrue")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.addr = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    r = Recorder()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_flags_override_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSUL_HTTP_ADDR", "env:1")
    monkeypatch.setenv("CONSUL_HTTP_TOKEN", "env-token")
    assert config_from(parse([], HTTP_FLAGS)).host == "env"
    cfg = config_from(
        parse(["-http-addr=flag:2", "-token", "t", "-stale", "-datacenter=dc9"], HTTP_FLAGS)
    )
    assert (cfg.host, cfg.port, cfg.token, cfg.stale, cfg.datacenter) == (
        "flag",
        2,
        "t",
        True,
        "dc9",
    )


def test_token_dc_stale_and_auth_on_the_wire(recorder: Recorder) -> None:
    cfg = ClientConfig(
        f"http://{recorder.addr}/prefix",
        token="secret",
        datacenter="dc2",
        stale=True,
        http_auth=("u", "p"),
    )
    http = Http(cfg)
    assert http.call("GET", "/v1/kv/a", (("raw", None),)).body == b"true"
    http.call("PUT", "/v1/kv/a", (), b"v")
    get, put = recorder.heads
    assert get.startswith("GET /prefix/v1/kv/a?raw&dc=dc2&stale HTTP/1.1\r\n")
    assert "X-Consul-Token: secret\r\n" in get and "Authorization: Basic dTpw\r\n" in get
    assert put.startswith("PUT /prefix/v1/kv/a?dc=dc2 HTTP/1.1\r\n")


def test_https_ca_server_name_and_verify_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certs = make_certs(tmp_path)
    server = HttpsServer(certs)
    try:
        addr = f"https://127.0.0.1:{server.port}"
        trusted = ClientConfig(addr, ca_file=str(certs.ca), tls_server_name=SERVER_NAME)
        assert Http(trusted).call("GET", "/v1/status/leader").body == b"ok"
        with pytest.raises(TransportError, match="certificate verify failed"):
            Http(ClientConfig(addr)).call("GET", "/v1/status/leader")
        monkeypatch.setenv("CONSUL_HTTP_SSL_VERIFY", "false")
        insecure = config_from(parse([f"-http-addr={addr}"], HTTP_FLAGS))
        assert Http(insecure).call("GET", "/").body == b"ok"
        monkeypatch.setenv("CONSUL_HTTP_SSL", "true")
        monkeypatch.setenv("CONSUL_CACERT", str(certs.ca))
        monkeypatch.delenv("CONSUL_HTTP_SSL_VERIFY")
        by_env = config_from(parse([f"-http-addr=127.0.0.1:{server.port}"], HTTP_FLAGS))
        assert by_env.scheme == "https" and Http(by_env).call("GET", "/").body == b"ok"
    finally:
        server.close()
