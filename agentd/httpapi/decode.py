"""Request bodies decoded as Go's encoding/json does: field names match case-insensitively."""

from __future__ import annotations

from typing import Any

import orjson

from agentd.errors import BadRequest


def loads(body: bytes, prefix: str = "Request decode failed") -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"{prefix}: {exc}") from None


def fold(obj: dict[str, Any]) -> dict[str, Any]:
    """Keys lower-cased without ``_``: ``ServiceID``, ``serviceid`` and ``service_id`` meet."""
    return {k.lower().replace("_", ""): v for k, v in obj.items()}


def object_body(body: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object, folded for case-insensitive lookups."""
    obj = loads(body)
    if not isinstance(obj, dict):
        raise BadRequest("Request decode failed: expected a JSON object")
    return fold(obj)


def field_str(f: dict[str, Any], key: str) -> str:
    value = f.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"Request decode failed: {key} must be a string")
    return value


def field_map(f: dict[str, Any], key: str) -> dict[str, Any]:
    value = f.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Request decode failed: {key} must be an object")
    return value


def field_int(f: dict[str, Any], key: str) -> int:
    value = f.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"Request decode failed: {key} must be an integer")
    return value
