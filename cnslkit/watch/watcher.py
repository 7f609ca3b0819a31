"""One blocking-query loop per distinct dependency, shared by every consumer that asks for it.

A consumer is a :class:`Subscription`. ``watcher.watch(dep, sub)`` adds ``sub`` to the consumers
of ``dep.key``; the first consumer starts the dependency's loop, the last one to leave
(:meth:`Watcher.unwatch`, :meth:`Watcher.release`) cancels it. When the loop's view reports new
data, each consumer's subscription records the dependency and sets its event; consumers read
the data with :meth:`Watcher.get`. Several subscriptions may share one ``asyncio.Event`` so a
runner can wait for "anything happened" in one place.

Every loop is a task of the watcher's ``TaskGroup``, which :meth:`Watcher.run` owns: cancel
``run`` (or call :meth:`Watcher.stop`) and every query is cancelled and awaited. A loop whose
retries are exhausted stops and reports :class:`~cnslkit.watch.errors.RetriesExhausted` to its
consumers; what to do then is the consumer's decision.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnslkit.api.errors import ApiError
from cnslkit.watch.errors import RetriesExhausted, WatchError
from cnslkit.watch.view import RetryPolicy, ViewState

if TYPE_CHECKING:
    from cnslkit.api.client import Client
    from cnslkit.watch.dependency import Dependency

__all__ = ["Subscription", "Watcher"]

log = logging.getLogger(__name__)


class Subscription:
    """A consumer's inbox: the dependencies that changed (and failed) since it last looked."""

    def __init__(self, event: asyncio.Event | None = None, name: str = "") -> None:
        self.event = event if event is not None else asyncio.Event()
        self.name = name
        self._changed: dict[str, Dependency] = {}
        self._errors: list[WatchError] = []

    def notify(self, dep: Dependency) -> None:
        self._changed[dep.key] = dep
        self.event.set()

    def fail(self, error: WatchError) -> None:
        self._errors.append(error)
        self.event.set()

    def drain(self) -> list[Dependency]:
        """The dependencies that changed since the last drain (each once), without waiting."""
        changed = list(self._changed.values())
        self._changed.clear()
        return changed

    def errors(self) -> list[WatchError]:
        """Failures reported since the last call."""
        errors, self._errors = self._errors, []
        return errors

    async def wait(self) -> list[Dependency]:
        """Wait until something changes, then drain; raises the first reported failure."""
        while not self._changed and not self._errors:
            self.event.clear()
            await self.event.wait()
        errors = self.errors()
        if errors:
            raise errors[0]
        return self.drain()


@dataclass(slots=True)
class _View:
    dep: Dependency
    state: ViewState
    consumers: list[Subscription] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    fetches: int = 0
    error: WatchError | None = None


class Watcher:
    """Runs the views; ``wait`` is each blocking query's wait (consul-template's 60 s)."""

    def __init__(
        self,
        client: Client,
        *,
        wait: float = 60.0,
        max_stale: float = 0.0,
        retry: RetryPolicy | None = None,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.client = client
        self.wait = wait
        self.max_stale = max_stale
        self.retry = retry if retry is not None else RetryPolicy()
        self.min_interval = min_interval
        self._clock = clock
        self._rand = rand
        self._views: dict[str, _View] = {}
        self._tg: asyncio.TaskGroup | None = None
        self._stopping = asyncio.Event()

    # consumers

    def watch(self, dep: Dependency, consumer: Subscription) -> None:
        """Make ``consumer`` hear about ``dep``; starts its query if nobody watched it yet."""
        view = self._views.get(dep.key)
        if view is None:
            state = ViewState(
                max_stale=self.max_stale, retry=self.retry, min_interval=self.min_interval
            )
            view = self._views[dep.key] = _View(dep, state)
            self._start(view)
        if consumer not in view.consumers:
            view.consumers.append(consumer)
            if view.error is not None:
                consumer.fail(view.error)

    def unwatch(self, dep: Dependency, consumer: Subscription) -> None:
        """``consumer`` no longer needs ``dep``; the last one out stops the query."""
        view = self._views.get(dep.key)
        if view is None or consumer not in view.consumers:
            return
        view.consumers.remove(consumer)
        if not view.consumers:
            del self._views[dep.key]
            if view.task is not None:
                view.task.cancel()

    def release(self, consumer: Subscription) -> None:
        """Drop every dependency ``consumer`` watches."""
        for view in list(self._views.values()):
            self.unwatch(view.dep, consumer)

    def watching(self, consumer: Subscription) -> list[Dependency]:
        return [v.dep for v in self._views.values() if consumer in v.consumers]

    # data

    def get(self, dep: Dependency) -> tuple[bool, Any]:
        """``(has_data, data)`` for a watched dependency; ``(False, None)`` otherwise."""
        view = self._views.get(dep.key)
        if view is None or not view.state.has_data:
            return False, None
        return True, view.state.data

    def has_data(self, dep: Dependency) -> bool:
        return self.get(dep)[0]

    @property
    def dependencies(self) -> list[Dependency]:
        """Every distinct dependency being watched (one query loop each)."""
        return [v.dep for v in self._views.values()]

    def fetch_count(self, dep: Dependency) -> int:
        view = self._views.get(dep.key)
        return view.fetches if view is not None else 0

    # lifecycle

    async def run(self) -> None:
        """Own the query loops until :meth:`stop` is called or this task is cancelled."""
        async with asyncio.TaskGroup() as tg:
            self._tg = tg
            try:
                for view in self._views.values():
                    self._start(view)
                await self._stopping.wait()
            finally:
                self._tg = None
                for view in self._views.values():
                    if view.task is not None:
                        view.task.cancel()
                        view.task = None

    def stop(self) -> None:
        self._stopping.set()

    def _start(self, view: _View) -> None:
        if self._tg is not None and view.task is None and view.error is None:
            view.task = self._tg.create_task(self._loop(view), name=f"watch {view.dep.key}")

    async def _loop(self, view: _View) -> None:
        state, dep = view.state, view.dep
        while True:
            pause = state.pause(self._clock(), self._rand())
            if pause > 0:
                await asyncio.sleep(pause)
            opts = state.options(self.wait, self._clock())
            view.fetches += 1
            try:
                answer = await dep.fetch(self.client, opts)
            except Exception as exc:  # the loop's edge: log, back off, or give up
                delay = state.on_error(self._rand())
                if delay is None:
                    self._give_up(view, exc)
                    return
                # An ApiError or OSError is the world's fault; anything else is ours: traceback.
                expected = isinstance(exc, ApiError | OSError)
                log.warning(
                    "%s: fetch failed (attempt %d): %s",
                    dep.key,
                    state.failures,
                    exc,
                    exc_info=None if expected else exc,
                )
                await asyncio.sleep(delay)
                continue
            if state.on_success(answer):
                log.debug("%s: new data at index %d", dep.key, state.index)
                for consumer in list(view.consumers):
                    consumer.notify(dep)

    def _give_up(self, view: _View, exc: BaseException) -> None:
        error = RetriesExhausted(view.dep.key, view.state.failures, exc)
        error.__cause__ = exc
        view.error = error
        view.task = None
        log.error("%s", error)
        for consumer in list(view.consumers):
            consumer.fail(error)
