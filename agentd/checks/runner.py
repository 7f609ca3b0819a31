"""CheckRunner: one periodic check (script, HTTP, TCP, UDP) from registration to removal.

The first probe runs after a random stagger within the interval (so a restart does not fire
every check at once), then one interval after each probe ends, so probes never overlap. Each
result goes through the threshold filter, and ``on_update`` hears only real changes. ``run()``
ends only by cancellation; its owner (the agent's TaskGroup) cancels it when the check is
removed or replaced. TTL and alias checks are not periodic: see ``ttl.py`` and ``alias.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final, Protocol

from agentd.checks import http, script, tcp, udp
from agentd.checks.definition import MIN_INTERVAL, CheckDefinition
from agentd.checks.result import CRITICAL, OnUpdate, Result
from agentd.checks.threshold import StatusFilter

__all__ = ["PERIODIC_TYPES", "CheckRunner", "Probe", "Rng", "open_probe"]

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[Result]]
Sleep = Callable[[float], Awaitable[None]]


class Rng(Protocol):
    """What the stagger needs from a random source (``random.Random`` fits)."""

    def random(self) -> float: ...


# Check type -> probe; one module per type. HTTP is opened separately: it owns a client.
_PROBES: Final[dict[str, Callable[[CheckDefinition], Awaitable[Result]]]] = {
    "script": script.probe,
    "tcp": tcp.probe,
    "udp": udp.probe,
}
# Registered and listed like any check, but reported critical with this reason.
_UNSUPPORTED: Final = {"grpc": "gRPC", "h2ping": "H2PING", "docker": "Docker", "os_service": "OS"}
PERIODIC_TYPES: Final = frozenset({"http", *_PROBES, *_UNSUPPORTED})


@contextlib.asynccontextmanager
async def open_probe(defn: CheckDefinition) -> AsyncIterator[Probe]:
    """The probe for ``defn``, with whatever it holds open (an HTTP client) for its lifetime."""
    kind = defn.type
    if kind == "http":
        async with http.make_client(defn) as client:
            yield functools.partial(http.probe, defn, client)
    elif kind in _PROBES:
        yield functools.partial(_PROBES[kind], defn)
    elif kind in _UNSUPPORTED:
        yield functools.partial(_unsupported, f"{_UNSUPPORTED[kind]} checks are not supported")
    else:
        raise ValueError(f"check {defn.check_id!r}: type {kind!r} is not a periodic check")


async def _unsupported(reason: str) -> Result:
    return Result(CRITICAL, reason)


class CheckRunner:
    def __init__(
        self,
        defn: CheckDefinition,
        on_update: OnUpdate,
        *,
        status: str = "",
        output: str = "",
        probe: Probe | None = None,
        rng: Rng | None = None,
        sleep: Sleep = asyncio.sleep,
        min_interval: float = MIN_INTERVAL,
    ) -> None:
        """``status``/``output``: what the agent's state holds now (default: the definition's
        initial status, else critical); only differences from it are reported. ``probe``
        replaces the real one (tests); ``min_interval`` exists so tests can run faster than 1s.
        """
        if probe is None and defn.type not in PERIODIC_TYPES:
            raise ValueError(f"check {defn.check_id!r}: type {defn.type!r} is not periodic")
        self.defn = defn
        self.check_id = defn.check_id
        self.interval = max(defn.interval, min_interval)
        self._on_update = on_update
        self._probe = probe
        self._rng: Rng = rng if rng is not None else random.Random()
        self._sleep = sleep
        self._filter = StatusFilter(
            defn.success_before_passing,
            defn.failures_before_warning,
            defn.failures_before_critical,
        )
        self._reported = Result(status or defn.status or CRITICAL, output)

    @property
    def reported(self) -> Result:
        """The last status and output reported (or the starting state)."""
        return self._reported

    async def run(self) -> None:
        await self._sleep(self._rng.random() * self.interval)
        async with self._opened() as probe:
            while True:
                await self._check(probe)
                await self._sleep(self.interval)

    async def check_once(self) -> Result:
        """Probe now, outside the schedule, and apply the result; returns the reported state."""
        async with self._opened() as probe:
            await self._check(probe)
        return self._reported

    def apply(self, result: Result) -> bool:
        """Feed one probe result through the thresholds; True if it was reported."""
        filtered = self._filter.update(result.status, result.output)
        if filtered is None or filtered == self._reported:
            return False
        self._reported = filtered
        self._on_update(self.check_id, filtered.status, filtered.output)
        return True

    def _opened(self) -> contextlib.AbstractAsyncContextManager[Probe]:
        if self._probe is not None:
            return contextlib.nullcontext(self._probe)
        return open_probe(self.defn)

    async def _check(self, probe: Probe) -> None:
        # The loop must outlive any single bad probe or callback: log and carry on.
        try:
            result = await probe()
        except Exception as exc:
            log.exception("check %s: probe failed", self.check_id)
            result = Result(CRITICAL, f"check failed: {exc}")
        try:
            if self.apply(result):
                log.debug("check %s: %s", self.check_id, result.status)
        except Exception:
            log.exception("check %s: on_update failed", self.check_id)
