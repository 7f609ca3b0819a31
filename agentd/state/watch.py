"""Watch channels: how a write wakes exactly the blocking queries that read what it changed.

A *watch key* names something a read looked at: ``("kv", key)``, ``("kvp", prefix)``,
``("table", name)``. Each watched key has at most one pending future, shared by every waiter, so a
write costs one dict lookup per touched key plus one wake-up per waiting request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable


class WatchHub:
    def __init__(self) -> None:
        self._channels: dict[Hashable, asyncio.Future[None]] = {}
        self.resets = 0  # bumped when the whole state is replaced (snapshot restore)

    def channel(self, wkey: Hashable) -> asyncio.Future[None]:
        fut = self._channels.get(wkey)
        if fut is None or fut.done():
            fut = asyncio.get_running_loop().create_future()
            self._channels[wkey] = fut
        return fut

    def notify(self, wkey: Hashable) -> None:
        fut = self._channels.pop(wkey, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    def notify_many(self, wkeys: Iterable[Hashable]) -> None:
        if not self._channels:
            return
        for wkey in wkeys:
            self.notify(wkey)

    def notify_all(self) -> None:
        """Wake everyone (snapshot restore replaces the whole state)."""
        self.resets += 1
        channels, self._channels = self._channels, {}
        for fut in channels.values():
            if not fut.done():
                fut.set_result(None)

    def __len__(self) -> int:
        return len(self._channels)


class WatchSet:
    """What one read looked at; ``wait`` returns when any of it changes or the timeout passes."""

    __slots__ = ("_hub", "_keys")

    def __init__(self, hub: WatchHub) -> None:
        self._hub = hub
        self._keys: list[Hashable] = []

    @property
    def resets(self) -> int:
        return self._hub.resets

    def add(self, wkey: Hashable) -> None:
        self._keys.append(wkey)

    async def wait(self, timeout: float) -> bool:
        """True if something changed, False on timeout."""
        if not self._keys:
            await asyncio.sleep(timeout)
            return False
        futs = {self._hub.channel(k) for k in self._keys}
        done, _ = await asyncio.wait(futs, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        return bool(done)
