"""Real agents for tests: one in a thread of this process, or one in a child process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentd.config import load
from agentd.flags import parse_flags

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        time.sleep(interval)


class AgentThread:
    """An Agent on its own event loop in a thread, serving on port 0."""

    def __init__(self, *flags: str) -> None:
        argv = ["-dev", "-node", "test-node", "-http-port", "0", "-dns-port", "-1", *flags]
        self.config = load(parse_flags(argv))
        self._thread = threading.Thread(target=self._main, name="agent", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self.error: BaseException | None = None
        self.agent: Any = None

    def _main(self) -> None:
        from agentd.agent import Agent

        async def run() -> None:
            self._loop = asyncio.get_running_loop()
            self.agent = Agent(self.config)
            task = asyncio.create_task(self.agent.run())
            ready = asyncio.create_task(self.agent.ready.wait())
            await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            self._started.set()
            await task

        try:
            try:
                import uvloop  # the loop agentd runs on in production

                uvloop.run(run())
            except ImportError:
                asyncio.run(run())
        except BaseException as exc:  # reported to the test
            self.error = exc
        finally:
            self._started.set()

    def start(self) -> AgentThread:
        self._thread.start()
        self._started.wait(30)
        if self.error is not None or not self.agent or not self.agent.http_addrs:
            raise RuntimeError(f"agent failed to start: {self.error!r}")
        return self

    @property
    def url(self) -> str:
        return next(a for a in self.agent.http_addrs if a.startswith("http"))

    @property
    def http_addr(self) -> str:
        return self.url.removeprefix("http://")

    def call(self, fn: Callable[[], Any]) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(fn)

    def stop(self) -> None:
        if self._loop is not None and self._thread.is_alive():
            self.call(self.agent.stop)
        self._thread.join(15)


_LISTEN = re.compile(r"HTTP API listening on (\S+)")


class AgentProcess:
    """``python -m agentd`` as a child process; its HTTP address is read from its log."""

    def __init__(self, *flags: str, env: dict[str, str] | None = None) -> None:
        self.flags = list(flags)
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[str] | None = None
        self.addrs: list[str] = []
        self.lines: list[str] = []

    def start(self, timeout: float = 20.0) -> AgentProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agentd", *self.flags],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            cwd=ROOT,
        )
        self.addrs = []
        threading.Thread(target=self._read, daemon=True).start()
        wait_for(
            lambda: "agent: started" in "".join(self.lines) or self.proc.poll() is not None, timeout
        )
        if self.proc.poll() is not None:
            raise RuntimeError("agentd exited:\n" + "".join(self.lines))
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            m = _LISTEN.search(line)
            if m:
                self.addrs.append(m.group(1))

    @property
    def url(self) -> str:
        return next(a for a in self.addrs if a.startswith("http"))

    @property
    def http_addr(self) -> str:
        return self.url.removeprefix("http://")

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 15.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
