"""``/v1/session/*`` as :class:`~cnslkit.api.call.Call` records, and TTL renewal.

:func:`renew_periodic` is Go's ``Session.RenewPeriodic`` minus the destroy: it renews every TTL/2,
retries failed renewals every second while the TTL can still be saved, and returns when the
session is gone. Destroying is left to whoever created the session, so ownership stays in one
place (the renewer is cancelled, then the owner destroys).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from cnslkit.api import wire
from cnslkit.api.call import Call, encode_json, expect_list, expect_object, true_or_false
from cnslkit.api.errors import ApiError
from cnslkit.duration import parse_duration

if TYPE_CHECKING:
    from cnslkit.api.client import Client
    from cnslkit.api.models import SessionEntry

__all__ = ["create", "destroy", "info", "renew", "renew_periodic"]

log = logging.getLogger(__name__)

BEHAVIOR_RELEASE, BEHAVIOR_DELETE = "release", "delete"


def _id(status: int, body: bytes) -> str:
    value = expect_object(status, body).get("ID")
    if not isinstance(value, str) or not value:
        raise ApiError(status, "Failed to decode response: no session ID")
    return value


def _first(status: int, body: bytes) -> SessionEntry | None:
    from cnslkit.api.models import SessionEntry

    if status == 404:
        return None
    items = expect_list(status, body)
    return SessionEntry.from_json(items[0]) if items else None


def create(
    *,
    name: str = "",
    ttl: str = "",
    behavior: str = "",
    node: str = "",
    lock_delay: float | None = None,
) -> Call[str]:
    """A new session's ID. Empty fields are left out so the agent's defaults apply (Go's rule)."""
    body: dict[str, object] = {}
    if name:
        body["Name"] = name
    if node:
        body["Node"] = node
    if lock_delay is not None:
        body["LockDelay"] = f"{int(lock_delay * 1000)}ms"
    if behavior:
        body["Behavior"] = behavior
    if ttl:
        body["TTL"] = ttl
    return Call("PUT", "/v1/session/create", _id, body=encode_json(body))


def destroy(session_id: str) -> Call[bool]:
    """Invalidate a session (its locks are released or deleted per its Behavior)."""
    return Call(
        "PUT", "/v1/session/destroy/" + wire.quote_path(session_id), true_or_false, body=b""
    )


def renew(session_id: str) -> Call[SessionEntry | None]:
    """Reset the TTL; None when the session no longer exists (the agent's 404)."""
    path = "/v1/session/renew/" + wire.quote_path(session_id)
    return Call("PUT", path, _first, body=b"", expect=(200, 404))


def info(session_id: str) -> Call[SessionEntry | None]:
    return Call("GET", "/v1/session/info/" + wire.quote_path(session_id), _first)


async def renew_periodic(client: Client, session_id: str, ttl: str) -> None:
    """Keep ``session_id`` alive; returns when it is gone or could not be renewed within a TTL.

    Runs until cancelled otherwise. The agent may answer a renewal with a longer TTL (asking
    clients to back off); the next wait follows it.
    """
    loop = asyncio.get_running_loop()
    period = parse_duration(ttl)
    wait, last_renewed = period / 2, loop.time()
    while True:
        await asyncio.sleep(wait)
        try:
            entry = await client.send(renew(session_id))
        except ApiError as exc:
            if loop.time() - last_renewed > period:
                log.warning("session %s: not renewed within its TTL: %s", session_id, exc)
                return
            wait = 1.0
            continue
        if entry is None:
            log.info("session %s: expired", session_id)
            return
        if entry.ttl:
            try:
                period = parse_duration(entry.ttl)
            except ValueError:
                log.warning("session %s: ignoring unparsable TTL %r", session_id, entry.ttl)
        wait, last_renewed = period / 2, loop.time()
