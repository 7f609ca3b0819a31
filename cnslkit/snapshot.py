"""Snapshot archives in Consul's layout (snapshot/archive.go), sans-IO: bytes in, bytes out.

An archive is a gzip-compressed tar with exactly three members, in order: ``meta.json`` (Raft's
SnapshotMeta), ``state.bin`` and ``SHA256SUMS`` (``<hex>  <name>`` lines for the other two).
``state.bin`` is a Consul-style stream: a msgpack header ``{"LastIndex": n}`` then records, each a
1-byte message type and one msgpack value. Each record carries one item of the store image
(``{"Table", "Field", "Item"}``, appended to that list) or one whole non-list field (``{"Table",
"Field", "Value"}``, typed Index), so any image round-trips without this module knowing every table,
while ``inspect`` still counts records by Consul's type names.

Reading verifies everything before anything is returned, so a restore is all-or-nothing: a
truncated, corrupted or foreign archive raises :class:`SnapshotError` and changes nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import time
import zlib
from dataclasses import dataclass
from typing import Any

import msgpack
import orjson

__all__ = [
    "TYPE_NAMES",
    "Meta",
    "SnapshotError",
    "TypeStat",
    "decode_state",
    "encode_state",
    "format_size",
    "inspect",
    "read_archive",
    "write_archive",
]

VERSION = 1
MEMBERS = ("meta.json", "state.bin", "SHA256SUMS")

# Consul's message type numbers for the names ``inspect`` prints.
TYPE_NAMES = {
    0: "Register",
    2: "KVS",
    3: "Session",
    5: "Tombstone",
    6: "CoordinateBatchUpdate",
    7: "PreparedQuery",
    16: "Index",
    17: "ACLToken",
    19: "ACLPolicy",
    23: "ACLRole",
}
INDEX_TYPE = 16
# (image table, field) -> the type its list items are recorded as
ITEM_TYPES = {
    ("KV", "Entries"): 2,
    ("KV", "Tombstones"): 5,
    ("Catalog", "Nodes"): 0,
    ("Catalog", "Services"): 0,
    ("Catalog", "Checks"): 0,
    ("Sessions", "Sessions"): 3,
    ("ACL", "Tokens"): 17,
    ("ACL", "Policies"): 19,
    ("ACL", "Roles"): 23,
    ("Queries", "Queries"): 7,
    ("Coordinates", "Coordinates"): 6,
}


class SnapshotError(Exception):
    """An archive that cannot be trusted or read; nothing was restored."""


@dataclass(frozen=True, slots=True)
class Meta:
    id: str
    size: int
    index: int
    term: int
    version: int = VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "Version": self.version,
            "ID": self.id,
            "Index": self.index,
            "Term": self.term,
            "Peers": None,
            "Configuration": {"Servers": []},
            "ConfigurationIndex": 0,
            "Size": self.size,
        }

    @classmethod
    def from_json(cls, raw: Any) -> Meta:
        try:
            return cls(
                id=str(raw["ID"]),
                size=int(raw["Size"]),
                index=int(raw["Index"]),
                term=int(raw["Term"]),
                version=int(raw.get("Version", VERSION)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotError(f"failed to decode snapshot metadata: {exc}") from None


def _pack(obj: Any) -> bytes:
    data: bytes = msgpack.packb(obj, use_bin_type=True)
    return data


def encode_state(index: int, image: dict[str, Any]) -> bytes:
    out = [_pack({"LastIndex": index})]
    for table, fields in image.items():
        for field_name, value in fields.items():
            mtype = ITEM_TYPES.get((table, field_name))
            if mtype is not None and isinstance(value, list):
                for item in value:
                    rec = {"Table": table, "Field": field_name, "Item": item}
                    out.append(bytes([mtype]) + _pack(rec))
            else:
                rec = {"Table": table, "Field": field_name, "Value": value}
                out.append(bytes([INDEX_TYPE]) + _pack(rec))
    return b"".join(out)


def _records(data: bytes) -> tuple[int, list[tuple[int, Any, int]]]:
    """The header's index and every ``(type, record, encoded size)``."""
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
    unpacker.feed(data)
    try:
        header = unpacker.unpack()
        if not isinstance(header, dict) or not isinstance(header.get("LastIndex"), int):
            raise SnapshotError("failed to decode snapshot header")
        records: list[tuple[int, Any, int]] = []
        while unpacker.tell() < len(data):
            mtype = data[unpacker.tell()]
            if mtype >= 0x80:
                raise SnapshotError(f"failed to decode snapshot: bad message type {mtype}")
            unpacker.skip()  # the type byte, a positive fixint
            start = unpacker.tell()
            rec = unpacker.unpack()
            records.append((mtype, rec, unpacker.tell() - start))
    except msgpack.OutOfData:
        raise SnapshotError("failed to decode snapshot: unexpected end of state") from None
    except (ValueError, msgpack.UnpackException) as exc:
        raise SnapshotError(f"failed to decode snapshot: {exc}") from None
    return header["LastIndex"], records


