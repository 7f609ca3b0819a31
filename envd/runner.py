"""envd's run: watch every source, start the child once all have data, restart or signal it on
change, forward signals, and exit with its code.

The child is a :class:`cnslkit.child.Child`: its own process group and ``PR_SET_PDEATHSIG``, so
it dies with envd even on SIGKILL; when it exits, whatever it left in its group is killed too.
Watcher errors in daemon mode are retried forever (logged); in ``-once``/``-format`` mode the
watcher gives up after its retries and envd exits 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import deque
from typing import TYPE_CHECKING

from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.child import Child
from cnslkit.watch import RetryPolicy, Subscription, Watcher, WatchError
from cnslkit.watch.kv_tree import KVTree
from cnslkit.watch.service import HealthServiceQuery
from envd import env

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
    def __init__(self, config: Config) -> None:
        self.config = config
        self.prefixes = [(p, KVTree(p.path)) for p in config.prefixes]
        self.services = [(s, HealthServiceQuery(s)) for s in config.services]
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
                       sanitize=cfg.sanitize, upcase=cfg.upcase))  # fmt: skip
        for name, svc in self.services:
            found = watcher.get(svc)[1] or []
            out.update(env.service_environment(name, found, sanitize=cfg.sanitize,
                       upcase=cfg.upcase))  # fmt: skip
        return out

    def full(self, variables: dict[str, str]) -> dict[str, str]:
        base = {} if self.config.pristine else dict(os.environ)
        return {**base, **variables}

    async def run(self) -> int:
        cfg = self.config
        overrides = {"http_addr": cfg.address or None, "token": cfg.token or None}
        one_shot = cfg.once or bool(cfg.format)
        retry = RetryPolicy(attempts=4) if one_shot else RetryPolicy(attempts=0, max_backoff=30.0)
        async with Client(ClientConfig.from_env(overrides)) as client:
            watcher = Watcher(client, retry=retry, min_interval=0.05)
            sub = Subscription(self._wake, "envd")
            for dep in self.deps:
                watcher.watch(dep, sub)
            async with asyncio.TaskGroup() as tg:
                tg.create_task(watcher.run(), name="envd watcher")
                try:
                    return await self._main(watcher, sub, tg)
                finally:
                    watcher.stop()

    async def _main(self, watcher: Watcher, sub: Subscription, tg: asyncio.TaskGroup) -> int:
        try:
            while not all(watcher.has_data(d) for d in self.deps):
                await sub.wait()
        except WatchError as exc:
            log.error("%s", exc)
            return 1
        current = self.environment(watcher)
        if self.config.format:
            text = env.dotenv(current) if self.config.format == "dotenv" else env.to_json(current)
            sys.stdout.write(text)
            sys.stdout.flush()
            return 0
        return await self._supervise(watcher, sub, tg, current)

    async def _supervise(
        self, watcher: Watcher, sub: Subscription, tg: asyncio.TaskGroup, current: dict[str, str]
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
        loop = asyncio.get_running_loop()
        wanted = {*FORWARDED, signal.SIGINT, cfg.kill_signal}
        for sig in wanted:
            loop.add_signal_handler(sig, self._on_signal, sig)
        child_task = tg.create_task(child.run(), name="envd child")
        child_task.add_done_callback(lambda _: self._wake.set())
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                if child_task.done():
                    return child_task.result()
                while self._signals:
                    sig = self._signals.popleft()
                    if sig in (signal.SIGINT, cfg.kill_signal):
                        log.info("envd: signal %d: stopping the child", sig)
                        await child.stop(immediately=True)
                        return await child_task
                    await child.forward(sig)
                for error in sub.errors():
                    log.warning("%s", error)
                if sub.drain() and not cfg.once:
                    fresh = self.environment(watcher)
                    if fresh != current:
                        current = fresh
                        child.env = self.full(current)
                        await child.reload()
        finally:
            for sig in wanted:
                loop.remove_signal_handler(sig)
            if child.pid is not None:  # what the child left in its process group goes too
                with contextlib.suppress(OSError):
                    os.killpg(child.pid, signal.SIGKILL)

    def _on_signal(self, sig: int) -> None:
        self._signals.append(sig)
        self._wake.set()
