"""Consul's client-side lock and semaphore recipes (Go's ``api/lock.go``, ``api/semaphore.go``).

Other Consul clients contend for the same keys, so the keys, flags, JSON and the order of reads
and writes are Consul's exactly:

* :class:`Lock`: key ``K`` holds flags :data:`LOCK_FLAG`. Wait with blocking reads while another
  session holds it, ``?acquire`` it, and on failure either wait again (someone else won) or
  sleep ``retry_time`` (a lock-delay is in force).
* :class:`Semaphore`: under prefix ``P`` each contender holds ``P/<session>`` (flags
  :data:`SEMAPHORE_FLAG`); ``P/.lock`` holds ``{"Limit":N,"Holders":{"<session>":true}}``,
  changed only by check-and-set; holders whose contender key is no longer locked are pruned.

Both take a session the caller created (and renews, and destroys): the recipe only reads and
writes keys. :meth:`acquire` returns False when ``try_once`` ran out of time; :meth:`monitor`
returns when the session no longer holds the lock (or the agent stayed unreachable for more than
``monitor_retries`` attempts).
"""

from __future__ import annotations

import asyncio
import json
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cnslkit.api.errors import ApiError, LockConflict, LockError, LockInUse, TransportError
from cnslkit.api.kv import KV
from cnslkit.api.models import KVPair

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = [
    "LOCK_FLAG",
    "SEMAPHORE_FLAG",
    "SEMAPHORE_KEY",
    "Lock",
    "LockOptions",
    "Semaphore",
    "SemaphoreState",
    "join",
    "retryable",
]

LOCK_FLAG = 0x2DDCCBC058A50C18
SEMAPHORE_FLAG = 0xE0F69A2BAA414DE0
SEMAPHORE_KEY = ".lock"
LOCK_SESSION_NAME = "Consul API Lock"
SEMAPHORE_SESSION_NAME = "Consul API Semaphore"
SESSION_TTL = "15s"


@dataclass(frozen=True, slots=True)
class LockOptions:
    """How to wait. ``try_once``: give up after ``wait_time`` in all (Go's LockTryOnce)."""

    value: bytes | None = None
    wait_time: float = 15.0
    retry_time: float = 5.0
    try_once: bool = False
    monitor_retries: int = 0
    monitor_retry_time: float = 2.0


def join(prefix: str, name: str) -> str:
    """Go's ``path.Join(prefix, name)``: "" parts dropped, the result cleaned."""
    joined = posixpath.join(prefix, name) if prefix else name
    return posixpath.normpath(joined) if joined else ""


def retryable(exc: ApiError) -> bool:
    """Go's ``IsRetryableError``: no response at all, or a 500 from the agent."""
    return isinstance(exc, TransportError) or exc.status == 500


def _wrap(what: str, exc: ApiError) -> ApiError:
    return ApiError(exc.status, f"{what}: {exc}")


class _Budget:
    """``try_once`` bookkeeping: how long the next blocking read may wait, None when spent."""

    def __init__(self, opts: LockOptions) -> None:
        self._opts = opts
        self._start = asyncio.get_running_loop().time()
        self._attempts = 0

    def next_wait(self) -> float | None:
        wait = self._opts.wait_time
        if self._opts.try_once and self._attempts > 0:
            elapsed = asyncio.get_running_loop().time() - self._start
            if elapsed > self._opts.wait_time:
                return None
            wait = self._opts.wait_time - elapsed
        self._attempts += 1
        return wait


