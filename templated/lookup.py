"""One render pass's view of the data: what the template asked for, what it got, what is missing.

Template functions (``key``, ``service`` ...) turn their argument into a dependency and ask the
:class:`Pass`. Before a dependency's first answer the pass returns the dependency's placeholder
(an empty string or list) and records it as missing, so one pass discovers every dependency it
can (consul-template's n-pass model) and the render is not used. A ``key`` whose key does not
exist is missing too (it "blocks until the key exists"), unless the call gave a ``default``.

A call may carry its own ``timeout`` (a Go duration): how long its data may stay missing before
the render fails with a message naming it, instead of waiting forever.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cnslkit.duration import parse_duration
from cnslkit.watch.dependency import Dependency

__all__ = ["DataSource", "Missing", "Pass"]

DataSource = Callable[[Dependency], tuple[bool, Any]]


@dataclass(frozen=True, slots=True)
class Missing:
    """Why ``dep`` holds the render back, and how long it may (None: the global deadline)."""

    dep: Dependency
    reason: str
    timeout: float | None = None


class Pass:
    """Collects a pass's dependencies; ``source(dep)`` is ``(has_data, data)``."""

    def __init__(self, source: DataSource) -> None:
        self.source = source
        self.used: dict[str, Dependency] = {}
        self.missing: dict[str, Missing] = {}
        #: collection dependencies read this pass -> whether they were non-empty
        self.collections: dict[str, bool] = {}

    def get(self, dep: Dependency, timeout: str | float | None = None) -> tuple[bool, Any]:
        """The data of ``dep`` (its placeholder while it has none yet)."""
        self.used[dep.key] = dep
        has, data = self.source(dep)
        if not has:
            self.miss(dep, "no data yet", timeout)
            return False, dep.empty()
        if dep.collection:
            self.collections[dep.key] = bool(data) or self.collections.get(dep.key, False)
        return True, data

    def miss(self, dep: Dependency, reason: str, timeout: str | float | None = None) -> None:
        seconds = parse_duration(timeout) if isinstance(timeout, str) else timeout
        if dep.key not in self.missing:
            self.missing[dep.key] = Missing(dep, reason, seconds)

    @property
    def complete(self) -> bool:
        return not self.missing
