"""Leader-only duties, decided with the clock and submitted as commands (the FSM has no clock).

- Registering this server in the catalog: its node, the passing ``serfHealth`` check and the
  ``consul`` service, as Consul's leader reconciliation does (clients expect ``{"consul": []}`` from
  a fresh agent's ``/v1/catalog/services``).
- Reaping KV tombstones once they are older than the tombstone TTL, so deleted keys do not cost
  memory forever while prefix indexes still never slide back within the TTL.
- Expiring TTL sessions: a session not renewed within 2 x TTL is destroyed with the leader's clock
  as ``Now`` (for the lock-delays of its keys). Deadlines live in ``server.session_timers``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass

from agentd.server import Server
from agentd.structs.catalog import (
    SERF_CHECK_ID,
    SERF_CHECK_NAME,
    Check,
    Health,
    Node,
    Service,
    to_wire,
)
from agentd.structs.commands import Command, MessageType
from cnslkit.version import CONSUL_VERSION

log = logging.getLogger(__name__)

TOMBSTONE_TTL = 15 * 60.0
TOMBSTONE_GRANULARITY = 30.0


class TombstoneGC:
    """Sans-IO: remembers when tombstones up to an index appeared; says what may be reaped."""

    def __init__(self, ttl: float = TOMBSTONE_TTL) -> None:
        self.ttl = ttl
        self._marks: deque[tuple[float, int]] = deque()  # (seen at, newest tombstone index)
        self._marked = 0

    def tick(self, now: float, newest_tombstone: int) -> int | None:
        if newest_tombstone > self._marked:
            self._marks.append((now, newest_tombstone))
            self._marked = newest_tombstone
        due = None
        while self._marks and now - self._marks[0][0] >= self.ttl:
            due = self._marks.popleft()[1]
        return due


@dataclass(frozen=True, slots=True)
class Self:
    """What the leader registers for its own node."""

    node: str
    node_id: str
    address: str
    datacenter: str
    server_port: int
    meta: dict[str, str]


def self_node(me: Self) -> Node:
    return Node(
        node=me.node,
        address=me.address,
        id=me.node_id,
        datacenter=me.datacenter,
        tagged_addresses={
            "lan": me.address,
            "lan_ipv4": me.address,
            "wan": me.address,
            "wan_ipv4": me.address,
        },
        meta={"consul-network-segment": "", "consul-version": CONSUL_VERSION, **me.meta},
    )


def self_registration(me: Self) -> Command:
    node = self_node(me)
    serf = Check(
        node=me.node,
        check_id=SERF_CHECK_ID,
        name=SERF_CHECK_NAME,
        status=Health.PASSING,
        output="Agent alive and reachable",
    )
    consul = Service(node=me.node, id="consul", service="consul", port=me.server_port)
    return {
        "Type": int(MessageType.REGISTER),
        "Node": to_wire(node),
        "Service": to_wire(consul),
        "Checks": [to_wire(serf)],
    }


class Leader:
    def __init__(
        self,
        server: Server,
        me: Self | None = None,
        *,
        ttl: float = TOMBSTONE_TTL,
        granularity: float = TOMBSTONE_GRANULARITY,
    ) -> None:
        self.server = server
        self.me = me
        self.gc = TombstoneGC(ttl)
        self.granularity = granularity
        self.token_expiry_interval = 5.0

    async def establish(self) -> None:
        """What a new leader does once, before serving: register itself in the catalog, and give
        every TTL session a fresh window (the old leader's deadlines are gone)."""
        if self.me is not None and self.server.is_leader:
            await self.server.propose(self_registration(self.me))
        if self.server.is_leader:
            sessions = list(self.server.store.sessions.sessions.values())
            self.server.session_timers.rebuild(sessions, time.monotonic())

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._reap_tombstones(), name="leader-tombstones")
            tg.create_task(self._expire_sessions(), name="leader-sessions")
            tg.create_task(self._expire_tokens(), name="leader-tokens")

    async def _expire_tokens(self) -> None:
        """ACL tokens past their ExpirationTime are deleted (they already fail to resolve)."""
        while True:
            await asyncio.sleep(self.token_expiry_interval)
            if not self.server.is_leader:
                continue
            now = time.time()
            expired = [
                t.accessor_id
                for t in self.server.store.acl.tokens.values()
                if t.expiration_time and t.expiration_time <= now
            ]
            for accessor in expired:
                try:
                    await self.server.propose(
                        {"Type": int(MessageType.ACL), "Op": "token-delete", "ID": accessor}
                    )
                except Exception:  # a top-level loop: log, keep going
                    log.exception("leader: deleting expired token failed")

    async def _expire_sessions(self) -> None:
        timers = self.server.session_timers
        wake = asyncio.Event()
        timers.on_change = wake.set
        while True:
            wake.clear()
            deadline = timers.next_deadline()
            delay = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                async with asyncio.timeout(delay):
                    await wake.wait()
            except TimeoutError:
                pass
            if not self.server.is_leader:
                await asyncio.sleep(1.0)  # a follower's deadlines wait for it to lead
                continue
            for session_id in timers.expired(time.monotonic()):
                session = self.server.store.sessions.get(None, session_id)[1]
                if session is None:
                    continue
                try:
                    await self.server.propose(
                        {
                            "Type": int(MessageType.SESSION),
                            "Op": "destroy",
                            "ID": session_id,
                            "Now": time.time(),
                        }
                    )
                    log.info("leader: session %s expired (TTL)", session_id)
                except Exception:  # a top-level loop: log, try again after a new window
                    log.exception("leader: session %s: expiry failed", session_id)
                    timers.reset(session, time.monotonic())

    async def _reap_tombstones(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.granularity)
            if not self.server.is_leader:
                continue
            due = self.gc.tick(loop.time(), self.server.store.kv.newest_tombstone)
            if due is None:
                continue
            try:
                reaped = await self.server.propose(
                    {"Type": int(MessageType.TOMBSTONE_REAP), "Index": due}
                )
                log.debug("leader: reaped %s tombstones up to index %d", reaped, due)
            except Exception:  # a top-level loop: log, keep going
                log.exception("leader: tombstone reap failed")
