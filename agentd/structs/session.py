"""Session records: who holds locks, what they depend on, and what happens to their keys.

A session lives on one node and depends on checks of that node; when one of them goes critical,
the node goes away, the TTL runs out or the session is destroyed, the session is invalidated and
its locks are released (or its keys deleted). Records are immutable and travel in commands and
snapshots by field name, like the catalog records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

LOCK_DELAY_DEFAULT = 15.0  # seconds
LOCK_DELAY_MAX = 60.0  # a lock-delay never blocks a key longer than this
TTL_MAX = 24 * 3600.0
TTL_MIN_DEFAULT = 10.0  # session_ttl_min
TTL_MULTIPLIER = 2  # a TTL session expires 2 x TTL after its last create/renew


class Behavior(StrEnum):
    RELEASE = "release"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    node: str
    name: str = ""
    lock_delay: float = LOCK_DELAY_DEFAULT  # seconds
    behavior: str = Behavior.RELEASE
    ttl: str = ""  # a Go duration, kept as the client wrote it
    node_checks: tuple[str, ...] = ()
    service_checks: tuple[tuple[str, str], ...] = ()  # (check id, namespace)
    create_index: int = 0
    modify_index: int = 0

    def check_ids(self) -> list[str]:
        """Every check the session depends on; all of them are checks of its node."""
        return [*self.node_checks, *(cid for cid, _ in self.service_checks)]


def to_wire(s: Session) -> dict[str, Any]:
    return {name: getattr(s, name) for name in s.__dataclass_fields__}


def from_wire(raw: dict[str, Any]) -> Session:
    known = {k: v for k, v in raw.items() if k in Session.__dataclass_fields__}
    if "node_checks" in known:
        known["node_checks"] = tuple(known["node_checks"] or ())
    if "service_checks" in known:
        known["service_checks"] = tuple(
            (str(cid), str(ns)) for cid, ns in known["service_checks"] or ()
        )
    return Session(**known)
