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
