"""cnslkit.api: a typed client for Consul's HTTP API (``Client``, ``KV``, config, errors, models).

Rules: every failure surfaces as :class:`~cnslkit.api.errors.ApiError` (httpx never leaks); wire
records are frozen and decoded once in :mod:`~cnslkit.api.models`; one module per API noun.

Names are loaded on first use (PEP 562) because importing this package also runs for
``cnslkit.api.errors`` and ``cnslkit.api.config``, which the CLI's fast path needs without paying
for httpx (~60 ms) or dataclasses.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cnslkit.api.client import Client, QueryMeta, Reply
    from cnslkit.api.config import ClientConfig
    from cnslkit.api.errors import ApiError, ConfigError, ResponseError, TransportError
    from cnslkit.api.kv import KV
    from cnslkit.api.models import KVPair, KVTxnOp, TxnError, TxnResult

__all__ = [
    "KV",
    "ApiError",
    "Client",
    "ClientConfig",
    "ConfigError",
    "KVPair",
    "KVTxnOp",
    "QueryMeta",
    "Reply",
    "ResponseError",
    "TransportError",
    "TxnError",
    "TxnResult",
]

_HOME = {
    "Client": "client",
    "QueryMeta": "client",
    "Reply": "client",
    "ClientConfig": "config",
    "ApiError": "errors",
    "ConfigError": "errors",
    "ResponseError": "errors",
    "TransportError": "errors",
    "KV": "kv",
    "KVPair": "models",
    "KVTxnOp": "models",
    "TxnError": "models",
    "TxnResult": "models",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
