"""LocalLog: durability, group commit, torn tails, snapshots and compaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agentd.log.local import LocalLog, LogCorruptError
from agentd.log.records import RECORD_HEADER, segment_name, snapshot_name
from agentd.structs.commands import Command


class FakeFSM:
    """Dict-backed stand-in for the real FSM (the unit boundary of the log)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.indexes: list[int] = []  # every index given to apply, in order
        self.restored_from: int | None = None
        self._last_index = 0

    def apply(self, index: int, command: Command) -> Any:
        self.indexes.append(index)
        self._last_index = index
        if command["Op"] == "fail":
            raise ValueError(f"boom at {index}")
        self.data[command["Key"]] = command["Value"]
        return True

    def snapshot(self) -> Any:
        return {"Data": dict(self.data)}

    def restore(self, index: int, image: Any) -> None:
        self.data = dict(image["Data"])
        self._last_index = index
        self.restored_from = index

    @property
    def last_index(self) -> int:
        return self._last_index


def setcmd(key: str, value: bytes | None = None) -> Command:
    return {"Type": 1, "Op": "set", "Key": key, "Value": value or key.encode()}


@contextlib.asynccontextmanager
async def running(fsm: FakeFSM, data_dir: Path, **kw: Any) -> AsyncIterator[LocalLog]:
    log = LocalLog(fsm, str(data_dir), **kw)
    await log.open()
    task = asyncio.create_task(log.run())
    try:
        yield log
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await log.close()


def raft(tmp_path: Path) -> Path:
    return tmp_path / "raft"


def files(tmp_path: Path, prefix: str) -> list[str]:
    suffix = ".log" if prefix == "wal-" else ".snap"
    return sorted(
        n for n in os.listdir(raft(tmp_path)) if n.startswith(prefix) and n.endswith(suffix)
    )


async def wait_for(predicate: Any, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_proposals_survive_reopen(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        for i in range(10):
            assert await log.propose(setcmd(f"k{i}", bytes([i, 0, 255]))) is True
        assert log.last_index == 10
    assert files(tmp_path, "wal-") == [segment_name(1)]

    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path) as log2:
        assert fsm2.data == fsm.data
        assert fsm2.data["k3"] == bytes([3, 0, 255])
        assert fsm2.indexes == list(range(1, 11))
        assert log2.last_index == 10
        await log2.propose(setcmd("after"))
        assert fsm2.indexes[-1] == 11


async def test_concurrent_proposals_are_group_committed(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        results = await asyncio.gather(*(log.propose(setcmd(f"k{i}")) for i in range(200)))
        assert results == [True] * 200
        assert log.stats["records"] == 200
        assert log.stats["batches"] <= 20
        assert fsm.indexes == list(range(1, 201))
        # proposals made while a batch is being fsynced form the next batch
        first = asyncio.ensure_future(log.propose(setcmd("a")))
        await asyncio.sleep(0)
        rest = [asyncio.ensure_future(log.propose(setcmd(f"b{i}"))) for i in range(50)]
        await asyncio.gather(first, *rest)
        assert log.stats["records"] == 251
        assert log.stats["batches"] <= 23
    reopened = FakeFSM()
    async with running(reopened, tmp_path):
        assert reopened.data == fsm.data


async def test_close_flushes_pending_without_run(tmp_path: Path) -> None:
    fsm = FakeFSM()
    log = LocalLog(fsm, str(tmp_path))
    await log.open()
    pending = [asyncio.ensure_future(log.propose(setcmd(f"k{i}"))) for i in range(3)]
    await asyncio.sleep(0)
    await log.close()
    assert [p.result() for p in pending] == [True] * 3
    with pytest.raises(RuntimeError):
        await log.propose(setcmd("late"))
    reopened = FakeFSM()
    async with running(reopened, tmp_path):
        assert set(reopened.data) == {"k0", "k1", "k2"}


async def test_close_ends_run_and_cancelled_proposer_is_harmless(tmp_path: Path) -> None:
    fsm = FakeFSM()
    log = LocalLog(fsm, str(tmp_path))
    await log.open()
    runner = asyncio.create_task(log.run())
    abandoned = asyncio.ensure_future(log.propose(setcmd("abandoned")))
    await asyncio.sleep(0)
    abandoned.cancel()
    assert await log.propose(setcmd("kept")) is True
    assert abandoned.cancelled()
    await log.close()
    await asyncio.wait_for(runner, 1)
    assert fsm.indexes == [1, 2]  # the queued command was still committed, in order
    reopened = FakeFSM()
    async with running(reopened, tmp_path):
        assert reopened.data == fsm.data


def _truncate_mid_record(path: Path) -> int:
    size = path.stat().st_size
    os.truncate(path, size - 3)
    return 4


def _append_garbage(path: Path) -> int:
    with open(path, "ab") as f:
        f.write(b"\x00\x00\x01\x00garbage")
    return 5


def _flip_last_payload_byte(path: Path) -> int:
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))
    return 4


