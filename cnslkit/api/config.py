"""Where the agent is and how to talk to it: Consul's ``CONSUL_*`` environment plus overrides.

Precedence follows Consul's ``api.DefaultConfig`` + CLI ``HTTPFlags``: an explicit override (a CLI
flag) beats the environment, which beats the default ``127.0.0.1:8500``; a token file, wherever it
came from, beats a token when it holds a non-empty (trimmed) token.

:class:`ClientConfig` is immutable but not a ``@dataclass``: importing ``dataclasses`` costs ~10 ms
(it pulls in ``inspect``), more than the CLI's whole budget for ``cnsl kv get``. ``ssl`` is imported
only when a TLS context is actually built.
"""

from __future__ import annotations

import os

from cnslkit.api.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Mapping

__all__ = ["DEFAULT_ADDRESS", "OVERRIDES", "ClientConfig", "parse_bool"]

DEFAULT_ADDRESS = "127.0.0.1:8500"

# Override name -> environment variable (None: no variable, e.g. -datacenter, -stale).
OVERRIDES: dict[str, str | None] = {
    "http_addr": "CONSUL_HTTP_ADDR",
    "token": "CONSUL_HTTP_TOKEN",
    "token_file": "CONSUL_HTTP_TOKEN_FILE",
    "ca_file": "CONSUL_CACERT",
    "ca_path": "CONSUL_CAPATH",
    "client_cert": "CONSUL_CLIENT_CERT",
    "client_key": "CONSUL_CLIENT_KEY",
    "tls_server_name": "CONSUL_TLS_SERVER_NAME",
    "datacenter": None,
    "stale": None,
}

_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


def parse_bool(text: str) -> bool:
    """Go's ``strconv.ParseBool``; ValueError on anything else."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')


def _split_address(address: str, ssl: bool) -> tuple[str, str, int, str | None, str]:
    """``address`` -> (scheme, host, port, unix socket path, path prefix), as api.NewClient does."""
    scheme = "https" if ssl else "http"
    rest = address
    if "://" in address:
        proto, rest = address.split("://", 1)
        if proto == "unix":
            return "http", "", 0, rest, ""
        if proto == "https":
            scheme = "https"
        elif proto != "http":
            raise ConfigError(f"Unknown protocol scheme: {proto}")
    prefix = ""
    if "/" in rest:
        rest, tail = rest.split("/", 1)
        prefix = "/" + tail.rstrip("/") if tail.strip("/") else ""
    default_port = 443 if scheme == "https" else 80
    if rest.startswith("["):  # [::1]:8500
        host, _, port_text = rest[1:].partition("]")
        port_text = port_text.removeprefix(":")
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
    else:
        host, port_text = rest, ""
    if not host:
        raise ConfigError(f"invalid HTTP address {address!r}: missing host")
    if not port_text:
        return scheme, host, default_port, None, prefix
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f'invalid port "{port_text}" in HTTP address {address!r}')
    return scheme, host, int(port_text), None, prefix


class ClientConfig:
    """How to reach one agent over HTTP(S) or a Unix socket. Immutable; see :meth:`from_env`."""

    __slots__ = (
        "address",
        "ca_file",
        "ca_path",
        "client_cert",
        "client_key",
        "datacenter",
        "host",
        "http_auth",
        "path_prefix",
        "port",
        "scheme",
        "stale",
        "tls_server_name",
        "tls_verify",
        "token",
        "token_file",
        "unix_socket",
    )
    address: str
    scheme: str
    host: str
    port: int
    unix_socket: str | None
    path_prefix: str
    token: str | None
    token_file: str | None
    datacenter: str | None
    stale: bool
    ca_file: str | None
    ca_path: str | None
    client_cert: str | None
    client_key: str | None
    tls_server_name: str | None
    tls_verify: bool
    http_auth: tuple[str, str] | None

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        *,
        ssl: bool = False,
        token: str | None = None,
        token_file: str | None = None,
        datacenter: str | None = None,
        stale: bool = False,
        ca_file: str | None = None,
        ca_path: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        tls_server_name: str | None = None,
        tls_verify: bool = True,
        http_auth: tuple[str, str] | None = None,
    ) -> None:
        scheme, host, port, unix_socket, prefix = _split_address(address, ssl)
        values = {
            "address": address,
            "scheme": scheme,
            "host": host,
            "port": port,
            "unix_socket": unix_socket,
            "path_prefix": prefix,
            "token": token or None,
            "token_file": token_file or None,
            "datacenter": datacenter or None,
            "stale": stale,
            "ca_file": ca_file or None,
            "ca_path": ca_path or None,
            "client_cert": client_cert or None,
            "client_key": client_key or None,
            "tls_server_name": tls_server_name or None,
            "tls_verify": tls_verify,
            "http_auth": http_auth,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_env(
        cls,
        overrides: Mapping[str, str | bool | None] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        """Read ``CONSUL_*`` variables; non-None ``overrides`` (keys from ``OVERRIDES``) win."""
        env = os.environ if environ is None else environ
        given = {k: v for k, v in (overrides or {}).items() if v is not None}
        unknown = set(given) - set(OVERRIDES)
        if unknown:
            raise TypeError(f"unknown ClientConfig override(s): {', '.join(sorted(unknown))}")

        def pick(name: str) -> str | None:
            if name in given:
                return str(given[name])
            var = OVERRIDES[name]
            return (env.get(var) or None) if var else None

        token, token_file = pick("token"), pick("token_file")
        if token_file:
            token = _read_token_file(token_file) or token
        auth = env.get("CONSUL_HTTP_AUTH")
        http_auth = None
        if auth:
            user, _, password = auth.partition(":")
            http_auth = (user, password)
        return cls(
            pick("http_addr") or DEFAULT_ADDRESS,
            ssl=_env_bool(env, "CONSUL_HTTP_SSL", False),
            token=token,
            token_file=token_file,
            datacenter=pick("datacenter"),
            stale=bool(given.get("stale", False)),
            ca_file=pick("ca_file"),
            ca_path=pick("ca_path"),
            client_cert=pick("client_cert"),
            client_key=pick("client_key"),
            tls_server_name=pick("tls_server_name"),
            tls_verify=_env_bool(env, "CONSUL_HTTP_SSL_VERIFY", True),
            http_auth=http_auth,
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:8500`` plus any path prefix; ``http://localhost`` for a socket."""
        if self.unix_socket is not None:
            return "http://localhost" + self.path_prefix
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.path_prefix}"

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context from the CA/cert settings; ConfigError if a file is unusable."""
        import ssl

        try:
            ctx = ssl.create_default_context(cafile=self.ca_file, capath=self.ca_path)
            if not self.tls_verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if self.client_cert:
                ctx.load_cert_chain(self.client_cert, self.client_key)
        except OSError as exc:  # ssl.SSLError is an OSError too
            raise ConfigError(f"Error loading TLS configuration: {exc}") from exc
        return ctx

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ClientConfig is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ClientConfig is immutable; cannot delete {name!r}")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClientConfig):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        # Tokens and passwords are never printed.
        shown = {n: getattr(self, n) for n in ("address", "scheme", "datacenter", "stale")}
        secret = "set" if self.token else "unset"
        return f"ClientConfig({', '.join(f'{k}={v!r}' for k, v in shown.items())}, token={secret})"


def _env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    # Consul logs and ignores an unparsable value; so do we (minus the log line).
    text = env.get(name)
    if not text:
        return default
    try:
        return parse_bool(text)
    except ValueError:
        return default


def _read_token_file(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip() or None
    except OSError as exc:
        raise ConfigError(f"Error loading token file {path} : {exc.strerror or exc}") from exc
