"""``/v1/event/*`` as :class:`~cnslkit.api.call.Call` records (Go's ``Event``)."""

from __future__ import annotations

from cnslkit.api import wire
from cnslkit.api.call import Call, expect_list, expect_object, params
from cnslkit.api.models import UserEvent

__all__ = ["fire", "list_events"]


def _event(status: int, body: bytes) -> UserEvent:
    return UserEvent.from_json(expect_object(status, body))


def _events(status: int, body: bytes) -> list[UserEvent]:
    return [UserEvent.from_json(item) for item in expect_list(status, body)]


def fire(
    name: str,
    payload: bytes | None = None,
    *,
    node: str = "",
    service: str = "",
    tag: str = "",
) -> Call[UserEvent]:
    """Broadcast a user event; node/service/tag are regular expressions the receivers match."""
    query = params(("node", node), ("service", service), ("tag", tag))
    path = "/v1/event/fire/" + wire.quote_path(name)
    return Call("PUT", path, _event, query, payload if payload is not None else b"")


def list_events(name: str = "") -> Call[list[UserEvent]]:
    """The agent's recent events, oldest first; only those called ``name`` when given."""
    return Call("GET", "/v1/event/list", _events, params(("name", name)))
