"""The network coordinate table: one Vivaldi coordinate per (node, network segment).

Consul's ``coordinates`` table: updates arrive in batches (``CoordinateBatchUpdate``); an update
for a node the catalog does not know is dropped, since nothing would ever delete it, and
deregistering a node deletes its coordinates. Node names are case-insensitive keys, stored as the
update spelled them.

Indexes: every read reports the table index, the highest index of any coordinate write (a batch
bumps it even when every update in it was dropped, as Consul's does).
Watch key: ``("table", "coordinates")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from agentd.state.watch import WatchHub, WatchSet
from cnslkit.coordinate import Coord

TABLE = "coordinates"


@dataclass(frozen=True, slots=True)
class NodeCoord:
    """``structs.Coordinate``: a node's coordinate in one network segment."""

    node: str
    segment: str
    coord: Coord

    def to_json(self) -> dict[str, Any]:
        return {"Node": self.node, "Segment": self.segment, "Coord": self.coord.to_json()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> NodeCoord:
        return cls(str(raw["Node"]), str(raw.get("Segment") or ""), Coord.from_json(raw["Coord"]))


Key = tuple[str, str]  # (lower-cased node, segment)


class CoordinateTable:
    def __init__(self, hub: WatchHub) -> None:
        self._hub = hub
        self.coords: dict[Key, NodeCoord] = {}
        self.index = 0

    # ---- reads: watch set first, (index, result) back -------------------------------------

    def list_all(self, ws: WatchSet | None) -> tuple[int, list[NodeCoord]]:
        self._watch(ws)
        return self.index, [self.coords[k] for k in sorted(self.coords)]

    def of_node(self, ws: WatchSet | None, node: str) -> tuple[int, list[NodeCoord]]:
        self._watch(ws)
        key = node.lower()
        return self.index, [self.coords[k] for k in sorted(self.coords) if k[0] == key]

    def segments(self, node: str) -> dict[str, Coord]:
        """Segment -> coordinate of one node (Consul's ``lib.CoordinateSet``), unwatched."""
        key = node.lower()
        return {seg: c.coord for (n, seg), c in self.coords.items() if n == key}

    def _watch(self, ws: WatchSet | None) -> None:
        if ws is not None:
            ws.add(("table", TABLE))

    # ---- writes: index first ----------------------------------------------------------------

    def batch_update(
        self, index: int, updates: Iterable[NodeCoord], known: Callable[[str], bool]
    ) -> int:
        """Store each update whose node ``known`` accepts; the number stored."""
        stored = 0
        for update in updates:
            if not known(update.node):
                continue
            self.coords[(update.node.lower(), update.segment)] = update
            stored += 1
        self._touched(index)
        return stored

    def delete_node(self, index: int, node: str) -> bool:
        key = node.lower()
        gone = [k for k in self.coords if k[0] == key]
        for k in gone:
            del self.coords[k]
        if gone:
            self._touched(index)
        return bool(gone)

    def _touched(self, index: int) -> None:
        self.index = max(self.index, index)
        self._hub.notify(("table", TABLE))

    # ---- snapshot image ---------------------------------------------------------------------

    def image(self) -> dict[str, Any]:
        return {
            "Coordinates": [self.coords[k].to_json() for k in sorted(self.coords)],
            "Index": self.index,
        }

    def load(self, image: dict[str, Any]) -> None:
        self.coords = {}
        for raw in image.get("Coordinates") or []:
            c = NodeCoord.from_json(raw)
            self.coords[(c.node.lower(), c.segment)] = c
        index = image.get("Index", 0)
        self.index = index if isinstance(index, int) else 0
