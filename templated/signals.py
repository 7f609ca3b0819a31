"""Signals in, decisions out: which signal stops us, which reloads, which goes to the child.

Handlers only queue the signal and wake the runner (no work in a handler, nothing lost: the
queue is unbounded, unlike the one-slot channel of consul-template #1548). SIGINT always stops;
the configured kill signal (SIGTERM by default) too. SIGCHLD and SIGURG are never forwarded.
"""

from __future__ import annotations

import asyncio
import signal
from collections import deque
from collections.abc import Callable

__all__ = ["FORWARDED", "SignalInbox"]

FORWARDED = (
    signal.SIGHUP,
    signal.SIGTERM,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGQUIT,
    signal.SIGWINCH,
    signal.SIGCONT,
)


class SignalInbox:
    def __init__(self, kill: int | None, reload: int | None, wake: Callable[[], None]) -> None:
        self.kill = {signal.SIGINT} | ({kill} if kill else set())
        self.reload = reload
        self.queue: deque[int] = deque()
        self._wake = wake
        self._installed: list[int] = []

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        wanted = set(self.kill) | set(FORWARDED) | ({self.reload} if self.reload else set())
        for sig in sorted(wanted):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
                continue
            self._installed.append(sig)

    def uninstall(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in self._installed:
            loop.remove_signal_handler(sig)
        self._installed.clear()

    def _on_signal(self, sig: int) -> None:
        self.queue.append(sig)
        self._wake()

    def kind(self, sig: int) -> str:
        """``kill``, ``reload`` or ``forward``."""
        if sig in self.kill:
            return "kill"
        if sig == self.reload:
            return "reload"
        return "forward"
