"""A set of running watch plans on one agent, reloadable: what watchd and agentd run.

:class:`PlanSet` owns a :class:`~cnslkit.watch.watcher.Watcher` (retrying forever, as Consul's
plans do) and one task per plan, all in its ``TaskGroup``. :meth:`PlanSet.apply` swaps in a new
list of watches: a watch whose definition is unchanged keeps running untouched; a changed one
takes over the delivered state of the old watch on the same query, so a reload neither loses
indexes nor fires handlers whose data did not change. New plans subscribe before old ones leave,
so a query shared by both is never restarted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.watch.plans import Plan, WatchConfigError, WatchSpec, parse_watch
from cnslkit.watch.view import RetryPolicy
from cnslkit.watch.watcher import Watcher

__all__ = ["AgentWatches", "PlanSet", "parse_all"]

log = logging.getLogger(__name__)

#: Consul's watch plans never give up on the agent: retry forever, at most 30 s apart.
FOREVER = RetryPolicy(attempts=0, backoff=0.5, max_backoff=30.0)


class PlanSet:
    def __init__(self, client: Client, *, wait: float = 60.0) -> None:
        self.watcher = Watcher(client, wait=wait, retry=FOREVER, min_interval=0.05)
        self.plans: dict[str, Plan] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._tg: asyncio.TaskGroup | None = None
        self._pending: list[WatchSpec] | None = None
        self._stopping = asyncio.Event()

    async def run(self, specs: Iterable[WatchSpec] = ()) -> None:
        """Run ``specs`` (and later :meth:`apply` sets) until :meth:`stop` or cancellation."""
        async with asyncio.TaskGroup() as tg:
            self._tg = tg
            watcher_task = tg.create_task(self.watcher.run(), name="watch plans")
            try:
                self.apply(self._pending if self._pending is not None else specs)
                await self._stopping.wait()
            finally:
                self._tg = None
                for task in self._tasks.values():
                    task.cancel()
                self.watcher.stop()
                watcher_task.cancel()

    def stop(self) -> None:
        self._stopping.set()

    def apply(self, specs: Iterable[WatchSpec]) -> None:
        """Make the running plans exactly ``specs`` (before :meth:`run`: what it starts with)."""
        wanted = {s.name: s for s in specs}
        if self._tg is None:
            self._pending = list(wanted.values())
            return
        gone = {n: p for n, p in self.plans.items() if n not in wanted}
        by_query = {p.spec.query.key: p.state for p in gone.values()}
        for name, spec in wanted.items():
            if name in self.plans:
                continue
            plan = Plan(spec)
            carried = by_query.pop(spec.query.key, None)
            if carried is not None:
                plan.state = carried
            plan.attach(self.watcher)
            self.plans[name] = plan
            self._tasks[name] = self._tg.create_task(plan.run(), name=f"watch {spec.kind}")
        for name in gone:
            del self.plans[name]
            self._tasks.pop(name).cancel()
        log.info("watches: %d running (%d removed)", len(self.plans), len(gone))


def parse_all(watches: Iterable[Mapping[str, Any]]) -> list[WatchSpec]:
    """The valid watches of a config's ``watches`` array; invalid ones are logged and skipped."""
    specs: list[WatchSpec] = []
    for raw in watches:
        try:
            specs.append(parse_watch(raw))
        except WatchConfigError as exc:
            log.error("watches: skipping an invalid watch: %s", exc)
    return specs


class AgentWatches:
    """An agent's own ``watches``, run against its HTTP address; :meth:`apply` on reload."""

    def __init__(self, address: str, token: str | None = None) -> None:
        self.config = ClientConfig(address, token=token)
        self.plans: PlanSet | None = None

    async def run(self, watches: Iterable[Mapping[str, Any]]) -> None:
        """Run until cancelled; a failure here is logged, never taken down the agent with it."""
        try:
            async with Client(self.config) as client:
                self.plans = PlanSet(client)
                await self.plans.run(parse_all(watches))
        except Exception:  # the agent's edge: its watches are not worth the agent
            log.exception("watches: stopped")

    def apply(self, watches: Iterable[Mapping[str, Any]]) -> None:
        if self.plans is not None:
            self.plans.apply(parse_all(watches))
