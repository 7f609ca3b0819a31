"""Blocking queries: the one function every read goes through.

Consul's rules: no ``?index`` (or 0) means answer now; otherwise answer as soon as the result's
index is above it, or when the wait (default 5 min, at most 10 min, plus up to wait/16 of jitter)
runs out, with whatever is current then. The index is never 0.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from agentd.state.watch import WatchSet

T = TypeVar("T")

LEADER = "leader"
STALE = "stale"
CONSISTENT = "consistent"


@dataclass(frozen=True, slots=True)
class QueryOptions:
    min_index: int = 0
    wait: float = 0.0  # requested; 0 = the agent's default
    consistency: str = LEADER


@dataclass(frozen=True, slots=True)
class QueryMeta:
    index: int
    known_leader: bool = True
    last_contact: int = 0  # ms
    consistency: str = LEADER


def timeout_for(wait: float, default: float, maximum: float, rng: random.Random) -> float:
    if wait <= 0:
        wait = default
    wait = min(wait, maximum)
    return wait + rng.random() * (wait / 16)


_rng = random.Random()


async def blocking_query(
    new_watch_set: Callable[[], WatchSet],
    opts: QueryOptions,
    query: Callable[[WatchSet], tuple[int, T]],
    *,
    default_wait: float = 300.0,
    max_wait: float = 600.0,
) -> tuple[int, T]:
    """Run ``query`` until its index passes ``opts.min_index`` or the wait runs out."""
    ws = new_watch_set()
    index, result = query(ws)
    if opts.min_index <= 0 or index > opts.min_index:
        return max(index, 1), result
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_for(opts.wait, default_wait, max_wait, _rng)
    resets = ws.resets
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        changed = await ws.wait(remaining)
        ws = new_watch_set()
        index, result = query(ws)
        # after a restore the index may not pass the client's: answer anyway, as Consul does
        if index > opts.min_index or not changed or ws.resets != resets:
            break
    return max(index, 1), result