class Lock:
    """A mutex on one key (``consul lock`` uses ``<prefix>/.lock``)."""

    session_name = LOCK_SESSION_NAME
    behavior = "release"

    def __init__(self, client: Client, key: str, opts: LockOptions | None = None) -> None:
        if not key:
            raise LockError("missing key")
        self.key = key
        self.opts = opts or LockOptions()
        self._kv = KV(client)

    async def _get(
        self, index: int = 0, wait: float | None = None, consistent: bool = False
    ) -> tuple[KVPair | None, int]:
        try:
            pair, meta = await self._kv.get(self.key, index=index, wait=wait, consistent=consistent)
        except ApiError as exc:
            raise _wrap("failed to read lock", exc) from exc
        return pair, meta.index

    async def acquire(self, session: str) -> bool:
        """Block until ``session`` holds the key; False when ``try_once`` timed out."""
        budget, index = _Budget(self.opts), 0
        while (wait := budget.next_wait()) is not None:
            pair, last = await self._get(index, wait)
            if pair is not None and pair.flags != LOCK_FLAG:
                raise LockConflict("Existing key does not match lock use")
            if pair is not None and pair.session:
                index = last
                continue
            try:
                locked = await self._kv.put(
                    self.key, self.opts.value, flags=LOCK_FLAG, acquire=session
                )
            except ApiError as exc:
                raise _wrap("failed to acquire lock", exc) from exc
            if locked:
                return True
            # Lost a race (someone holds it now: wait on them) or a lock-delay is in force.
            pair, last = await self._get(0, wait)
            if pair is not None and pair.session:
                index = last
                continue
            index = 0
            await asyncio.sleep(self.opts.retry_time)
        return False

    async def monitor(self, session: str) -> None:
        """Return once ``session`` no longer holds the key (consistent blocking reads)."""
        index, retries = 0, self.opts.monitor_retries
        while True:
            try:
                pair, index = await self._get(index, consistent=True)
            except ApiError as exc:
                if retries > 0 and retryable(exc):
                    retries, index = retries - 1, 0
                    await asyncio.sleep(self.opts.monitor_retry_time)
                    continue
                return
            retries = self.opts.monitor_retries
            if pair is None or pair.session != session:
                return

    async def release(self, session: str) -> None:
        try:
            await self._kv.put(self.key, self.opts.value, flags=LOCK_FLAG, release=session)
        except ApiError as exc:
            raise _wrap("failed to release lock", exc) from exc

    async def destroy(self) -> None:
        """Delete the key if nobody holds it; LockInUse when someone does."""
        pair, _ = await self._get()
        if pair is None:
            return
        if pair.flags != LOCK_FLAG:
            raise LockConflict("Existing key does not match lock use")
        if pair.session:
            raise LockInUse("Lock in use")
        try:
            removed = await self._kv.delete(self.key, cas=pair.modify_index)
        except ApiError as exc:
            raise _wrap("failed to remove lock", exc) from exc
        if not removed:
            raise LockInUse("Lock in use")


@dataclass(slots=True)
class SemaphoreState:
    """The JSON in ``<prefix>/.lock``: the agreed limit and the holders' session IDs."""

    limit: int
    holders: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def decode(cls, value: bytes | None, default_limit: int) -> SemaphoreState:
        if value is None:
            return cls(default_limit)
        try:
            obj = json.loads(value)
            fields = {str(k).lower(): v for k, v in obj.items()}  # Go matches names case-blind
            holders = fields.get("holders") or {}
            return cls(int(fields.get("limit") or 0), {str(k): bool(v) for k, v in holders.items()})
        except (ValueError, TypeError, AttributeError) as exc:
            raise LockError(f"lock decoding failed: {exc}") from None

    def encode(self) -> bytes:
        holders = dict(sorted(self.holders.items()))  # Go marshals maps with sorted keys
        return json.dumps({"Limit": self.limit, "Holders": holders}, separators=(",", ":")).encode()

    def prune(self, pairs: list[KVPair]) -> None:
        """Drop holders whose session no longer locks any key under the prefix."""
        alive = {p.session for p in pairs if p.session}
        self.holders = {s: v for s, v in self.holders.items() if s in alive}


