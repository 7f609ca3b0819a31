"""cnslkit.api: a typed client for Consul's HTTP API (``Client``, ``KV``, config, errors, models).

Rules: every failure surfaces as :class:`~cnslkit.api.errors.ApiError` (httpx never leaks); wire
records are frozen and decoded once in :mod:`~cnslkit.api.models` (ACL records in
:mod:`~cnslkit.api.aclmodels`); one module per API noun (``kv``, ``catalog``, ``agent``,
``event``, ``session``, ``acl``; ``lock`` holds Consul's lock and semaphore recipes). Nouns
other than KV describe requests as :class:`~cnslkit.api.call.Call` records, sent by the async
:class:`Client` or the CLI's synchronous caller alike.

Names are loaded on first use (PEP 562) because importing this package also runs for
``cnslkit.api.errors`` and ``cnslkit.api.config``, which the CLI's fast path needs without paying
for httpx (~60 ms) or dataclasses.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cnslkit.api.call import Call
    from cnslkit.api.client import Client, QueryMeta, Reply
    from cnslkit.api.config import ClientConfig
    from cnslkit.api.errors import (
        ApiError,
        ConfigError,
        LockConflict,
        LockError,
        LockInUse,
        ResponseError,
        TransportError,
    )
    from cnslkit.api.kv import KV
    from cnslkit.api.lock import Lock, LockOptions, Semaphore
    from cnslkit.api.models import KVPair, KVTxnOp, TxnError, TxnResult

__all__ = [
    "KV",
    "ApiError",
    "Call",
    "Client",
    "ClientConfig",
    "ConfigError",
    "KVPair",
    "KVTxnOp",
    "Lock",
    "LockConflict",
    "LockError",
    "LockInUse",
    "LockOptions",
    "QueryMeta",
    "Reply",
    "ResponseError",
    "Semaphore",
    "TransportError",
    "TxnError",
    "TxnResult",
]

_HOME = {
    "Call": "call",
    "Client": "client",
    "QueryMeta": "client",
    "Reply": "client",
    "ClientConfig": "config",
    "ApiError": "errors",
    "ConfigError": "errors",
    "ResponseError": "errors",
    "TransportError": "errors",
    "LockConflict": "errors",
    "LockError": "errors",
    "LockInUse": "errors",
    "KV": "kv",
    "Lock": "lock",
    "LockOptions": "lock",
    "Semaphore": "lock",
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
