"""Leader-only duties, decided with the clock and submitted as commands (the FSM has no clock).

Today: reaping KV tombstones once they are older than the tombstone TTL, so deleted keys do not
cost memory forever while prefix indexes still never slide back within the TTL.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from agentd.server import Server
from agentd.structs.commands import MessageType

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


class Leader:
    def __init__(
        self,
        server: Server,
        *,
        ttl: float = TOMBSTONE_TTL,
        granularity: float = TOMBSTONE_GRANULARITY,
    ) -> None:
        self.server = server
        self.gc = TombstoneGC(ttl)
        self.granularity = granularity

    async def run(self) -> None:
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
