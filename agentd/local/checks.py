"""Running this agent's checks: one task per check, owned here, reporting into local state.

Also the critical-service reaper: a service check with ``DeregisterCriticalServiceAfter`` that has
been critical that long removes its service, as Consul's agent does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from agentd.checks.definition import CheckDefinition
from agentd.local.state import LocalState
from agentd.state.store import Store
from agentd.structs.catalog import Health

log = logging.getLogger(__name__)

REAP_INTERVAL = 30.0


class CheckManager:
    def __init__(
        self,
        local: LocalState,
        *,
        scripts_allowed: bool = False,
        reap_interval: float = REAP_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.local = local
        self.scripts_allowed = scripts_allowed
        self.reap_interval = reap_interval
        self.clock = clock
        self.deregister_service: Callable[[str], None] = lambda _sid: None
        self.store: Store | None = None  # for aliases of other nodes
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._ttl: dict[str, Any] = {}
        self._critical_since: dict[str, float] = {}
        self._pending: list[CheckDefinition] = []
        self._running = False

    # ---- called by the agent ------------------------------------------------------------------

    def start(self, defn: CheckDefinition) -> None:
        if not self._running:
            self._pending.append(defn)
            return
        self.stop(defn.check_id)
        coro = self._runner(defn)
        if coro is not None:
            self._tasks[defn.check_id] = asyncio.get_running_loop().create_task(
                coro, name=f"check {defn.check_id}"
            )

    def stop(self, check_id: str) -> None:
        self._pending = [d for d in self._pending if d.check_id != check_id]
        task = self._tasks.pop(check_id, None)
        if task is not None:
            task.cancel()
        self._ttl.pop(check_id, None)
        self._critical_since.pop(check_id, None)

    def ttl_update(self, check_id: str, status: str, output: str) -> bool:
        ttl = self._ttl.get(check_id)
        if ttl is None:
            return False
        ttl.update(status, output)
        return True

    def on_update(self, check_id: str, status: str, output: str) -> None:
        if status == Health.CRITICAL:
            self._critical_since.setdefault(check_id, self.clock())
        else:
            self._critical_since.pop(check_id, None)
        self.local.update_check(check_id, status, output)

    # ---- runners ------------------------------------------------------------------------------

    def _runner(self, defn: CheckDefinition) -> Coroutine[Any, Any, None] | None:
        kind = defn.type
        lc = self.local.checks.get(defn.check_id)
        status, output = (lc.check.status, lc.check.output) if lc is not None else ("", "")
        if kind == "ttl":
            from agentd.checks.ttl import TTLCheck

            ttl = TTLCheck(
                defn.check_id,
                defn.ttl,
                self.on_update,
                status=status or Health.CRITICAL,
                output=output,
                output_max_size=defn.output_max_size,
            )
            self._ttl[defn.check_id] = ttl
            return ttl.run()
        if kind == "alias":
            from agentd.local.alias import run_alias, run_remote_alias

            remote = defn.alias_node and defn.alias_node.lower() != self.local.node.lower()
            if remote and self.store is not None:
                return run_remote_alias(defn, self.store, self.on_update)
            return run_alias(defn, self.local, self.on_update)
        if kind in ("http", "tcp", "udp", "script"):
            from agentd.checks.runner import CheckRunner

            return CheckRunner(defn, self.on_update, status=status, output=output).run()
        log.warning("check %s: type %r is not supported; it stays critical", defn.check_id, kind)
        return None

    # ---- the owner's loop ---------------------------------------------------------------------

    async def run(self) -> None:
        self._running = True
        for defn in self._pending:
            self.start(defn)
        self._pending = []
        try:
            while True:
                await asyncio.sleep(self.reap_interval)
                self.reap()
        finally:
            self._running = False
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.clear()

    def reap(self) -> None:
        now = self.clock()
        for check_id, since in list(self._critical_since.items()):
            lc = self.local.checks.get(check_id)
            defn = lc.definition if lc is not None else None
            if defn is None or not defn.service_id or defn.deregister_critical_service_after <= 0:
                continue
            if now - since >= defn.deregister_critical_service_after:
                log.info(
                    "check %s: critical for %.0fs, deregistering service %s",
                    check_id,
                    now - since,
                    defn.service_id,
                )
                self.deregister_service(defn.service_id)
