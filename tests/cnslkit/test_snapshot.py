from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from typing import Any

import pytest

from agentd.state.store import Store
from cnslkit import snapshot
from cnslkit.snapshot import SnapshotError

IMAGE: dict[str, Any] = {
    "KV": {"Entries": [["a", 0, b"v", None, 0, 3, 4], ["b", 1, b"w", None, 0, 5, 5]], "Index": 5},
    "Catalog": {"Nodes": [{"Node": "n1"}], "Services": [], "Indexes": {"nodes": 3}},
}


def _members(archive: bytes) -> list[tuple[str, int, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        out = []
        for info in tar:
            fh = tar.extractfile(info)
            assert fh is not None
            out.append((info.name, info.mode, fh.read()))
        return out


def _pack(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_archive_has_consul_layout() -> None:
    meta, archive = snapshot.write_archive(7, IMAGE, term=2, now=1477944140.022)
    assert meta.id == "2-7-1477944140022"
    members = _members(archive)
    assert [(name, mode) for name, mode, _ in members] == [
        ("meta.json", 0o600),
        ("state.bin", 0o600),
        ("SHA256SUMS", 0o600),
    ]
    sums = members[2][2].decode().splitlines()
    assert sums == [
        f"{hashlib.sha256(members[0][2]).hexdigest()}  meta.json",
        f"{hashlib.sha256(members[1][2]).hexdigest()}  state.bin",
    ]
    assert meta.size == len(members[1][2])


def test_round_trip_keeps_the_image() -> None:
    _, archive = snapshot.write_archive(7, IMAGE)
    meta, image = snapshot.load_archive(archive)
    assert meta.index == 7
    assert image["KV"] == IMAGE["KV"]
    assert image["Catalog"]["Nodes"] == [{"Node": "n1"}]
    assert image["Catalog"]["Indexes"] == {"nodes": 3}


def test_a_real_store_image_round_trips() -> None:
    store = Store()
    _, archive = snapshot.write_archive(1, store.image())
    _, image = snapshot.load_archive(archive)
    other = Store()
    other.load(1, image)
    assert other.image() == store.image()


@pytest.mark.parametrize("cut", [0, 10, 100, -30, -1])
def test_truncated_archives_are_refused(cut: int) -> None:
    _, archive = snapshot.write_archive(7, IMAGE)
    with pytest.raises(SnapshotError):
        snapshot.load_archive(archive[:cut])


def test_flipped_byte_is_refused() -> None:
    _, archive = snapshot.write_archive(7, IMAGE)
    bad = bytearray(archive)
    bad[len(bad) // 2] ^= 0xFF
    with pytest.raises(SnapshotError):
        snapshot.load_archive(bytes(bad))


def test_checksum_mismatch_is_refused() -> None:
    _, archive = snapshot.write_archive(7, IMAGE)
    members = [(name, data) for name, _, data in _members(archive)]
    members[1] = ("state.bin", members[1][1][:-1] + b"\x00")
    with pytest.raises(SnapshotError, match="failed checking integrity of snapshot"):
        snapshot.load_archive(_pack(members))


def test_unexpected_member_is_refused() -> None:
    _, archive = snapshot.write_archive(7, IMAGE)
    members = [(name, data) for name, _, data in _members(archive)]
    with pytest.raises(SnapshotError, match='unexpected file "extra" in snapshot'):
        snapshot.load_archive(_pack([*members, ("extra", b"x")]))
    with pytest.raises(SnapshotError, match="missing"):
        snapshot.load_archive(_pack(members[:2]))


def test_inspect_counts_by_type() -> None:
    _, archive = snapshot.write_archive(7, IMAGE)
    _, state = snapshot.read_archive(archive)
    stats = {st.name: st.count for st in snapshot.inspect(state)}
    assert stats == {"KVS": 2, "Register": 1, "Index": 2}
    sizes = [st.size for st in snapshot.inspect(state)]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0"), (12, "12B"), (904, "904B"), (1024, "1KB"), (10035, "9.8KB"), (15896, "15.5KB")],
)
def test_format_size(size: int, text: str) -> None:
    assert snapshot.format_size(size) == text
