"""Session TTL timers, kept by the leader in memory (as Consul's are), never in the store.

Sans-IO: callers pass ``now`` (a monotonic clock). A TTL session expires 2 x TTL after its last
create or renew; a new leader gives every TTL session a fresh full window, since the old leader's
deadlines are lost with it. Expiry itself is a destroy command the leader proposes.
"""

from __future__ import annotations

from collections.abc import Callable

from agentd.structs.session import TTL_MULTIPLIER, Session
from cnslkit.duration import parse_duration


def ttl_seconds(session: Session) -> float:
    """The session's TTL in seconds; 0 when it has none (or an unparsable one)."""
    if not session.ttl:
        return 0.0
    try:
        return max(parse_duration(session.ttl), 0.0)
    except ValueError:
        return 0.0


class SessionTimers:
    def __init__(self) -> None:
        self._deadlines: dict[str, float] = {}
        self.on_change: Callable[[], None] | None = None  # the driver's wake-up

    def __len__(self) -> int:
        return len(self._deadlines)

    def reset(self, session: Session, now: float) -> None:
        """Start (or restart) the session's window; sessions without a TTL have none."""
        ttl = ttl_seconds(session)
        if ttl <= 0:
            self._deadlines.pop(session.id, None)
            return
        self._deadlines[session.id] = now + ttl * TTL_MULTIPLIER
        if self.on_change is not None:
            self.on_change()

    def clear(self, session_id: str) -> None:
        self._deadlines.pop(session_id, None)

    def rebuild(self, sessions: list[Session], now: float) -> None:
        self._deadlines.clear()
        for session in sessions:
            self.reset(session, now)

    def deadline(self, session_id: str) -> float | None:
        return self._deadlines.get(session_id)

    def next_deadline(self) -> float | None:
        return min(self._deadlines.values(), default=None)

    def expired(self, now: float) -> list[str]:
        """The sessions whose window has passed, forgotten as they are returned."""
        due = sorted(sid for sid, t in self._deadlines.items() if t <= now)
        for sid in due:
            del self._deadlines[sid]
        return due
