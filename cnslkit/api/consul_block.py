"""The companions' ``consul { address, token, token_file, ssl { ... }, auth { ... } }`` block
(consul-template's and envconsul's shape) as a client config.

What the block says wins over Consul's ``CONSUL_*`` environment; callers put their flags into
``address``/``token`` first. Any ``ssl`` option turns TLS on unless ``enabled = false`` (as both
tools do), as does an ``https://`` address; an ``auth`` block sends basic auth unless
``enabled = false``. ``as_bool`` is the caller's reading of a boolean (with its own errors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import ConfigError

__all__ = ["client_from_block"]

# ClientConfig.from_env override -> key in the ssl block
_TLS_FILES = {
    "ca_file": "ca_cert",
    "ca_path": "ca_path",
    "client_cert": "cert",
    "client_key": "key",
    "tls_server_name": "server_name",
}


def client_from_block(
    consul: Mapping[str, Any],
    as_bool: Callable[[Any, str], bool],
    *,
    address: Any = None,
    token: Any = None,
    environ: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Raises ConfigError (``consul: ...``) for a bad block or address."""
    ssl = _block(consul, "ssl")
    auth = _block(consul, "auth")
    overrides: dict[str, str | None] = {
        "http_addr": _text(address or consul.get("address")),
        "token": _text(token or consul.get("token")),
        "token_file": _text(consul.get("token_file")),
    }
    overrides |= {name: _text(ssl.get(key)) for name, key in _TLS_FILES.items()}
    try:
        env = ClientConfig.from_env(overrides, environ=environ)
    except ConfigError as exc:
        raise ConfigError(f"consul: {exc}") from None
    http_auth = env.http_auth
    if auth and as_bool(auth.get("enabled", True), "consul.auth.enabled"):
        http_auth = (str(auth.get("username") or ""), str(auth.get("password") or ""))
    default_ssl = bool(ssl) or env.scheme == "https"
    return ClientConfig(
        env.address,
        ssl=as_bool(ssl.get("enabled", default_ssl), "consul.ssl.enabled"),
        token=env.token,
        token_file=env.token_file,
        ca_file=env.ca_file,
        ca_path=env.ca_path,
        client_cert=env.client_cert,
        client_key=env.client_key,
        tls_server_name=env.tls_server_name,
        tls_verify=as_bool(ssl.get("verify", env.tls_verify), "consul.ssl.verify"),
        http_auth=http_auth,
    )


def _block(consul: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = consul.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"consul.{key}: must be a block")
    return value


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
