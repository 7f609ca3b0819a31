"""On-disk formats of the local log, and the blocking file helpers that read and write them.

Everything here is synchronous and meant to run in a worker thread (``asyncio.to_thread``).

* A log record: 4-byte big-endian payload length, 4-byte big-endian CRC32 of the payload, then the
  payload ``msgpack([index, command])``. A segment file ``wal-<first index:020d>.log`` holds
  records with contiguous indexes starting at its first index.
* A snapshot file ``snapshot-<index:020d>.snap``: the magic ``CNSLSNP1``, 8-byte big-endian payload
  length, 4-byte CRC32 of the payload, then the payload ``msgpack({"Index": n, "Image": image})``.
  It is written to ``<name>.tmp``, fsynced, renamed into place and the directory fsynced.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import msgpack

from agentd.structs.commands import Command

RECORD_HEADER = struct.Struct(">II")
SNAPSHOT_MAGIC = b"CNSLSNP1"
SNAPSHOT_HEADER = struct.Struct(">8sQI")

SEGMENT_RE = re.compile(r"^wal-(\d{20})\.log$")
SNAPSHOT_RE = re.compile(r"^snapshot-(\d{20})\.snap$")


class CorruptSnapshotError(Exception):
    """A snapshot file that cannot be trusted (short, bad CRC, undecodable, wrong index)."""


def segment_name(first_index: int) -> str:
    return f"wal-{first_index:020d}.log"


def snapshot_name(index: int) -> str:
    return f"snapshot-{index:020d}.snap"


def encode_record(index: int, command: Command) -> bytes:
    payload: bytes = msgpack.packb([index, command], use_bin_type=True)
    return RECORD_HEADER.pack(len(payload), zlib.crc32(payload)) + payload


@dataclass
class SegmentScan:
    """What :func:`scan_records` found: the good records, where they end, and why it stopped early
    (``problem`` is ``None`` when the whole buffer was good)."""

    records: list[tuple[int, Command]] = field(default_factory=list)
    good_end: int = 0
    problem: str | None = None


def scan_records(data: bytes | memoryview, first_index: int) -> SegmentScan:
    """Decode records from the start of ``data``; stop at the first torn or corrupt one.

    A record is bad when its header or payload is short, its CRC does not match, its payload does
    not decode to ``[index, command-dict]``, or its index is not the next contiguous one.
    """
    view = memoryview(data)
    scan = SegmentScan()
    offset = 0
    expected = first_index
    while offset < len(view):
        if len(view) - offset < RECORD_HEADER.size:
            scan.problem = "short header"
            break
        length, crc = RECORD_HEADER.unpack_from(view, offset)
        start = offset + RECORD_HEADER.size
        if len(view) - start < length:
            scan.problem = "short payload"
            break
        payload = view[start : start + length]
        if zlib.crc32(payload) != crc:
            scan.problem = "bad CRC"
            break
        try:
            decoded = msgpack.unpackb(payload, raw=False, strict_map_key=False)
        except Exception:  # msgpack raises several unrelated types on garbage
            scan.problem = "undecodable payload"
            break
        if (
            not isinstance(decoded, list)
            or len(decoded) != 2
            or not isinstance(decoded[0], int)
            or not isinstance(decoded[1], dict)
        ):
            scan.problem = "malformed payload"
            break
        if decoded[0] != expected:
            scan.problem = f"index {decoded[0]} where {expected} was expected"
            break
        scan.records.append((decoded[0], decoded[1]))
        expected += 1
        offset = start + length
        scan.good_end = offset
    return scan


def encode_snapshot(index: int, image: Any) -> bytes:
    payload: bytes = msgpack.packb({"Index": index, "Image": image}, use_bin_type=True)
    return SNAPSHOT_HEADER.pack(SNAPSHOT_MAGIC, len(payload), zlib.crc32(payload)) + payload


def decode_snapshot(data: bytes) -> tuple[int, Any]:
    if len(data) < SNAPSHOT_HEADER.size:
        raise CorruptSnapshotError("short header")
    magic, length, crc = SNAPSHOT_HEADER.unpack_from(data, 0)
    if magic != SNAPSHOT_MAGIC:
        raise CorruptSnapshotError("bad magic")
    payload = memoryview(data)[SNAPSHOT_HEADER.size :]
    if len(payload) != length:
        raise CorruptSnapshotError(f"payload is {len(payload)} bytes, header says {length}")
    if zlib.crc32(payload) != crc:
        raise CorruptSnapshotError("bad CRC")
    try:
        decoded = msgpack.unpackb(payload, raw=False, strict_map_key=False)
    except Exception as exc:
        raise CorruptSnapshotError(f"undecodable payload: {exc}") from exc
    if not isinstance(decoded, dict) or not isinstance(decoded.get("Index"), int):
        raise CorruptSnapshotError("malformed payload")
    return decoded["Index"], decoded.get("Image")


# -- blocking file helpers (run them in a thread) ---------------------------------------------


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def list_files(directory: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``(segments, snapshots)`` as ascending ``(index, path)`` lists. Leftover ``.tmp`` files
    from a crash mid-snapshot are removed."""
    segments: list[tuple[int, str]] = []
    snapshots: list[tuple[int, str]] = []
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if name.endswith(".tmp"):
            os.unlink(path)
        elif m := SEGMENT_RE.match(name):
            segments.append((int(m.group(1)), path))
        elif m := SNAPSHOT_RE.match(name):
            snapshots.append((int(m.group(1)), path))
    segments.sort()
    snapshots.sort()
    return segments, snapshots


def read_snapshot(path: str, expected_index: int) -> Any:
    with open(path, "rb") as f:
        index, image = decode_snapshot(f.read())
    if index != expected_index:
        raise CorruptSnapshotError(f"holds index {index}, name says {expected_index}")
    return image


def write_snapshot(directory: str, index: int, image: Any) -> str:
    """Encode and durably write a snapshot; returns its path. Never leaves a partial file under
    the real name."""
    data = encode_snapshot(index, image)
    path = os.path.join(directory, snapshot_name(index))
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(directory)
    return path


def load_segment(path: str, first_index: int) -> tuple[SegmentScan, int]:
    """Scan a segment file and truncate it to its last good record (fsynced) if the tail is bad.
    Returns the scan and the file's size before truncation."""
    with open(path, "rb") as f:
        data = f.read()
    scan = scan_records(data, first_index)
    if scan.problem is not None:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, scan.good_end)
            os.fsync(fd)
        finally:
            os.close(fd)
    return scan, len(data)


def open_segment(directory: str, first_index: int, *, create: bool) -> tuple[int, str, int]:
    """Open a segment for appending; ``create`` starts it empty (and fsyncs the directory).
    Returns ``(fd, path, size)``."""
    path = os.path.join(directory, segment_name(first_index))
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    if create:
        flags |= os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    try:
        size = os.fstat(fd).st_size
        if create:
            os.fsync(fd)
            fsync_dir(directory)
    except BaseException:
        os.close(fd)
        raise
    return fd, path, size


def remove_files(directory: str, paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    if paths:
        fsync_dir(directory)


def quarantine(path: str) -> str:
    """Move a corrupt file aside (kept for inspection, ignored by :func:`list_files`)."""
    target = path + ".corrupt"
    os.replace(path, target)
    fsync_dir(os.path.dirname(path))
    return target
