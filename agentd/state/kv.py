"""The KV table: entries, tombstones and the indexes blocking queries report.

Index rules (Consul's): a single key reports its ModifyIndex, or the table index when absent; a
prefix reports the highest ModifyIndex among its entries and tombstones, or the table index when
that is 0.
Tombstones keep a prefix's index from sliding back when keys under it are deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from sortedcontainers import SortedDict

from agentd.state.watch import WatchHub, WatchSet

TABLE = "kvs"


@dataclass(frozen=True, slots=True)
class KVEntry:
    key: str
    flags: int = 0
    value: bytes | None = None
    session: str = ""
    lock_index: int = 0
    create_index: int = 0
    modify_index: int = 0


def _prefix_range(sd: SortedDict, prefix: str) -> Iterator[str]:
    for key in sd.irange(minimum=prefix):
        if not key.startswith(prefix):
            return
        yield key


class KVTable:
    def __init__(self, hub: WatchHub) -> None:
        self._hub = hub
        self.entries: SortedDict = SortedDict()  # key -> KVEntry
        self.tombstones: SortedDict = SortedDict()  # key -> index of deletion
        self.index = 0  # highest index of any KV write, deletes included
        self.newest_tombstone = 0
        self._held: dict[str, set[str]] = {}  # session ID -> keys it holds (locks)

    # ---- reads: watch set first, (index, result) back -------------------------------------

    def get(self, ws: WatchSet | None, key: str) -> tuple[int, KVEntry | None]:
        if ws is not None:
            ws.add(("kv", key))
        entry: KVEntry | None = self.entries.get(key)
        if entry is not None:
            return entry.modify_index, entry
        return self.index, None

    def tree(self, ws: WatchSet | None, prefix: str) -> tuple[int, list[KVEntry]]:
        if ws is not None:
            ws.add(("kvp", prefix))
        entries = [self.entries[k] for k in _prefix_range(self.entries, prefix)]
        return self._prefix_index(prefix, entries), entries

    def keys(self, ws: WatchSet | None, prefix: str, separator: str) -> tuple[int, list[str]]:
        index, entries = self.tree(ws, prefix)
        if not separator:
            return index, [e.key for e in entries]
        out: list[str] = []
        start = len(prefix)
        for e in entries:
            cut = e.key.find(separator, start)
            key = e.key if cut < 0 else e.key[: cut + len(separator)]
            if not out or out[-1] != key:
                out.append(key)
        return index, out

    def held_by(self, session_id: str) -> list[KVEntry]:
        """The entries locked by ``session_id``, in key order (no scan of the table)."""
        return [self.entries[k] for k in sorted(self._held.get(session_id, ()))]

    def _prefix_index(self, prefix: str, entries: list[KVEntry]) -> int:
        if not prefix:
            return self.index
        idx = max((e.modify_index for e in entries), default=0)
        for key in _prefix_range(self.tombstones, prefix):
            idx = max(idx, self.tombstones[key])
        return idx or self.index

    # ---- writes: index first ----------------------------------------------------------------

    def put(self, index: int, entry: KVEntry) -> KVEntry:
        """Store ``entry`` as of ``index``; CreateIndex is kept for an existing key."""
        old: KVEntry | None = self.entries.get(entry.key)
        create = old.create_index if old is not None else index
        new = replace(entry, create_index=create, modify_index=index)
        self.entries[entry.key] = new
        if old is not None and old.session != new.session:
            self._unhold(old)
        if new.session:
            self._held.setdefault(new.session, set()).add(new.key)
        self.tombstones.pop(entry.key, None)
        self._touched(index, entry.key)
        return new

    def delete(self, index: int, key: str) -> bool:
        old = self.entries.pop(key, None)
        if old is None:
            return False
        self._unhold(old)
        self.tombstones[key] = index
        self.newest_tombstone = index
        self._touched(index, key)
        return True

    def delete_tree(self, index: int, prefix: str) -> int:
        keys = list(_prefix_range(self.entries, prefix))
        for key in keys:
            self._unhold(self.entries.pop(key))
            self.tombstones[key] = index
            self._touched(index, key)
        if keys:
            self.newest_tombstone = index
        return len(keys)

    def _unhold(self, entry: KVEntry) -> None:
        keys = self._held.get(entry.session) if entry.session else None
        if keys is not None:
            keys.discard(entry.key)
            if not keys:
                del self._held[entry.session]

    def reap_tombstones(self, index: int) -> int:
        doomed = [k for k, i in self.tombstones.items() if i <= index]
        for key in doomed:
            del self.tombstones[key]
        return len(doomed)

    def _touched(self, index: int, key: str) -> None:
        self.index = max(self.index, index)
        hub = self._hub
        if len(hub) == 0:
            return
        hub.notify(("kv", key))
        for i in range(len(key) + 1):
            hub.notify(("kvp", key[:i]))
        hub.notify(("table", TABLE))

    # ---- snapshot image ---------------------------------------------------------------------

    def image(self) -> dict[str, object]:
        return {
            "Entries": [
                (e.key, e.flags, e.value, e.session, e.lock_index, e.create_index, e.modify_index)
                for e in self.entries.values()
            ],
            "Tombstones": list(self.tombstones.items()),
            "Index": self.index,
        }

    def load(self, image: dict[str, object]) -> None:
        entries = image.get("Entries") or []
        tombstones = image.get("Tombstones") or []
        assert isinstance(entries, list) and isinstance(tombstones, list)
        self.entries = SortedDict({row[0]: KVEntry(*row) for row in entries})
        self._held = {}
        for e in self.entries.values():
            if e.session:
                self._held.setdefault(e.session, set()).add(e.key)
        self.tombstones = SortedDict({k: i for k, i in tombstones})
        self.newest_tombstone = max(self.tombstones.values(), default=0)
        index = image.get("Index", 0)
        self.index = index if isinstance(index, int) else 0