def _zero_length_tail(path: Path) -> int:
    with open(path, "ab") as f:
        f.write(bytes(64))  # preallocated-looking zeros: length 0, CRC 0, empty payload
    return 5


@pytest.mark.parametrize(
    "damage",
    [_truncate_mid_record, _append_garbage, _flip_last_payload_byte, _zero_length_tail],
)
async def test_torn_tail_is_truncated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Any
) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        for i in range(5):
            await log.propose(setcmd(f"k{i}"))
    segment = raft(tmp_path) / segment_name(1)
    good_size = segment.stat().st_size
    survivors = damage(segment)

    caplog.set_level(logging.WARNING, logger="agentd.log.local")
    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path) as log2:
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert [w for w in warnings if str(segment) in w]
        assert "offset" in warnings[0]
        assert sorted(fsm2.data) == [f"k{i}" for i in range(survivors)]
        assert log2.last_index == survivors
        await log2.propose(setcmd("next"))
    if survivors == 5:
        assert segment.stat().st_size > good_size  # garbage cut, "next" appended
    caplog.clear()
    fsm3 = FakeFSM()
    async with running(fsm3, tmp_path):
        assert not caplog.records
        assert fsm3.indexes == list(range(1, survivors + 2))
        assert "next" in fsm3.data


async def test_exception_in_apply_fails_only_that_proposal(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        results = await asyncio.gather(
            log.propose(setcmd("a")),
            log.propose({"Type": 1, "Op": "fail"}),
            log.propose(setcmd("b")),
            return_exceptions=True,
        )
        assert results[0] is True and results[2] is True
        assert isinstance(results[1], ValueError)
        assert await log.propose(setcmd("c")) is True
        assert fsm.indexes == [1, 2, 3, 4]
    reopened = FakeFSM()
    async with running(reopened, tmp_path):
        assert reopened.data == fsm.data
        assert reopened.indexes == [1, 2, 3, 4]


async def test_unencodable_command_is_rejected_without_using_an_index(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        with pytest.raises(TypeError):
            await log.propose({"Type": 1, "Op": "set", "Key": "x", "Value": object()})
        await log.propose(setcmd("y"))
        assert fsm.indexes == [1]


async def test_snapshot_compacts_and_reopen_restores(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path, retain_snapshots=1) as log:
        for i in range(30):
            await log.propose(setcmd(f"k{i}"))
        assert await log.snapshot_now() == 30
        assert await log.snapshot_now() is None  # nothing new
        for i in range(30, 35):
            await log.propose(setcmd(f"k{i}"))
    assert files(tmp_path, "snapshot-") == [snapshot_name(30)]
    assert files(tmp_path, "wal-") == [segment_name(31)]

    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path) as log2:
        assert fsm2.restored_from == 30
        assert fsm2.indexes == list(range(31, 36))
        assert fsm2.data == fsm.data
        assert log2.last_index == 35


async def test_threshold_triggers_snapshot_and_old_files_go(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path, snapshot_threshold=20, retain_snapshots=2) as log:
        for i in range(75):
            await log.propose(setcmd(f"k{i}"))
        await wait_for(lambda: log.stats["snapshots"] >= 3)
        await wait_for(lambda: len(files(tmp_path, "snapshot-")) == 2)
        snaps = files(tmp_path, "snapshot-")
        oldest_kept = int(snaps[0][len("snapshot-") : -len(".snap")])
        # segments are kept back to the oldest retained snapshot, and no further
        segs = [int(n[4:-4]) for n in files(tmp_path, "wal-")]
        assert segs[0] <= oldest_kept + 1
        assert len(segs) >= 2 and segs[1] > oldest_kept + 1
        assert segment_name(1) not in files(tmp_path, "wal-")
    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path):
        assert fsm2.data == fsm.data
        assert fsm2.restored_from is not None


async def test_interval_triggers_snapshot_only_after_changes(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path, snapshot_interval=0.05) as log:
        await asyncio.sleep(0.15)
        assert log.stats["snapshots"] == 0
        await log.propose(setcmd("a"))
        await wait_for(lambda: log.stats["snapshots"] == 1)
        await asyncio.sleep(0.15)
        assert log.stats["snapshots"] == 1
    assert files(tmp_path, "snapshot-") == [snapshot_name(1)]


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


