"""The runner: templates -> watched dependencies -> renders -> files, commands and the child.

One loop, woken by one event that every source sets (watch subscriptions, signals, file
changes, the child's exit, timers). Each round: handle signals, reload if asked, note which
templates' data changed (arming quiescence timers once a template has rendered), render the
due ones, run the commands of those whose file changed, start or reload the ``-exec`` child,
and enforce missing-data deadlines. Everything it starts (the watcher, the file watch, the
child) is a task of its ``TaskGroup`` and is stopped before :meth:`Runner.run` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from cnslkit.api.client import Client
from cnslkit.child import Child, run_command
from cnslkit.quiescence import Quiescence
from cnslkit.watch import Subscription, Watcher
from templated import explain
from templated.config import Config, ExecConfig
from templated.errors import ExitCode, MissingDataError, RenderError, TemplatedError
from templated.filewatch import watch_files
from templated.output import command_env, guard, put, put_writes
from templated.signals import SignalInbox
from templated.state import TemplateState
from templated.template import Outcome, Template

__all__ = ["Runner"]

log = logging.getLogger(__name__)

_MAX_PASSES = 16
Command = str | tuple[str, ...]


class Runner:
    #: how often to say which data a template still waits for
    warn_every = 10.0

    def __init__(
        self,
        config: Config,
        *,
        reload_config: Callable[[], Config] | None = None,
        stdout: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        handle_signals: bool = True,
    ) -> None:
        self.config = config
        self.reload_config = reload_config
        self.stdout = stdout or sys.stdout
        self.clock = clock
        self.handle_signals = handle_signals
        self.wake = asyncio.Event()
        self.states = self._build(config)
        self.signals = SignalInbox(config.kill_signal, config.reload_signal, self.wake.set)
        self.reload_pending = False
        self.child: Child | None = None
        self.child_task: asyncio.Task[int] | None = None
        self.watcher: Watcher | None = None
        self.env = command_env(os.environ, config.client.address, config.client.token)
        self._stop_files = asyncio.Event()
        self._next_warning = 0.0

    # --- lifecycle ------------------------------------------------------------------------

    async def run(self) -> int:
        """Run until done (``-once``), stopped (signal) or failed; the exit code."""
        if self.config.parse_only:
            return ExitCode.OK
        loop = asyncio.get_running_loop()
        try:
            async with Client(self.config.client) as client:
                self.watcher = Watcher(
                    client,
                    wait=self.config.block_query_wait,
                    max_stale=self.config.max_stale,
                    retry=self.config.retry,
                )
                if self.handle_signals:
                    self.signals.install(loop)
                self._write_pid()  # once signals are handled: a pid file means "ready"
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(self.watcher.run(), name="watcher")
                    if self.config.watch_files and not self.config.once:
                        tg.create_task(self._watch_files(), name="files")
                    try:
                        return await self._guarded(tg)
                    finally:
                        await self._shutdown()
        finally:
            self.signals.uninstall(loop)
            self._remove_pid()

    async def _guarded(self, tg: asyncio.TaskGroup) -> int:
        try:
            if self.config.explain:
                return await self._explain()
            return await self._loop(tg)
        except TemplatedError as exc:
            print(f"templated: {exc}", file=sys.stderr)
            return exc.exit_code

    async def _shutdown(self) -> None:
        if self.child is not None and self.child.running:
            await self.child.stop(immediately=True)
        if self.child_task is not None:
            with contextlib.suppress(Exception):
                await self.child_task
        self._stop_files.set()
        for s in self.states:
            self._watcher().release(s.sub)
        self._watcher().stop()

    def _watcher(self) -> Watcher:
        assert self.watcher is not None
        return self.watcher

    # --- the loop -------------------------------------------------------------------------

    async def _loop(self, tg: asyncio.TaskGroup) -> int:
        first_done = False
        while True:
            self.wake.clear()
            code = await self._handle_signals()
            if code is not None:
                return code
            if self.reload_pending:
                self.reload_pending = False
                self._reload()
            now = self.clock()
            self._collect(now)
            if not (self.config.once and first_done):
                changed, commands = await self._render_due()
                await self._run_commands(commands)
                if not first_done and all(s.rendered for s in self.states):
                    first_done = True
                    log.info("all templates rendered")
                    if self.config.exec is None or self.config.dry:
                        if self.config.once:
                            return ExitCode.OK
                    else:
                        self._start_child(tg, self.config.exec)
                elif first_done and changed and self.child is not None:
                    await self.child.reload()
            if self.child_task is not None and self.child_task.done():
                return self._child_code()
            now = self.clock()
            self._check_deadlines(now)
            self._warn_waiting(now)
            await self._sleep(self._next_wake(now))

    def _collect(self, now: float) -> None:
        for s in self.states:
            errors = s.sub.errors()
            if errors:
                raise TemplatedError(str(errors[0]))
            if s.sub.drain():
                s.changed = True
            if s.changed:
                s.changed = False
                if s.quiet is not None and s.rendered:
                    s.quiet.update(now)
                else:
                    s.due = True
            if s.quiet is not None and s.quiet.due(now):
                s.quiet.reset()
                s.due = True

    async def _render_due(self) -> tuple[bool, list[tuple[Command, float]]]:
        changed = False
        commands: list[tuple[Command, float]] = []
        for s in self.states:
            if not s.due:
                continue
            s.due = False
            outcome = self._passes(s)
            if await self._put(s, outcome):
                changed = True
                cfg = s.template.config
                fresh = all(c != cfg.command for c, _t in commands)
                if cfg.command is not None and not self.config.dry and fresh:
                    commands.append((cfg.command, cfg.command_timeout))
        return changed, commands

    def _passes(self, s: TemplateState) -> Outcome:
        """Render until no new dependency with data already at hand turns up."""
        watcher = self._watcher()
        outcome = s.template.render(watcher.get)
        for _ in range(_MAX_PASSES):
            new = [d for k, d in outcome.used.items() if k not in s.deps]
            for dep in new:
                s.deps[dep.key] = dep
                watcher.watch(dep, s.sub)
            if outcome.complete:
                for key in [k for k in s.deps if k not in outcome.used]:
                    watcher.unwatch(s.deps.pop(key), s.sub)
            if not new or not all(watcher.has_data(d) for d in new):
                break
            outcome = s.template.render(watcher.get)
        return outcome

    async def _put(self, s: TemplateState, outcome: Outcome) -> bool:
        """Put a render in place; True when the destination changed."""
        now = self.clock()
        s.missing = outcome.missing
        if outcome.missing:
            for key in [k for k in s.missing_since if k not in outcome.missing]:
                del s.missing_since[key]
            for key in outcome.missing:
                s.missing_since.setdefault(key, now)
            return False
        s.missing_since.clear()
        if outcome.error is not None:
            if self.config.once or not s.rendered:
                raise outcome.error
            log.error("%s: %s (the file is left as it was)", s.name, outcome.error)
            return False
        assert outcome.content is not None
        cfg = s.template.config
        why = guard(cfg, outcome.content, s.collections, outcome.collections)
        if why:
            message = f"{s.name}: not rendered: {why} (allow_empty lets such renders through)"
            if self.config.once:
                raise RenderError(message)
            log.warning("%s", message)
            return False
        written = await put(
            cfg, outcome.content, dry=self.config.dry, stdout=self.stdout, env=self.env
        )
        if written.failed:
            if self.config.once:
                raise RenderError(f"{s.name}: {written.failed}")
            log.error("%s: %s", s.name, written.failed)
            return False
        failed = await put_writes(outcome.writes, dry=self.config.dry, stdout=self.stdout)
        if failed:  # the destination is in place; only a writeToFile failed
            if self.config.once:
                raise RenderError(f"{s.name}: {failed}")
            log.error("%s: %s", s.name, failed)
        s.rendered = True
        s.collections = outcome.collections
        return written.changed

    async def _run_commands(self, commands: list[tuple[Command, float]]) -> None:
        for command, timeout in commands:
            shown = command if isinstance(command, str) else " ".join(command)
            result = await run_command(command, timeout=timeout, env=self.env)
            if result.code == 0:
                continue
            why = "timed out" if result.timed_out else f"exited {result.code}"
            if self.config.once:
                raise RenderError(f"command {shown!r} {why}")
            log.error("command %r %s", shown, why)

    # --- child, signals, deadlines --------------------------------------------------------

    def _start_child(self, tg: asyncio.TaskGroup, cfg: ExecConfig) -> None:
        self.child = Child(
            cfg.command,
            env=child_env(self.env, cfg),
            kill_signal=cfg.kill_signal,
            kill_timeout=cfg.kill_timeout,
            reload_signal=cfg.reload_signal,
            splay=cfg.splay,
        )
        self.child_task = tg.create_task(self._run_child(self.child), name="child")
        self.child_task.add_done_callback(lambda _t: self.wake.set())

    @staticmethod
    async def _run_child(child: Child) -> int:
        try:
            return await child.run()
        except OSError as exc:
            raise TemplatedError(f"exec: cannot start {' '.join(child.argv)!r}: {exc}") from exc

    def _child_code(self) -> int:
        assert self.child_task is not None
        return self.child_task.result()

    async def _handle_signals(self) -> int | None:
        while self.signals.queue:
            sig = self.signals.queue.popleft()
            kind = self.signals.kind(sig)
            if kind == "kill":
                log.info("signal %d: stopping", sig)
                return ExitCode.INTERRUPTED
            if kind == "reload":
                log.info("signal %d: reloading", sig)
                self.reload_pending = True
            elif self.child is not None:
                await self.child.forward(sig)
        return None

    def _check_deadlines(self, now: float) -> None:
        late: list[str] = []
        for s in self.states:
            if s.rendered:
                continue
            for key, missing in s.missing.items():
                timeout = missing.timeout
                if timeout is None:
                    timeout = self.config.missing_timeout
                since = s.missing_since.get(key, now)
                if timeout > 0 and now - since >= timeout:
                    late.append(f"{s.name}: no data for {key} after {timeout:g}s: {missing.reason}")
        if late:
            raise MissingDataError("; ".join(late))

    def _warn_waiting(self, now: float) -> None:
        if now < self._next_warning:
            return
        if self._next_warning:
            for s in self.states:
                if s.missing:
                    waiting = ", ".join(f"{k} ({m.reason})" for k, m in sorted(s.missing.items()))
                    log.warning("%s: waiting for %s", s.name, waiting)
        self._next_warning = now + self.warn_every

    def _next_wake(self, now: float) -> float | None:
        times = [self._next_warning]
        for s in self.states:
            if s.quiet is not None and s.quiet.deadline is not None:
                times.append(s.quiet.deadline)
            if s.rendered:
                continue
            for key, missing in s.missing.items():
                timeout = (
                    missing.timeout if missing.timeout is not None else self.config.missing_timeout
                )
                if timeout > 0:
                    times.append(s.missing_since.get(key, now) + timeout)
        return max(0.0, min(times) - now)

    async def _sleep(self, seconds: float | None) -> None:
        try:
            async with asyncio.timeout(seconds):
                await self.wake.wait()
        except TimeoutError:
            pass

    # --- building and reloading -----------------------------------------------------------

    def _build(self, config: Config) -> list[TemplateState]:
        states = []
        for tc in config.templates:
            template = Template.load(tc)
            wait = tc.wait if tc.wait is not None else config.wait
            quiet = Quiescence(wait.min, wait.max) if wait.enabled and not config.once else None
            sub = Subscription(self.wake, tc.name)
            states.append(TemplateState(template, sub, quiet))
        return states

    def _reload(self) -> None:
        try:
            config = self.reload_config() if self.reload_config is not None else self.config
            states = self._build(config)
        except TemplatedError as exc:
            log.error("reload failed, keeping the running configuration: %s", exc)
            return
        watcher = self._watcher()
        old = {s.template.config.destination: s for s in self.states}
        for s in states:
            prev = old.get(s.template.config.destination)
            if prev is None:
                continue
            # Keep the shared queries alive across the swap and carry the history over.
            for dep in prev.deps.values():
                watcher.watch(dep, s.sub)
            s.deps = dict(prev.deps)
            s.rendered, s.collections = prev.rendered, prev.collections
        for s in self.states:
            watcher.release(s.sub)
        self.states = states
        self.config = _keep_runtime(self.config, config)
        log.info("reloaded: %d template(s)", len(states))

    async def _watch_files(self) -> None:
        def targets() -> tuple[set[str], set[str]]:
            files = {s.template.config.source for s in self.states if s.template.config.source}
            dirs: set[str] = set()
            for path in self.config.config_paths:
                full = os.path.abspath(path)
                (dirs if os.path.isdir(full) else files).add(full)
            return files, dirs

        def changed(_paths: set[str]) -> None:
            self.reload_pending = True
            self.wake.set()

        await watch_files(targets, changed, self._stop_files)

    async def _explain(self) -> int:
        deadline = self.clock() + (self.config.missing_timeout or 5.0)
        while True:
            self.wake.clear()
            for s in self.states:
                s.sub.drain()
                s.missing = self._passes(s).missing
            if all(not s.missing for s in self.states) or self.clock() >= deadline:
                break
            await self._sleep(max(0.0, deadline - self.clock()))
        self.stdout.write(explain.report(self.states, self._watcher()))
        self.stdout.flush()
        return ExitCode.OK if all(not s.missing for s in self.states) else ExitCode.MISSING

    # --- pid file -------------------------------------------------------------------------

    def _write_pid(self) -> None:
        if self.config.pid_file:
            with open(self.config.pid_file, "w", encoding="ascii") as fh:
                fh.write(f"{os.getpid()}\n")

    def _remove_pid(self) -> None:
        if self.config.pid_file:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.config.pid_file)


def _keep_runtime(running: Config, new: Config) -> Config:
    """A reload takes new templates and timings; Consul's address and the exec child stay."""
    from dataclasses import replace

    return replace(new, client=running.client, exec=running.exec, once=running.once)


def child_env(base: dict[str, str], cfg: ExecConfig) -> dict[str, str]:
    """consul-template's ``exec.env``: pristine, allowlist, denylist (wins), then custom."""
    env = {} if cfg.env_pristine else dict(base)
    if cfg.env_allowlist:
        env = {
            k: v for k, v in env.items() if any(fnmatch.fnmatch(k, g) for g in cfg.env_allowlist)
        }
    if cfg.env_denylist:
        env = {
            k: v for k, v in env.items() if not any(fnmatch.fnmatch(k, g) for g in cfg.env_denylist)
        }
    for item in cfg.env_custom:
        key, _, value = item.partition("=")
        env[key] = value
    return env
