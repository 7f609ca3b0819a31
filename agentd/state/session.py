"""The session table: sessions, the keys they lose on invalidation, and lock-delays.

Invalidation (destroy, TTL expiry, a check gone critical or away, the node gone) releases every key
the session holds (Session cleared, value and LockIndex kept, ModifyIndex bumped) or, with
behavior ``delete``, deletes them (leaving tombstones). Each such key then refuses new locks until
``now + min(LockDelay, 60s)``, so a crashed holder's work can drain before someone else takes over.
The FSM has no clock: ``now`` comes from the command that invalidates (0 = unknown: no lock-delay),
and the lock verb compares against the ``now`` its own command carries.

Indexes: every read reports the table index (Consul's), the highest index of any session write.
Watch keys: ``("table", "sessions")`` and ``("session", id)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from agentd.state.catalog import CatalogTable
from agentd.state.kv import KVTable
from agentd.state.watch import WatchHub, WatchSet
from agentd.structs.catalog import Health
from agentd.structs.session import LOCK_DELAY_MAX, Behavior, Session, from_wire, to_wire

TABLE = "sessions"


class SessionError(Exception):
    """A session the store refuses (Consul answers 500 with the message)."""


class SessionTable:
    def __init__(self, hub: WatchHub, kv: KVTable, catalog: CatalogTable) -> None:
        self._hub = hub
        self._kv = kv
        self._catalog = catalog
        self.sessions: dict[str, Session] = {}
        self.lock_delays: dict[str, float] = {}  # key -> epoch seconds it may be locked again
        self.index = 0
        # called as hook(index, session_id) after a destroy (prepared queries bound to it go too)
        self.on_destroy: list[Callable[[int, str], None]] = []

    # ---- reads: watch set first, (index, result) back -------------------------------------

    def get(self, ws: WatchSet | None, session_id: str) -> tuple[int, Session | None]:
        if ws is not None:
            ws.add(("session", session_id))
        return self.index, self.sessions.get(session_id)

    def list_sessions(self, ws: WatchSet | None) -> tuple[int, list[Session]]:
        if ws is not None:
            ws.add(("table", TABLE))
        return self.index, sorted(self.sessions.values(), key=lambda s: s.id)

    def node_sessions(self, ws: WatchSet | None, node: str) -> tuple[int, list[Session]]:
        if ws is not None:
            ws.add(("table", TABLE))
        key = node.lower()
        found = [s for s in self.sessions.values() if s.node.lower() == key]
        return self.index, sorted(found, key=lambda s: s.id)

    def exists(self, session_id: str) -> bool:
        return session_id in self.sessions

    def lock_delay_until(self, key: str) -> float:
        """When ``key`` may be locked again (epoch seconds; 0 = no lock-delay recorded)."""
        return self.lock_delays.get(key, 0.0)

    # ---- writes: index first ----------------------------------------------------------------

    def create(self, index: int, session: Session) -> Session:
        """Store a new session; its node and every check it names must exist, none critical."""
        if session.id in self.sessions:
            raise SessionError(f"Session ID '{session.id}' already exists")
        if session.behavior not in (Behavior.RELEASE, Behavior.DELETE):
            raise SessionError(f"Invalid session behavior: {session.behavior}")
        nkey = session.node.lower()
        if nkey not in self._catalog.nodes:
            raise SessionError("Missing node registration")
        for cid in session.check_ids():
            chk = self._catalog.checks.get((nkey, cid))
            if chk is None:
                raise SessionError(f"Missing check '{cid}' registration")
            if chk.status == Health.CRITICAL:
                raise SessionError(f"Check '{cid}' is in critical state")
        new = replace(session, create_index=index, modify_index=index)
        self.sessions[new.id] = new
        self._touched(index, new.id)
        return new

    def destroy(self, index: int, session_id: str, now: float) -> bool:
        """Invalidate a session: its keys are released or deleted, each with a lock-delay."""
        session = self.sessions.pop(session_id, None)
        if session is None:
            return False
        held = self._kv.held_by(session_id)
        for entry in held:
            if session.behavior == Behavior.DELETE:
                self._kv.delete(index, entry.key)
            else:
                self._kv.put(index, replace(entry, session=""))
        delay = min(session.lock_delay, LOCK_DELAY_MAX)
        if held and delay > 0 and now > 0:
            self.lock_delays = {k: t for k, t in self.lock_delays.items() if t > now}
            for entry in held:
                self.lock_delays[entry.key] = now + delay
        self._touched(index, session_id)
        for hook in self.on_destroy:
            hook(index, session_id)
        return True

    def invalidate_node(self, index: int, node: str, now: float) -> list[str]:
        """After a catalog change on ``node``: invalidate its sessions whose node is gone, or one
        of whose checks is gone or critical. Returns the ids invalidated."""
        nkey = node.lower()
        doomed = sorted(
            s.id
            for s in self.sessions.values()
            if s.node.lower() == nkey and not self._healthy(nkey, s)
        )
        for session_id in doomed:
            self.destroy(index, session_id, now)
        return doomed

    def _healthy(self, nkey: str, session: Session) -> bool:
        if nkey not in self._catalog.nodes:
            return False
        for cid in session.check_ids():
            chk = self._catalog.checks.get((nkey, cid))
            if chk is None or chk.status == Health.CRITICAL:
                return False
        return True

    def _touched(self, index: int, session_id: str) -> None:
        self.index = max(self.index, index)
        self._hub.notify_many((("session", session_id), ("table", TABLE)))

    # ---- snapshot image ---------------------------------------------------------------------

    def image(self) -> dict[str, Any]:
        return {
            "Sessions": [to_wire(s) for s in self.sessions.values()],
            "LockDelays": dict(self.lock_delays),
            "Index": self.index,
        }

    def load(self, image: dict[str, Any]) -> None:
        sessions = [from_wire(raw) for raw in image.get("Sessions") or []]
        self.sessions = {s.id: s for s in sessions}
        self.lock_delays = dict(image.get("LockDelays") or {})
        index = image.get("Index", 0)
        self.index = index if isinstance(index, int) else 0