async def test_corrupt_newest_snapshot_falls_back_to_older(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path, retain_snapshots=2) as log:
        for i in range(10):
            await log.propose(setcmd(f"k{i}"))
        await log.snapshot_now()
        for i in range(10, 20):
            await log.propose(setcmd(f"k{i}"))
        await log.snapshot_now()
        for i in range(20, 25):
            await log.propose(setcmd(f"k{i}"))
    newest = raft(tmp_path) / snapshot_name(20)
    _corrupt(newest)

    caplog.set_level(logging.WARNING, logger="agentd.log.local")
    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path) as log2:
        assert any(str(newest) in r.getMessage() for r in caplog.records)
        assert fsm2.restored_from == 10
        assert fsm2.indexes == list(range(11, 26))
        assert fsm2.data == fsm.data
        await log2.propose(setcmd("more"))
        assert await log2.snapshot_now() == 26
    assert (raft(tmp_path) / (snapshot_name(20) + ".corrupt")).exists()
    assert files(tmp_path, "snapshot-") == [snapshot_name(10), snapshot_name(26)]


async def test_corrupt_only_snapshot_with_compacted_log_refuses_to_open(tmp_path: Path) -> None:
    """With ``retain_snapshots=1`` nothing is left to fall back on: opening fails loudly rather
    than serving a state with a hole in it."""
    fsm = FakeFSM()
    async with running(fsm, tmp_path, retain_snapshots=1) as log:
        for i in range(10):
            await log.propose(setcmd(f"k{i}"))
        await log.snapshot_now()
        await log.propose(setcmd("tail"))
    _corrupt(raft(tmp_path) / snapshot_name(10))
    with pytest.raises(LogCorruptError):
        await LocalLog(FakeFSM(), str(tmp_path)).open()


async def test_crash_mid_snapshot_leaves_no_partial_snapshot(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        await log.propose(setcmd("a"))
    tmp = raft(tmp_path) / (snapshot_name(1) + ".tmp")
    tmp.write_bytes(b"half a snapshot")
    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path):
        assert fsm2.restored_from is None
        assert fsm2.data == {"a": b"a"}
    assert not tmp.exists()


class _FailingFsync:
    """Makes the first data fsync block until released, then fail with EIO."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, fail_truncate: bool = False) -> None:
        self.real_fsync = os.fsync
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fired = False
        monkeypatch.setattr(os, "fsync", self.fsync)
        if fail_truncate:
            monkeypatch.setattr(os, "ftruncate", self.ftruncate)

    def fsync(self, fd: int) -> None:
        if not self.fired:
            self.fired = True
            self.entered.set()
            self.release.wait(5)
            raise OSError(5, "Input/output error")
        self.real_fsync(fd)

    def ftruncate(self, fd: int, length: int) -> None:
        raise OSError(5, "Input/output error")


@pytest.mark.parametrize("fail_truncate", [False, True])
async def test_failed_fsync_fails_that_batch_and_keeps_going(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_truncate: bool
) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        for i in range(3):
            await log.propose(setcmd(f"ok{i}"))
        failing = _FailingFsync(monkeypatch, fail_truncate=fail_truncate)
        doomed = asyncio.ensure_future(log.propose(setcmd("doomed")))
        await asyncio.to_thread(failing.entered.wait, 5)
        queued = [asyncio.ensure_future(log.propose(setcmd(f"q{i}"))) for i in range(3)]
        await asyncio.sleep(0)
        failing.release.set()
        with pytest.raises(OSError):
            await doomed
        assert await asyncio.gather(*queued) == [True] * 3
        assert fsm.indexes == [1, 2, 3, 4, 5, 6]  # the queued ones took over index 4 on
        assert log.stats["write_errors"] == 1
    monkeypatch.undo()
    expected_segments = [segment_name(1), segment_name(4)] if fail_truncate else [segment_name(1)]
    assert files(tmp_path, "wal-") == expected_segments
    fsm2 = FakeFSM()
    async with running(fsm2, tmp_path):
        assert fsm2.data == fsm.data
        assert "doomed" not in fsm2.data
        assert fsm2.indexes == [1, 2, 3, 4, 5, 6]


async def test_record_header_layout(tmp_path: Path) -> None:
    fsm = FakeFSM()
    async with running(fsm, tmp_path) as log:
        await log.propose(setcmd("a"))
    data = (raft(tmp_path) / segment_name(1)).read_bytes()
    length, _crc = RECORD_HEADER.unpack_from(data)
    assert RECORD_HEADER.size == 8 and len(data) == 8 + length
