"""One API request as data: what to send and how to read the answer, with no I/O.

Each noun module (``catalog.py``, ``agent.py`` ...) builds :class:`Call` records with functions
named after the Go client's methods; a driver sends them. The async driver is
:meth:`cnslkit.api.client.Client.send` (httpx); the CLI's sync driver is ``cli.httpflags.Http``
(:mod:`cnslkit.rawhttp`). Both end in :meth:`Call.finish`, so paths, query parameters, accepted
statuses and decoding are written once and cannot drift between the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cnslkit.api.errors import ApiError, ResponseError

__all__ = [
    "Call",
    "Params",
    "decode_json",
    "encode_json",
    "expect_list",
    "expect_object",
    "ignore",
    "meta_query",
    "params",
    "true_or_false",
]

T = TypeVar("T")
Params = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """``method path?params`` with ``body``; ``decode(status, body)`` turns the answer into T.

    A status outside ``expect`` is a :class:`ResponseError` (Go's ``Unexpected response code``).
    """

    method: str
    path: str
    decode: Callable[[int, bytes], T]
    params: Params = ()
    body: bytes | None = None
    expect: tuple[int, ...] = (200,)

    def finish(self, status: int, body: bytes) -> T:
        """The decoded answer to this call, given the response's status and body."""
        if status not in self.expect:
            raise ResponseError(status, body)
        return self.decode(status, body)


def params(*pairs: tuple[str, str | bool | None]) -> Params:
    """Query parameters, dropping empty ones: None/""/False out, True as a bare flag."""
    out: list[tuple[str, str | None]] = []
    for name, value in pairs:
        if value is True:
            out.append((name, None))
        elif value:
            out.append((name, str(value)))
    return tuple(out)


def meta_query(pairs: Sequence[tuple[str, str]]) -> Params:
    """``?node-meta=key:value`` for each pair, as the Go client sends them."""
    return tuple(("node-meta", f"{k}:{v}") for k, v in pairs)


def encode_json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode_json(status: int, body: bytes) -> Any:
    """The JSON document in ``body``; ApiError (not ValueError) when it is not JSON."""
    try:
        return json.loads(body) if body.strip() else None
    except ValueError as exc:
        raise ApiError(status, f"Failed to decode response: {exc}") from None


def expect_list(status: int, body: bytes) -> list[Any]:
    value = decode_json(status, body)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(status, "Failed to decode response: expected a JSON array")
    return value


def expect_object(status: int, body: bytes) -> dict[str, Any]:
    value = decode_json(status, body)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(status, "Failed to decode response: expected a JSON object")
    return value


def ignore(status: int, body: bytes) -> None:
    """For writes whose answer carries nothing (the agent's empty 200)."""
    return None


def true_or_false(status: int, body: bytes) -> bool:
    """For writes answering ``true``/``false`` (CAS, acquire, destroy)."""
    return body.strip() == b"true"
