"""Quiescence (``wait = "min:max"``): render ``min`` after the last change, but never later than
``max`` after the first change of a burst. Pure: callers pass ``now``."""

from __future__ import annotations

__all__ = ["Quiescence"]


class Quiescence:
    __slots__ = ("deadline", "first", "max", "min")

    def __init__(self, min_wait: float, max_wait: float) -> None:
        self.min = min_wait
        self.max = max(max_wait, min_wait)
        self.first: float | None = None
        self.deadline: float | None = None

    def update(self, now: float) -> None:
        """A change arrived: push the render back by ``min``, within ``max`` of the first."""
        if self.first is None:
            self.first = now
        self.deadline = min(now + self.min, self.first + self.max)

    def due(self, now: float) -> bool:
        return self.deadline is not None and now >= self.deadline

    def reset(self) -> None:
        self.first = self.deadline = None
