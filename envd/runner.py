"""envd's run: watch every source, start the child once all have data, restart or signal it on
change, forward signals, and exit with its code.

With ``wait = "min:max"`` (envconsul's quiescence) the first start and every restart wait until
no change arrived for ``min``, but no longer than ``max`` after the first change of a burst, so a
burst of writes is one restart. The child is a :class:`cnslkit.child.Child`: its own process
group and ``PR_SET_PDEATHSIG``, so it dies with envd even on SIGKILL; when it exits, whatever it
left in its group is killed too. Signals are handled from the start: a stop signal before the
child exists exits 128 + N. Watcher errors in daemon mode are retried forever (logged); in
``-once``/``-format`` mode the watcher gives up after its retries and envd exits 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from cnslkit.api.client import Client
from cnslkit.child import Child
from cnslkit.quiescence import Quiescence
from cnslkit.watch import RetryPolicy, Subscription, Watcher
from cnslkit.watch.kv_tree import KVTree
from cnslkit.watch.service import HealthServiceQuery
from envd import env, pidfile
from envd.childenv import child_environment

if TYPE_CHECKING:
    from cnslkit.watch import Dependency
    from envd.config import Config

__all__ = ["FORWARDED", "Runner"]

log = logging.getLogger(__name__)

FORWARDED = (
    signal.SIGHUP,
    signal.SIGTERM,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGQUIT,
    signal.SIGWINCH,
    signal.SIGCONT,
)


class Runner:
    def __init__(self, config: Config, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.prefixes = [(p, KVTree(p.path)) for p in config.prefixes]
        self.services = [(s, HealthServiceQuery.parse(s.query)) for s in config.services]
        self._signals: deque[int] = deque()
        self._wake = asyncio.Event()

    @property
    def deps(self) -> list[Dependency]:
        return [d for _, d in self.prefixes] + [d for _, d in self.services]

    def environment(self, watcher: Watcher) -> dict[str, str]:
        """Prefixes in order (later wins), then services."""
        cfg, out = self.config, {}
        for prefix, dep in self.prefixes:
            pairs = watcher.get(dep)[1] or []
            out.update(env.prefix_environment(prefix.path, pairs, no_prefix=prefix.no_prefix,
                       format=prefix.format, sanitize=cfg.sanitize, upcase=cfg.upcase))  # fmt: skip
        for service, svc in self.services:
            found = watcher.get(svc)[1] or []
            out.update(env.service_environment(svc.name, found, formats=service.formats,
                       sanitize=cfg.sanitize, upcase=cfg.upcase))  # fmt: skip
        return out

    def full(self, variables: dict[str, str]) -> dict[str, str]:
        """The child's environment: envd's own (unless pristine), the variables, ``exec.env``."""
        return child_environment(os.environ, variables, self.config.exec_env)

    async def run(self) -> int:
        cfg = self.config
        one_shot = cfg.once or bool(cfg.format)
        retry = RetryPolicy(attempts=4) if one_shot else RetryPolicy(attempts=0, max_backoff=30.0)
        loop = asyncio.get_running_loop()
        wanted = {*FORWARDED, signal.SIGINT, cfg.kill_signal}
        if cfg.reload_signal is not None:
            wanted.add(cfg.reload_signal)
        for sig in wanted:
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            pidfile.write(cfg.pid_file)
            async with Client(cfg.client) as client:
                watcher = Watcher(client, retry=retry, min_interval=0.05, max_stale=cfg.max_stale)
                sub = Subscription(self._wake, "envd")
                for dep in self.deps:
                    watcher.watch(dep, sub)
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(watcher.run(), name="envd watcher")
                    try:
                        return await self._main(watcher, sub, tg)
                    finally:
                        watcher.stop()
        finally:
            pidfile.remove(cfg.pid_file)
            for sig in wanted:
                loop.remove_signal_handler(sig)

    async def _main(self, watcher: Watcher, sub: Subscription, tg: asyncio.TaskGroup) -> int:
        """Until every source has answered (and the ``wait`` quiet time has passed): no child."""
        cfg = self.config
        low, high = cfg.wait
        quiet = Quiescence(low, high) if low > 0 and not (cfg.once or cfg.format) else None
        ready = False
        while True:
            await self._next(quiet if ready else None)  # the quiet time counts once all answered
            stop = await self._handle_signals(None)
            if stop is not None:
                return 128 + stop
            errors = sub.errors()
            if errors:
                log.error("%s", errors[0])
                return 1
            if sub.drain() and quiet is not None:
                quiet.update(self.clock())
            ready = all(watcher.has_data(d) for d in self.deps)
            if ready and (quiet is None or quiet.due(self.clock())):
                break
        current = self.environment(watcher)
        if cfg.format:
            text = env.dotenv(current) if cfg.format == "dotenv" else env.to_json(current)
            sys.stdout.write(text)
            sys.stdout.flush()
            return 0
        return await self._supervise(watcher, sub, tg, current, quiet)

    async def _supervise(
        self,
        watcher: Watcher,
        sub: Subscription,
        tg: asyncio.TaskGroup,
        current: dict[str, str],
        quiet: Quiescence | None,
    ) -> int:
        cfg = self.config
        child = Child(
            list(cfg.command),
            env=self.full(current),
            kill_signal=cfg.exec_kill_signal,
            kill_timeout=cfg.exec_kill_timeout,
            reload_signal=cfg.exec_reload_signal,
            splay=cfg.exec_splay,
        )
        if quiet is not None:
            quiet.reset()
        child_task = tg.create_task(child.run(), name="envd child")
        child_task.add_done_callback(lambda _: self._wake.set())
        try:
            while True:
                await self._next(quiet)
                if child_task.done():
                    return child_task.result()
                if await self._handle_signals(child) is not None:
                    await child.stop(immediately=True)
                    return await child_task
                for error in sub.errors():
                    log.warning("%s", error)
                if sub.drain() and not cfg.once:
                    if quiet is None:
                        current = await self._apply(watcher, child, current)
                        continue
                    quiet.update(self.clock())
                if quiet is not None and quiet.due(self.clock()):
                    quiet.reset()
                    current = await self._apply(watcher, child, current)
        finally:
            if child.pid is not None:  # what the child left in its process group goes too
                with contextlib.suppress(OSError):
                    os.killpg(child.pid, signal.SIGKILL)

    async def _apply(
        self, watcher: Watcher, child: Child, current: dict[str, str]
    ) -> dict[str, str]:
        """Restart (or signal) the child if the variables changed; the variables now."""
        fresh = self.environment(watcher)
        if fresh != current:
            child.env = self.full(fresh)
            await child.reload()
        return fresh

    async def _next(self, quiet: Quiescence | None) -> None:
        """Wait for a change, a signal, the child's exit, or the end of the quiet time."""
        deadline = quiet.deadline if quiet is not None else None
        if not self._wake.is_set():
            delay = None if deadline is None else max(0.0, deadline - self.clock())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
        self._wake.clear()

    async def _handle_signals(self, child: Child | None) -> int | None:
        """The first stop signal received, if any; the others go to the child (the reload
        signal restarts it) or, before it started, are dropped."""
        while self._signals:
            sig = self._signals.popleft()
            if sig in (signal.SIGINT, self.config.kill_signal):
                log.info("envd: signal %d: stopping", sig)
                return sig
            if child is None:
                log.info("envd: signal %d before the child started: ignored", sig)
            elif sig == self.config.reload_signal:
                log.info("envd: reload signal %d: restarting the child", sig)
                await child.restart()
            else:
                await child.forward(sig)
        return None

    def _on_signal(self, sig: int) -> None:
        self._signals.append(sig)
        self._wake.set()