def decode_state(data: bytes) -> tuple[int, dict[str, Any]]:
    index, records = _records(data)
    image: dict[str, dict[str, Any]] = {}
    for _, rec, _size in records:
        if not isinstance(rec, dict) or "Table" not in rec or "Field" not in rec:
            raise SnapshotError("failed to decode snapshot: malformed record")
        fields = image.setdefault(str(rec["Table"]), {})
        if "Value" in rec:
            fields[str(rec["Field"])] = rec["Value"]
        else:
            fields.setdefault(str(rec["Field"]), []).append(rec.get("Item"))
    return index, image


def _tar_member(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(mtime)
    tar.addfile(info, io.BytesIO(data))


def write_archive(
    index: int, image: dict[str, Any], *, term: int = 1, now: float | None = None
) -> tuple[Meta, bytes]:
    now = time.time() if now is None else now
    state = encode_state(index, image)
    meta = Meta(id=f"{term}-{index}-{int(now * 1000)}", size=len(state), index=index, term=term)
    meta_bytes = orjson.dumps(meta.to_json())
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in (("meta.json", meta_bytes), ("state.bin", state))
    ).encode()
    buf = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buf, mode="wb", mtime=int(now)) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, data in zip(MEMBERS, (meta_bytes, state, sums), strict=True):
            _tar_member(tar, name, data, now)
    return meta, buf.getvalue()


def _members(archive: bytes) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    try:
        # decompress whole first: gzip's CRC and length then catch a cut or flipped byte anywhere
        plain = gzip.decompress(archive)
        with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
            for info in tar:
                if info.name not in MEMBERS or info.name in found or not info.isfile():
                    raise SnapshotError(f'unexpected file "{info.name}" in snapshot')
                fh = tar.extractfile(info)
                if fh is None:
                    raise SnapshotError(f'unexpected file "{info.name}" in snapshot')
                data = fh.read()
                if len(data) != info.size:
                    raise SnapshotError(f'failed to read "{info.name}": truncated')
                found[info.name] = data
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise SnapshotError(f"failed to read snapshot archive: {exc}") from None
    missing = [name for name in MEMBERS if name not in found]
    if missing:
        raise SnapshotError(f"snapshot is missing {', '.join(missing)}")
    return found


def _verify(found: dict[str, bytes]) -> None:
    sums: dict[str, str] = {}
    for line in found["SHA256SUMS"].decode(errors="replace").splitlines():
        digest, sep, name = line.partition("  ")
        if sep:
            sums[name] = digest
    for name in ("meta.json", "state.bin"):
        if sums.get(name) != hashlib.sha256(found[name]).hexdigest():
            raise SnapshotError("failed checking integrity of snapshot")


def read_archive(archive: bytes) -> tuple[Meta, bytes]:
    """The verified metadata and raw ``state.bin``; raises :class:`SnapshotError`."""
    found = _members(archive)
    _verify(found)
    try:
        meta = Meta.from_json(orjson.loads(found["meta.json"]))
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"failed to decode snapshot metadata: {exc}") from None
    if meta.size != len(found["state.bin"]):
        raise SnapshotError("failed checking integrity of snapshot: size mismatch")
    return meta, found["state.bin"]


def load_archive(archive: bytes) -> tuple[Meta, dict[str, Any]]:
    """Verify and decode everything: what a restore installs, or an error before any change."""
    meta, state = read_archive(archive)
    _, image = decode_state(state)
    return meta, image


@dataclass(frozen=True, slots=True)
class TypeStat:
    name: str
    count: int
    size: int


def inspect(state: bytes) -> list[TypeStat]:
    """Per-type record counts and sizes, largest first, then by name."""
    _, records = _records(state)
    counts: dict[str, list[int]] = {}
    for mtype, _rec, size in records:
        name = TYPE_NAMES.get(mtype & 0x7F, f"Unknown({mtype})")
        stat = counts.setdefault(name, [0, 0])
        stat[0] += 1
        stat[1] += size
    stats = [TypeStat(name, c, s) for name, (c, s) in counts.items()]
    return sorted(stats, key=lambda st: (-st.size, st.name))


def format_size(size: int) -> str:
    """Consul's sizes: ``0``, ``<n>B``, then 1024-based with one decimal, ``.0`` trimmed."""
    if size == 0:
        return "0"
    if size < 1024:
        return f"{size}B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text}{unit}"
    raise AssertionError("unreachable")
