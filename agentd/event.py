"""User events: fired through the agent, kept in a ring buffer of the last 256 it received.

Delivery is local to this agent for now (gossip carries them between agents once it exists); an
event is kept only if its node, service and tag filters (regular expressions) match this agent,
as Consul's agents decide on receipt.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agentd.errors import BadRequest

RING_SIZE = 256


@dataclass(frozen=True, slots=True)
class UserEvent:
    id: str
    name: str
    payload: bytes | None
    node_filter: str = ""
    service_filter: str = ""
    tag_filter: str = ""
    version: int = 1
    ltime: int = 0


def event_index(event_id: str) -> int:
    """Consul's event-list index: the UUID folded to 64 bits (not monotonic)."""
    hexed = event_id.replace("-", "")
    low, high = int(hexed[:16], 16), int(hexed[16:], 16)
    return low ^ high


def _compile(pattern: str, what: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise BadRequest(f"Invalid {what} filter: {exc}") from None


def matches(
    event: UserEvent, node: str, services: Callable[[], Iterable[tuple[str, tuple[str, ...]]]]
) -> bool:
    """Whether this agent keeps the event: node name, and a local service (with a tag)."""
    node_re = _compile(event.node_filter, "node")
    if node_re is not None and not node_re.search(node):
        return False
    service_re = _compile(event.service_filter, "service")
    if service_re is None:
        return True
    tag_re = _compile(event.tag_filter, "tag")
    for name, tags in services():
        if service_re.search(name) and (tag_re is None or any(tag_re.search(t) for t in tags)):
            return True
    return False


class EventBuffer:
    def __init__(self, size: int = RING_SIZE) -> None:
        self.events: deque[UserEvent] = deque(maxlen=size)
        self.ltime = 0
        self.changed = asyncio.Event()

    def new(self, name: str, payload: bytes | None, node: str, service: str, tag: str) -> UserEvent:
        for pattern, what in ((node, "node"), (service, "service"), (tag, "tag")):
            _compile(pattern, what)
        return UserEvent(str(uuid.uuid4()), name, payload, node, service, tag)

    def receive(self, event: UserEvent) -> UserEvent:
        self.ltime += 1
        kept = UserEvent(
            event.id,
            event.name,
            event.payload,
            event.node_filter,
            event.service_filter,
            event.tag_filter,
            event.version,
            self.ltime,
        )
        self.events.append(kept)
        self.changed.set()
        self.changed = asyncio.Event()
        return kept

    def list(self, name: str = "") -> tuple[int, list[UserEvent]]:
        found = [e for e in self.events if not name or e.name == name]
        return (event_index(found[-1].id) if found else 1), found
