"""Durable write-ahead log for a single-server agent.

Files live in ``<data_dir>/raft/`` (formats in :mod:`agentd.log.records`): segment files
``wal-<first index>.log`` and snapshot files ``snapshot-<index>.snap``.

Writing is a group commit. ``propose`` gives the command the next index at once, encodes it and
queues it; one flusher writes everything queued with a single ``write`` and ``fsync`` in a worker
thread, then, on the loop, applies the batch to the FSM in index order and resolves each proposal
with what ``fsm.apply`` returned or raised. Proposals made during an fsync form the next batch.
Nothing is acknowledged before its fsync. A failed write or fsync fails that batch only: the file is
cut back to where the batch began (or, if even that fails, the next batch starts a new segment) and
the queued proposals are renumbered so that indexes stay contiguous.

Snapshots are taken when ``snapshot_threshold`` commands have been applied since the last one, or
every ``snapshot_interval`` seconds if anything was applied. The image is taken on the loop at
``fsm.last_index`` (every command up to it is durable, since commands are applied only after their
fsync); it is encoded and written in a thread while writes go on. Afterwards the log rolls to a new
segment starting at the first index not yet written, the oldest snapshots beyond
``retain_snapshots`` are deleted, and so are the segments whose records are all at or below the
*oldest retained* snapshot, so that falling back from a corrupt newest snapshot to an older one
still finds every record it needs.

``open`` restores the newest snapshot that reads back intact (corrupt ones are renamed to
``*.corrupt`` with a warning), then replays the segments. A torn or corrupt record ends its segment:
the file is truncated to the last good record, with a warning. A later segment supersedes records of
an earlier one from its first index on. A gap after the snapshot raises :class:`LogCorruptError`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from agentd.log import records
from agentd.log.base import Log, StateMachine
from agentd.structs.commands import Command

log = logging.getLogger(__name__)

T = TypeVar("T")


class LogCorruptError(Exception):
    """The files on disk cannot rebuild the state: records after the snapshot are missing."""


@dataclass(eq=False)
class _Pending:
    index: int
    command: Command
    data: bytes
    future: asyncio.Future[Any]


class _Segment:
    """The segment being appended to. Its methods block: call them in a thread."""

    def __init__(self, first_index: int, path: str, fd: int, size: int) -> None:
        self.first_index = first_index
        self.path = path
        self.fd = fd
        self.size = size
        self.broken = False  # a failed append could not be cut back: start a new segment
        self.fsync_us = 0  # how long the last append's fsync took

    def append(self, data: bytes) -> None:
        start = self.size
        try:
            records.write_all(self.fd, data)
            began = time.perf_counter()
            os.fsync(self.fd)
            self.fsync_us = int((time.perf_counter() - began) * 1e6)
        except OSError:
            try:
                os.ftruncate(self.fd, start)
                os.fsync(self.fd)
            except OSError:
                self.broken = True
            raise
        self.size = start + len(data)

    def close(self) -> None:
        try:
            os.fsync(self.fd)
        finally:
            os.close(self.fd)


class LocalLog(Log):
    def __init__(
        self,
        fsm: StateMachine,
        data_dir: str,
        *,
        snapshot_threshold: int = 16384,
        snapshot_interval: float = 30.0,
        retain_snapshots: int = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(fsm)
        if snapshot_threshold < 1 or retain_snapshots < 1 or snapshot_interval <= 0:
            raise ValueError(
                "snapshot_threshold, snapshot_interval and retain_snapshots must be > 0"
            )
        self.directory = os.path.join(data_dir, "raft")
        self.snapshot_threshold = snapshot_threshold
        self.snapshot_interval = snapshot_interval
        self.retain_snapshots = retain_snapshots
        self._clock = clock
        self.stats: dict[str, int] = {
            "batches": 0,
            "records": 0,
            "snapshots": 0,
            "write_errors": 0,
            "fsync_us_total": 0,  # fsync latency: total / batches is the mean
            "fsync_us_max": 0,
        }
        self._segments: list[tuple[int, str]] = []  # every segment file, ascending; current last
        self._snapshots: list[tuple[int, str]] = []  # intact snapshot files, ascending
        self._segment: _Segment | None = None
        self._pending: list[_Pending] = []
        self._next_index = 1
        self._written_index = 0
        self._snapshot_index = 0
        self._last_snapshot_at = clock()
        self._snapshot_failed_at: float | None = None
        self._wakeup = asyncio.Event()
        self._snapshot_wanted = asyncio.Event()
        self._io_lock = asyncio.Lock()  # appends and segment rolls
        self._snapshot_lock = asyncio.Lock()
        self._inflight: set[asyncio.Task[Any]] = set()
        self._opened = False
        self._closed = False

    @property
    def last_index(self) -> int:
        """Index of the last record durably written (applied too, once its batch resolves)."""
        return self._written_index

    @property
    def snapshot_index(self) -> int:
        return self._snapshot_index

    # -- open --------------------------------------------------------------------------------

    async def open(self) -> None:
        if self._opened:
            raise RuntimeError("log already opened")
        await asyncio.to_thread(os.makedirs, self.directory, exist_ok=True)
        segments, snapshots = await asyncio.to_thread(records.list_files, self.directory)
        snapshot_index = await self._restore_snapshot(snapshots)
        last, tail_last = await self._replay(segments, snapshot_index)
        if segments and tail_last == last:
            first = segments[-1][0]
            fd, path, size = await asyncio.to_thread(
                records.open_segment, self.directory, first, create=False
            )
        else:  # no segment yet, or the newest ends short of the snapshot: start afresh
            first = last + 1
            fd, path, size = await asyncio.to_thread(
                records.open_segment, self.directory, first, create=True
            )
            segments.append((first, path))
        self._segment = _Segment(first, path, fd, size)
        self._segments = segments
        self._snapshot_index = snapshot_index
        self._written_index = last
        self._next_index = last + 1
        self._last_snapshot_at = self._clock()
        self._opened = True
        log.info("log %s opened: snapshot %d, last index %d", self.directory, snapshot_index, last)

    async def _restore_snapshot(self, snapshots: list[tuple[int, str]]) -> int:
        while snapshots:
            index, path = snapshots[-1]
            try:
                image = await asyncio.to_thread(records.read_snapshot, path, index)
            except records.CorruptSnapshotError as exc:
                moved = await asyncio.to_thread(records.quarantine, path)
                log.warning("skipping corrupt snapshot %s (%s); moved to %s", path, exc, moved)
                snapshots.pop()
                continue
            self.fsm.restore(index, image)
            self._snapshots = snapshots
            return index
        return 0

    async def _replay(
        self, segments: list[tuple[int, str]], snapshot_index: int
    ) -> tuple[int, int]:
        """Apply every record after the snapshot; returns the last index and the index of the
        newest segment's last record."""
        last = snapshot_index
        tail_last = 0
        for k, (first, path) in enumerate(segments):
            limit = segments[k + 1][0] - 1 if k + 1 < len(segments) else None
            if limit is not None and limit <= snapshot_index:
                continue  # wholly covered by the snapshot; deleted after the next one
            if first > last + 1:
                raise LogCorruptError(f"{path} starts at index {first}, the log ends at {last}")
            scan, size = await asyncio.to_thread(records.load_segment, path, first)
            if scan.problem is not None:
                log.warning(
                    "log %s: %s at offset %d; truncated %d bytes",
                    path,
                    scan.problem,
                    scan.good_end,
                    size - scan.good_end,
                )
            for index, command in scan.records:
                if limit is not None and index > limit:
                    break  # superseded by the next segment
                if index > last:
                    try:
                        self.fsm.apply(index, command)
                    except Exception as exc:  # it failed the same way when first proposed
                        log.debug("replaying index %d raised %r", index, exc)
                    last = index
            tail_last = first + len(scan.records) - 1
        return last, tail_last

    # -- proposals ---------------------------------------------------------------------------

    async def propose(self, command: Command) -> Any:
        """Append ``command`` and return what ``fsm.apply`` returned once it is durable and
        applied. A proposer cancelled after this call queued the command may still see it
        committed, like any log."""
        if not self._opened or self._closed:
            raise RuntimeError("log is not open")
        index = self._next_index
        data = records.encode_record(index, command)
        self._next_index = index + 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(index, command, data, future))
        self._wakeup.set()
        return await future

    async def _flusher(self) -> None:
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            if self._pending and not self._closed:  # once closed, ``close`` flushes
                await self._shielded(self._flush())

    async def _flush(self) -> None:
        async with self._io_lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            data = b"".join(p.data for p in batch)
            try:
                if self._closed and self._segment is None:
                    raise RuntimeError("log is closed")
                if self._segment is None or self._segment.broken:
                    await self._roll()
                assert self._segment is not None
                await asyncio.to_thread(self._segment.append, data)
            except (OSError, RuntimeError) as exc:
                self.stats["write_errors"] += 1
                log.error(
                    "log write of indexes %d-%d failed: %s", batch[0].index, batch[-1].index, exc
                )
                self._renumber_pending(batch[0].index)
                for p in batch:
                    if not p.future.done():
                        p.future.set_exception(exc)
                return
            self._written_index = batch[-1].index
            self.stats["batches"] += 1
            self.stats["records"] += len(batch)
            fsync_us = self._segment.fsync_us
            self.stats["fsync_us_total"] += fsync_us
            self.stats["fsync_us_max"] = max(self.stats["fsync_us_max"], fsync_us)
            self._apply(batch)

    def _renumber_pending(self, first: int) -> None:
        """After a failed batch, give the queued proposals the indexes it had reserved."""
        self._next_index = first
        for p in self._pending:
            p.index = self._next_index
            p.data = records.encode_record(p.index, p.command)
            self._next_index += 1

    def _apply(self, batch: list[_Pending]) -> None:
        for p in batch:
            try:
                result = self.fsm.apply(p.index, p.command)
            except Exception as exc:
                if not p.future.done():
                    p.future.set_exception(exc)
                else:
                    log.debug("applying index %d raised %r (proposer gone)", p.index, exc)
                continue
            if not p.future.done():
                p.future.set_result(result)
        if self._snapshot_due_by_size():
            self._snapshot_wanted.set()

    async def _roll(self) -> None:
        """Start a new segment at the first unwritten index. Call with ``_io_lock`` held."""
        current = self._segment
        first = self._written_index + 1
        if self._closed or (
            current is not None and current.first_index == first and not current.broken
        ):
            return
        fd, path, size = await asyncio.to_thread(
            records.open_segment, self.directory, first, create=True
        )
        self._segment = _Segment(first, path, fd, size)
        if not self._segments or self._segments[-1][0] != first:
            self._segments.append((first, path))
        if current is not None:
            try:
                await asyncio.to_thread(current.close)
            except OSError as exc:
                log.warning("closing log segment %s: %s", current.path, exc)

    # -- snapshots ---------------------------------------------------------------------------

    def _snapshot_due_by_size(self) -> bool:
        if self.fsm.last_index - self._snapshot_index < self.snapshot_threshold:
            return False
        failed = self._snapshot_failed_at
        return failed is None or self._clock() - failed >= self.snapshot_interval

    async def _snapshotter(self) -> None:
        while not self._closed:
            remaining = self._last_snapshot_at + self.snapshot_interval - self._clock()
            if remaining > 0:
                try:
                    async with asyncio.timeout(remaining):
                        await self._snapshot_wanted.wait()
                except TimeoutError:
                    pass
            self._snapshot_wanted.clear()
            interval_due = self._clock() - self._last_snapshot_at >= self.snapshot_interval
            if self.fsm.last_index <= self._snapshot_index:
                if interval_due:
                    self._last_snapshot_at = self._clock()
                continue
            if interval_due or self._snapshot_due_by_size():
                try:
                    await self.snapshot_now()
                except Exception:
                    if self._closed:
                        return
                    log.exception("snapshot failed")
                    self._last_snapshot_at = self._clock()

    async def snapshot_now(self) -> int | None:
        """Take a snapshot now; returns its index, or ``None`` if nothing was applied since the
        last one. Raises what writing it raised."""
        if not self._opened or self._closed:
            raise RuntimeError("log is not open")
        return await self._shielded(self._snapshot())

    async def _snapshot(self) -> int | None:
        async with self._snapshot_lock:
            index = self.fsm.last_index
            if self._closed or index <= self._snapshot_index:
                return None
            image = self.fsm.snapshot()  # on the loop, at exactly ``index``
            taken_at = self._clock()
            try:
                path = await asyncio.to_thread(records.write_snapshot, self.directory, index, image)
            except BaseException:
                self._snapshot_failed_at = self._last_snapshot_at = self._clock()
                raise
            self._snapshots.append((index, path))
            self._snapshot_index = index
            self._last_snapshot_at = taken_at
            self._snapshot_failed_at = None
            self.stats["snapshots"] += 1
            async with self._io_lock:
                try:
                    await self._roll()
                except OSError as exc:
                    log.error("could not start a new log segment: %s", exc)
            await self._compact()
            log.info("snapshot at index %d written to %s", index, path)
            return index

    async def _compact(self) -> None:
        doomed = [path for _, path in self._snapshots[: -self.retain_snapshots]]
        self._snapshots = self._snapshots[-self.retain_snapshots :]
        bound = self._snapshots[0][0]
        drop = 0
        while drop + 1 < len(self._segments) and self._segments[drop + 1][0] - 1 <= bound:
            drop += 1
        doomed += [path for _, path in self._segments[:drop]]
        self._segments = self._segments[drop:]
        try:
            await asyncio.to_thread(records.remove_files, self.directory, doomed)
        except OSError as exc:
            log.warning("removing old log files: %s", exc)

    # -- lifecycle ---------------------------------------------------------------------------

    async def _shielded(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion even if the caller is cancelled (a write or a segment roll
        must not stop halfway); ``close`` waits for it."""
        task = asyncio.ensure_future(coro)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return await asyncio.shield(task)

    async def run(self) -> None:
        """Flush proposals and take snapshots until cancelled or closed."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._flusher())
            tg.create_task(self._snapshotter())

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._wakeup.set()  # let ``run`` finish if it is still going
        self._snapshot_wanted.set()
        while self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if self._pending:
            await self._flush()
        async with self._io_lock:
            segment, self._segment = self._segment, None
            if segment is not None:
                await asyncio.to_thread(segment.close)
        log.info("log %s closed at index %d", self.directory, self._written_index)
