"""Atomic file rendering: a reader sees the old file or the new one, never half of either.

The new content goes to a temp file in the destination's directory (same file system, so the
rename is atomic), is fsynced, gets its mode (``perms``; else the existing file's; else 0644)
and owner (the existing file's, when we may), and is renamed over the destination; the
directory is fsynced so the rename survives a crash. With ``backup`` the previous file is kept
as ``<dest>.bak`` (exactly one, replaced atomically). An unchanged file is not touched at all.

Writing is two steps so a caller can inspect the staged file before it replaces anything
(templated's ``-check``): :func:`stage` then :meth:`Staged.commit` or :meth:`Staged.discard`.
:func:`write_atomic` does both. These block (fsync): call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_PERMS", "RenderResult", "Staged", "needs_write", "stage", "write_atomic"]

DEFAULT_PERMS = 0o644
_DIR_PERMS = 0o755


@dataclass(frozen=True, slots=True)
class RenderResult:
    """``would_render``: the content differs from the file; ``did_render``: it was written."""

    path: str
    would_render: bool
    did_render: bool


def _mode_of(path: Path, perms: int | None) -> tuple[int, os.stat_result | None]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (perms if perms is not None else DEFAULT_PERMS), None
    return (perms if perms is not None else stat.S_IMODE(st.st_mode)), st


def needs_write(path: str | os.PathLike[str], content: bytes, perms: int | None = None) -> bool:
    """False when ``path`` already holds exactly ``content`` with the wanted mode."""
    dest = Path(path)
    try:
        st = dest.stat()
        if st.st_size != len(content) or dest.read_bytes() != content:
            return True
    except FileNotFoundError:
        return True
    return perms is not None and stat.S_IMODE(st.st_mode) != perms


class Staged:
    """New content for ``path``, fsynced in ``temp`` beside it, waiting to replace it."""

    def __init__(self, path: Path, temp: Path) -> None:
        self.path = path
        self.temp = temp

    def commit(self, backup: bool = False) -> None:
        """Rename the temp file over the destination (keeping ``.bak`` first if asked)."""
        if backup and self.path.exists():
            _backup(self.path)
        os.replace(self.temp, self.path)
        _fsync_dir(self.path.parent)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


def stage(
    path: str | os.PathLike[str],
    content: bytes,
    *,
    perms: int | None = None,
    create_dest_dirs: bool = True,
) -> Staged:
    """Write ``content`` to a fsynced temp file next to ``path``; nothing visible changes yet."""
    dest = Path(path)
    if create_dest_dirs:
        dest.parent.mkdir(mode=_DIR_PERMS, parents=True, exist_ok=True)
    mode, existing = _mode_of(dest, perms)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            if existing is not None:
                _copy_owner(fh.fileno(), existing)
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return Staged(dest, temp)


def write_atomic(
    path: str | os.PathLike[str],
    content: bytes,
    *,
    perms: int | None = None,
    backup: bool = False,
    create_dest_dirs: bool = True,
) -> RenderResult:
    """Replace ``path`` with ``content`` atomically, unless it already holds exactly that."""
    if not needs_write(path, content, perms):
        return RenderResult(str(path), False, False)
    stage(path, content, perms=perms, create_dest_dirs=create_dest_dirs).commit(backup)
    return RenderResult(str(path), True, True)


def _copy_owner(fd: int, existing: os.stat_result) -> None:
    if (existing.st_uid, existing.st_gid) == (os.getuid(), os.getgid()):
        return
    with contextlib.suppress(PermissionError):  # only root may give files away
        os.fchown(fd, existing.st_uid, existing.st_gid)


def _backup(path: Path) -> None:
    """Hard-link the current file to ``<path>.bak``, replacing any older backup atomically."""
    bak = path.with_name(path.name + ".bak")
    link = path.with_name(f".{path.name}.bak.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    try:
        os.link(path, link)
    except OSError:  # no hard links here (some file systems): copy instead
        link.write_bytes(path.read_bytes())
    os.replace(link, bak)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
