"""Network coordinates: serf's Vivaldi ``coordinate.Coordinate`` as Consul's API carries it, and
the round-trip estimate between two of them (shared by the agent and ``cnsl rtt``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["DIMENSIONS", "ORIGIN", "Coord"]

DIMENSIONS = 8


@dataclass(frozen=True, slots=True)
class Coord:
    """serf's ``coordinate.Coordinate``: a point, its error, an adjustment and a height (s)."""

    vec: tuple[float, ...]
    error: float
    adjustment: float
    height: float

    def to_json(self) -> dict[str, Any]:
        return {
            "Vec": list(self.vec),
            "Error": self.error,
            "Adjustment": self.adjustment,
            "Height": self.height,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Coord:
        """Decode Consul's JSON shape (keys matched case-insensitively); ValueError if a field
        has the wrong type."""
        if not isinstance(raw, dict):
            raise ValueError("Coord must be an object")
        f = {str(k).lower(): v for k, v in raw.items()}
        vec = f.get("vec") or []
        if not isinstance(vec, list) or not all(_number(v) for v in vec):
            raise ValueError("Coord.Vec must be a list of numbers")
        values = []
        for name in ("error", "adjustment", "height"):
            value = f.get(name, 0.0)
            if value is None:
                value = 0.0
            if not _number(value):
                raise ValueError(f"Coord.{name.capitalize()} must be a number")
            values.append(float(value))
        return cls(tuple(float(v) for v in vec), *values)

    def is_valid(self) -> bool:
        """serf's ``IsValid``: every component finite (older clients sent NaN and Inf)."""
        return all(math.isfinite(v) for v in (*self.vec, self.error, self.adjustment, self.height))

    def compatible(self, other: Coord) -> bool:
        return len(self.vec) == len(other.vec)

    def distance_to(self, other: Coord) -> float:
        """serf's ``DistanceTo`` in seconds (infinite between incompatible coordinates)."""
        if not self.compatible(other):
            return math.inf
        return self.distance_ns(other) / 1e9

    def distance_ns(self, other: Coord) -> int:
        """serf's ``DistanceTo`` as Go's Duration (whole nanoseconds): the Euclidean distance plus
        both heights, plus both adjustments when that stays positive. ValueError between
        coordinates of different dimensions."""
        if not self.compatible(other):
            raise ValueError("coordinate dimensionality does not match")
        dist = math.sqrt(sum((a - b) ** 2 for a, b in zip(self.vec, other.vec, strict=True)))
        dist += self.height + other.height
        adjusted = dist + self.adjustment + other.adjustment
        if adjusted > 0.0:
            dist = adjusted
        return int(dist * 1e9)


# A fresh Vivaldi client's coordinate (serf's NewCoordinate with Consul's defaults).
ORIGIN = Coord((0.0,) * DIMENSIONS, 1.5, 0.0, 1.0e-5)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
