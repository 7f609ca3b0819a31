"""Every blocking-query rule, in one sans-IO class: answers and clock readings in, decisions out.

The rules are consul-template's (``watch/view.go``) and Consul's (``api/watch/plan.go``):

- the same index as last time means nothing changed (a wait that timed out);
- an index that went backwards (a snapshot restore, a new leader) resets the index to 0, so
  the next query answers at once and re-establishes where we are;
- an index below 1 is read as 1, because index 0 would make the next query non-blocking and
  the loop would spin;
- data equal to what is held is suppressed, however much the index moved;
- fetches start at least ``min_interval`` apart plus up to ``jitter``, so a hot key cannot make
  a view spin;
- with ``max_stale`` > 0 queries go to any server (``?stale``) as long as the answering server
  heard from the leader within ``max_stale``; otherwise the answer is dropped and asked again of
  the leader, after which stale reads resume;
- a failure sleeps ``backoff * 2**(n-1)`` capped at ``max_backoff``, less up to a quarter of
  jitter, and gives up after ``attempts`` failures in a row (0: never); a success resets it.

Nothing here sleeps, reads a clock or draws a random number: callers pass ``now`` and ``rand``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnslkit.watch.dependency import Fetched, QueryOptions

__all__ = ["RetryPolicy", "ViewState"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """consul-template's ``retry {}`` block (the defaults are its defaults)."""

    enabled: bool = True
    attempts: int = 12
    backoff: float = 0.25
    max_backoff: float = 60.0

    def delay(self, failures: int, rand: float) -> float | None:
        """Seconds to sleep after the ``failures``-th failure in a row; None to give up."""
        if not self.enabled or (self.attempts and failures > self.attempts):
            return None
        base: float = min(self.backoff * 2.0 ** min(failures - 1, 62), self.max_backoff)
        return base * (1.0 - 0.25 * rand)


class ViewState:
    """Where one dependency's blocking-query loop stands: index, data, staleness, failures."""

    __slots__ = (
        "allow_stale",
        "data",
        "failures",
        "has_data",
        "index",
        "jitter",
        "max_stale",
        "min_interval",
        "retry",
        "started",
    )

    def __init__(
        self,
        *,
        max_stale: float = 0.0,
        retry: RetryPolicy | None = None,
        min_interval: float = 0.1,
        jitter: float = 0.02,
    ) -> None:
        self.index = 0
        self.data: Any = None
        self.has_data = False
        self.failures = 0
        self.max_stale = max_stale
        self.allow_stale = max_stale > 0
        self.retry = retry if retry is not None else RetryPolicy()
        self.min_interval = min_interval
        self.jitter = jitter
        self.started: float | None = None

    def pause(self, now: float, rand: float) -> float:
        """How long to wait before the next fetch so fetches start ``min_interval`` apart."""
        if self.started is None:
            return 0.0
        remaining = self.min_interval - (now - self.started)
        return remaining + self.jitter * rand if remaining > 0 else 0.0

    def options(self, wait: float, now: float) -> QueryOptions:
        """The next query; call it as the fetch starts."""
        self.started = now
        return QueryOptions(index=self.index, wait=wait, stale=self.allow_stale)

    def on_success(self, answer: Fetched) -> bool:
        """Take an answer in; True when consumers must hear of new data."""
        self.failures = 0
        if self.allow_stale and answer.last_contact > self.max_stale:
            self.allow_stale = False  # ask the leader once, then go back to stale reads
            return False
        if self.max_stale > 0:
            self.allow_stale = True
        index = max(answer.index, 1)
        if index == self.index:
            return False
        if index < self.index:
            self.index = 0
            return False
        self.index = index
        if self.has_data and answer.data == self.data:
            return False
        self.data = answer.data
        self.has_data = True
        return True

    def on_error(self, rand: float) -> float | None:
        """A failed fetch: the seconds to back off, or None when the policy gives up."""
        self.failures += 1
        return self.retry.delay(self.failures, rand)
