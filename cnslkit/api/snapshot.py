"""``/v1/snapshot`` as :class:`~cnslkit.api.call.Call` records (Go's ``Snapshot``).

The archive travels as opaque bytes; its format (and verification) is :mod:`cnslkit.snapshot`.
"""

from __future__ import annotations

from cnslkit.api.call import Call, ignore, params

__all__ = ["restore", "save"]


def _raw(status: int, body: bytes) -> bytes:
    return body


def save(*, stale: bool = False) -> Call[bytes]:
    """The whole state as a gzipped tar archive."""
    return Call("GET", "/v1/snapshot", _raw, params(("stale", stale)))


def restore(archive: bytes) -> Call[None]:
    """Replace the whole state with an archive's; nothing changes if it does not verify."""
    return Call("PUT", "/v1/snapshot", ignore, body=archive)