class Semaphore:
    """Up to ``limit`` concurrent holders under ``prefix``."""

    session_name = SEMAPHORE_SESSION_NAME
    behavior = "delete"  # a dead holder's contender key disappears with its session

    def __init__(
        self, client: Client, prefix: str, limit: int, opts: LockOptions | None = None
    ) -> None:
        if not prefix:
            raise LockError("missing prefix")
        if limit <= 0:
            raise LockError("semaphore limit must be positive")
        self.prefix, self.limit = prefix, limit
        self.key = join(prefix, SEMAPHORE_KEY)
        self.opts = opts or LockOptions()
        self._kv = KV(client)

    async def _list(
        self, index: int = 0, wait: float | None = None, consistent: bool = False
    ) -> tuple[list[KVPair], int]:
        try:
            pairs, meta = await self._kv.get_tree(
                self.prefix, index=index, wait=wait, consistent=consistent
            )
        except ApiError as exc:
            raise _wrap("failed to read prefix", exc) from exc
        return pairs, meta.index

    def _lock_pair(self, pairs: list[KVPair]) -> KVPair:
        found = next((p for p in pairs if p.key == self.key), None)
        return found or KVPair(self.key, None, flags=SEMAPHORE_FLAG)

    async def _cas(self, state: SemaphoreState, index: int) -> bool:
        try:
            return await self._kv.put(self.key, state.encode(), flags=SEMAPHORE_FLAG, cas=index)
        except ApiError as exc:
            raise _wrap("failed to update lock", exc) from exc

    async def acquire(self, session: str) -> bool:
        """Block until ``session`` holds a slot; False when ``try_once`` timed out."""
        contender = join(self.prefix, session)
        try:
            made = await self._kv.put(
                contender, self.opts.value, flags=SEMAPHORE_FLAG, acquire=session
            )
        except ApiError as exc:
            raise _wrap("failed to make contender entry", exc) from exc
        if not made:
            raise LockError("failed to make contender entry: <nil>")
        budget, index = _Budget(self.opts), 0
        while (wait := budget.next_wait()) is not None:
            pairs, last = await self._list(index, wait)
            lock_pair = self._lock_pair(pairs)
            if lock_pair.flags != SEMAPHORE_FLAG:
                raise LockConflict("Existing key does not match semaphore use")
            state = SemaphoreState.decode(lock_pair.value, self.limit)
            if state.limit != self.limit:
                raise LockConflict(
                    f"semaphore limit conflict (lock: {state.limit}, local: {self.limit})"
                )
            state.prune(pairs)
            if len(state.holders) >= state.limit:
                index = last
                continue
            state.holders[session] = True
            if await self._cas(state, lock_pair.modify_index):
                return True
            # Another contender changed .lock first: read it again (it has changed, so the
            # blocking read answers at once).
        return False

    async def monitor(self, session: str) -> None:
        """Return once ``session`` is no longer a live holder."""
        index, retries = 0, self.opts.monitor_retries
        while True:
            try:
                pairs, index = await self._list(index, consistent=True)
            except ApiError as exc:
                if retries > 0 and retryable(exc):
                    retries, index = retries - 1, 0
                    await asyncio.sleep(self.opts.monitor_retry_time)
                    continue
                return
            retries = self.opts.monitor_retries
            try:
                state = SemaphoreState.decode(self._lock_pair(pairs).value, self.limit)
            except LockError:
                return
            state.prune(pairs)
            if session not in state.holders:
                return

    async def release(self, session: str) -> None:
        """Leave the holders (CAS, retried on races) and delete our contender key."""
        while True:
            pair, _ = await self._kv.get(self.key)
            current = pair or KVPair(self.key, None)
            state = SemaphoreState.decode(current.value, self.limit)
            if session not in state.holders:
                break
            del state.holders[session]
            if await self._cas(state, current.modify_index):
                break
        await self._kv.delete(join(self.prefix, session))

    async def destroy(self) -> None:
        """Delete ``.lock`` if it has no live holders; LockInUse otherwise."""
        pairs, _ = await self._list()
        lock_pair = self._lock_pair(pairs)
        if lock_pair.modify_index == 0:
            return
        if lock_pair.flags != SEMAPHORE_FLAG:
            raise LockConflict("Existing key does not match semaphore use")
        state = SemaphoreState.decode(lock_pair.value, self.limit)
        state.prune(pairs)
        if state.holders:
            raise LockInUse("Semaphore in use")
        try:
            removed = await self._kv.delete(self.key, cas=lock_pair.modify_index)
        except ApiError as exc:
            raise _wrap("failed to remove semaphore", exc) from exc
        if not removed:
            raise LockInUse("Semaphore in use")
