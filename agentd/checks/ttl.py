"""TTL checks: the application reports its own status; silence for longer than the TTL is critical.

``update()`` (from ``/v1/agent/check/pass|warn|fail|update``) records the status, caps the output
and restarts the timer; ``run()`` turns a missed deadline into critical ``TTL expired``, quoting
the last output if there was one. The TTL counts from construction, i.e. from registration, as
in Consul, and after expiring nothing more happens until the next update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from agentd.checks.result import CRITICAL, DEFAULT_OUTPUT_MAX_SIZE, OnUpdate, Result, truncate

__all__ = ["TTLCheck"]

log = logging.getLogger(__name__)


class TTLCheck:
    def __init__(
        self,
        check_id: str,
        ttl: float,
        on_update: OnUpdate,
        *,
        status: str = CRITICAL,
        output: str = "",
        output_max_size: int = DEFAULT_OUTPUT_MAX_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``status``/``output`` are what the agent's state already holds for this check (its
        initial status, or what survived a re-registration); only changes are reported."""
        self.check_id = check_id
        self.ttl = ttl
        self.output_max_size = output_max_size
        self._on_update = on_update
        self._clock = clock
        self._reported = Result(status, output)
        self._last_output = ""  # only what update() set is quoted on expiry
        self._deadline = clock() + ttl
        self._expired = False
        self._changed = asyncio.Event()

    @property
    def expired(self) -> bool:
        return self._expired

    def update(self, status: str, output: str) -> str:
        """Record a status report and restart the TTL; returns the output as stored (capped)."""
        output = truncate(output, self.output_max_size)
        self._last_output = output
        self._deadline = self._clock() + self.ttl
        self._expired = False
        self._changed.set()
        self._report(status, output)
        return output

    def expired_output(self) -> str:
        if not self._last_output:
            return "TTL expired"
        return f"TTL expired (last output before timeout follows): {self._last_output}"

    async def run(self) -> None:
        """Watch the deadline until cancelled."""
        while True:
            self._changed.clear()
            remaining = self._deadline - self._clock()
            if remaining <= 0:
                if not self._expired:
                    self._expired = True
                    log.warning("check %s: missed TTL, is now critical", self.check_id)
                    self._report(CRITICAL, self.expired_output())
                await self._changed.wait()
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._changed.wait()

    def _report(self, status: str, output: str) -> None:
        result = Result(status, output)
        if result != self._reported:
            self._reported = result
            self._on_update(self.check_id, status, output)
