"""``/v1/kv`` and ``/v1/txn`` for async callers: paths and queries in, :mod:`models` records out.

Methods mirror the Go client's ``KV`` (Get/List/Keys/Put/CAS/Acquire/Release/Delete/DeleteCAS/
DeleteTree/Txn) rather than one ``get`` with mode flags, so each has one return type. A missing key
is ``None`` (or an empty list), never an error: the agent's 404 is an answer, not a failure. Every
read takes ``index``/``wait`` for blocking queries and returns the :class:`QueryMeta` for the next.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnslkit.api import wire
from cnslkit.api.errors import ApiError
from cnslkit.api.models import KVPair, KVTxnOp, TxnResult

if TYPE_CHECKING:
    from cnslkit.api.client import Client, QueryMeta, Reply

__all__ = ["KV"]


def _path(key: str) -> str:
    if key.startswith("/"):
        # The Go client refuses these too: the agent would see an empty first segment.
        raise ApiError(0, f"Invalid key. Key must not begin with a '/': {key}")
    return "/v1/kv/" + wire.quote_path(key)


def _decode(reply: Reply) -> Any:
    try:
        return json.loads(reply.body)
    except ValueError as exc:
        raise ApiError(reply.status, f"Failed to decode response: {exc}") from None


def _decode_list(reply: Reply) -> list[Any]:
    items = _decode(reply)
    if items is None:
        return []
    if not isinstance(items, list):
        raise ApiError(reply.status, "Failed to decode response: expected a JSON array")
    return items


class KV:
    """The KV store through one :class:`~cnslkit.api.client.Client`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def _read(
        self,
        key: str,
        params: Sequence[tuple[str, str | None]],
        index: int,
        wait: float | None,
        stale: bool | None,
        consistent: bool = False,
    ) -> Reply:
        if consistent:  # the leader confirms it still leads; ?stale would contradict it
            params, stale = [*params, ("consistent", None)], False
        return await self._client.request(
            "GET",
            "/v1/kv/" + wire.quote_path(key.lstrip("/")),
            params=params,
            index=index,
            wait=wait,
            stale=stale,
            expect=(200, 404),
        )

    async def get(
        self,
        key: str,
        *,
        index: int = 0,
        wait: float | None = None,
        stale: bool | None = None,
        consistent: bool = False,
    ) -> tuple[KVPair | None, QueryMeta]:
        """One key, or None when it does not exist."""
        reply = await self._read(key, (), index, wait, stale, consistent)
        if reply.status == 404:
            return None, reply.meta
        items = _decode_list(reply)
        return (KVPair.from_json(items[0]) if items else None), reply.meta

    async def raw(
        self, key: str, *, index: int = 0, wait: float | None = None, stale: bool | None = None
    ) -> tuple[bytes | None, QueryMeta]:
        """Just the value bytes (``?raw``), or None when the key does not exist."""
        reply = await self._read(key, (("raw", None),), index, wait, stale)
        return (None if reply.status == 404 else reply.body), reply.meta

    async def get_tree(
        self,
        prefix: str,
        *,
        index: int = 0,
        wait: float | None = None,
        stale: bool | None = None,
        consistent: bool = False,
    ) -> tuple[list[KVPair], QueryMeta]:
        """Every key starting with ``prefix`` (``?recurse``), sorted by key."""
        reply = await self._read(prefix, (("recurse", None),), index, wait, stale, consistent)
        if reply.status == 404:
            return [], reply.meta
        return [KVPair.from_json(item) for item in _decode_list(reply)], reply.meta

    async def keys(
        self,
        prefix: str = "",
        *,
        separator: str | None = None,
        index: int = 0,
        wait: float | None = None,
        stale: bool | None = None,
    ) -> tuple[list[str], QueryMeta]:
        """Key names under ``prefix``, folded at the first ``separator`` after it when given."""
        params: list[tuple[str, str | None]] = [("keys", None)]
        if separator:
            params.append(("separator", separator))
        reply = await self._read(prefix, params, index, wait, stale)
        if reply.status == 404:
            return [], reply.meta
        return [str(k) for k in _decode_list(reply)], reply.meta

    async def put(
        self,
        key: str,
        value: bytes | None,
        *,
        flags: int = 0,
        cas: int | None = None,
        acquire: str | None = None,
        release: str | None = None,
    ) -> bool:
        """Write a value; False when a ``cas``/``acquire``/``release`` condition did not hold.

        ``cas=0`` creates only if absent; ``cas=N`` writes only if the ModifyIndex is still N.
        """
        params: list[tuple[str, str | None]] = []
        if flags:
            params.append(("flags", str(flags)))
        if cas is not None:
            params.append(("cas", str(cas)))
        if acquire is not None:
            params.append(("acquire", acquire))
        if release is not None:
            params.append(("release", release))
        reply = await self._client.request("PUT", _path(key), params=params, content=value or b"")
        return reply.body.strip() == b"true"

    async def delete(self, key: str, *, recurse: bool = False, cas: int | None = None) -> bool:
        """Delete a key (or, with ``recurse``, a prefix); False only when ``cas`` did not match."""
        params: list[tuple[str, str | None]] = []
        if recurse:
            params.append(("recurse", None))
        if cas is not None:
            params.append(("cas", str(cas)))
        path = "/v1/kv/" + wire.quote_path(key) if recurse else _path(key)
        reply = await self._client.request("DELETE", path, params=params)
        return reply.body.strip() == b"true"

    async def txn(self, ops: Sequence[KVTxnOp]) -> TxnResult:
        """Apply KV operations atomically; a rollback is ``ok=False``, not an error."""
        body = json.dumps([op.to_json() for op in ops]).encode()
        reply = await self._client.request("PUT", "/v1/txn", content=body, expect=(200, 409))
        obj = _decode(reply)
        if not isinstance(obj, dict):
            raise ApiError(reply.status, "Failed to decode response: not an object")
        return TxnResult.from_json(obj, ok=reply.status == 200)
