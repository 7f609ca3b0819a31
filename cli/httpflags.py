"""The HTTP flags every API command takes, and the synchronous agent caller built from them.

Flag names, meanings and environment variables are Consul's ``command/flags/http.go``; the
environment is read by :meth:`ClientConfig.from_env`, so an unset flag (None) falls back to it.
:class:`Http` sends one request per call through :mod:`cnslkit.rawhttp`: the CLI makes one or two
requests per run, so a connection pool or an event loop would only add start-up time.
:meth:`Http.send` is the synchronous driver for :class:`cnslkit.api.call.Call` records.
"""

from __future__ import annotations

import binascii

from cli.goflags import BOOL, Flag
from cnslkit import rawhttp
from cnslkit.api import wire
from cnslkit.api.config import ClientConfig

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Sequence
    from typing import TypeVar

    from cli.goflags import Parsed
    from cnslkit.api.call import Call

    T = TypeVar("T")

__all__ = ["CLIENT_FLAGS", "HTTP_FLAGS", "SERVER_FLAGS", "Http", "config_from"]

CLIENT_FLAGS: tuple[Flag, ...] = (
    Flag(
        "http-addr",
        help="The address and port of the Consul HTTP agent (host:port, http://, https:// or "
        "unix:///path). Also CONSUL_HTTP_ADDR. Default 127.0.0.1:8500; CONSUL_HTTP_SSL=true "
        "selects https.",
        metavar="ADDR",
    ),
    Flag("token", help="ACL token to use in the request. Also CONSUL_HTTP_TOKEN.", metavar="TOKEN"),
    Flag(
        "token-file",
        help="File containing the ACL token; wins over -token. Also CONSUL_HTTP_TOKEN_FILE.",
        metavar="PATH",
    ),
    Flag("ca-file", help="CA file to verify the agent's TLS certificate. Also CONSUL_CACERT."),
    Flag("ca-path", help="Directory of CA certificates. Also CONSUL_CAPATH."),
    Flag("client-cert", help="Client certificate for TLS. Also CONSUL_CLIENT_CERT."),
    Flag("client-key", help="Client key for TLS. Also CONSUL_CLIENT_KEY."),
    Flag(
        "tls-server-name",
        help="Server name for SNI and certificate checks. Also CONSUL_TLS_SERVER_NAME.",
    ),
)
# Consul's ServerFlags: only commands whose requests reach the servers take them.
SERVER_FLAGS: tuple[Flag, ...] = (
    Flag(
        "datacenter",
        help="Name of the datacenter to query; defaults to the agent's.",
        metavar="DC",
    ),
    Flag(
        "stale",
        BOOL,
        help="Allow any server, not only the leader, to answer reads (may be stale).",
    ),
)
HTTP_FLAGS: tuple[Flag, ...] = CLIENT_FLAGS + SERVER_FLAGS


def config_from(parsed: Parsed) -> ClientConfig:
    """The client config: given HTTP flags override ``CONSUL_*`` variables.

    A command declares CLIENT_FLAGS, or HTTP_FLAGS; flags it does not declare stay unset.
    """
    overrides: dict[str, str | bool | None] = {
        flag.ident: parsed.text(flag.name)
        for flag in HTTP_FLAGS
        if flag.kind != BOOL and flag.name in parsed.values
    }
    overrides["stale"] = ("stale" in parsed.values and parsed.on("stale")) or None
    return ClientConfig.from_env(overrides)


class Http:
    """Synchronous requests to the agent described by a :class:`ClientConfig`."""

    def __init__(self, config: ClientConfig, timeout: float | None = 60.0) -> None:
        self.config = config
        self.timeout = timeout
        self._headers = {"User-Agent": "cnsl"}
        if config.token:
            self._headers["X-Consul-Token"] = config.token
        if config.http_auth:
            pair = ":".join(config.http_auth).encode("utf-8")
            self._headers["Authorization"] = "Basic " + binascii.b2a_base64(
                pair, newline=False
            ).decode("ascii")
        self._tls: ssl.SSLContext | None = None

    def prepare(self) -> None:
        """Load TLS files now, so a bad CA or key is a ConfigError before any request."""
        if self.config.scheme == "https" and self._tls is None:
            self._tls = self.config.ssl_context()

    def call(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str | None]] = (),
        body: bytes | None = None,
    ) -> rawhttp.Response:
        """One request; ``path`` is already escaped. Adds ``dc``, ``stale`` (reads), the token."""
        cfg = self.config
        query = list(params)
        if cfg.datacenter:
            query.append(("dc", cfg.datacenter))
        if cfg.stale and method == "GET":
            query.append(("stale", None))
        qs = wire.encode_query(query)
        target = cfg.path_prefix + path + ("?" + qs if qs else "")
        if cfg.scheme == "https" and self._tls is None:
            self._tls = cfg.ssl_context()
        return rawhttp.request(
            method,
            target,
            host=cfg.host,
            port=cfg.port,
            unix_socket=cfg.unix_socket,
            tls=self._tls,
            server_hostname=cfg.tls_server_name,
            headers=self._headers,
            body=body,
            timeout=self.timeout,
        )

    def send(self, call: Call[T]) -> T:
        """Send a :class:`~cnslkit.api.call.Call` and decode its answer (ApiError on failure)."""
        resp = self.call(call.method, call.path, call.params, call.body)
        return call.finish(resp.status, resp.body)
