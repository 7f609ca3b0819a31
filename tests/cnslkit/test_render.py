"""Atomic rendering: temp file + fsync + rename, perms, backup, no-op when unchanged."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cnslkit import render


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_0644_and_parent_dirs(tmp_path: Path) -> None:
    dest = tmp_path / "a" / "b" / "out.conf"
    result = render.write_atomic(dest, b"hello\n")
    assert result == render.RenderResult(str(dest), True, True)
    assert dest.read_bytes() == b"hello\n" and _mode(dest) == 0o644
    assert _mode(dest.parent) & 0o777 == 0o755 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_unchanged_content_is_not_touched(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    render.write_atomic(dest, b"x")
    inode = dest.stat().st_ino
    assert render.write_atomic(dest, b"x") == render.RenderResult(str(dest), False, False)
    assert dest.stat().st_ino == inode


def test_replacement_is_a_rename_and_keeps_the_existing_mode(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.write_bytes(b"old")
    dest.chmod(0o600)
    inode = dest.stat().st_ino
    render.write_atomic(dest, b"new")
    assert dest.read_bytes() == b"new" and _mode(dest) == 0o600
    assert dest.stat().st_ino != inode  # a new file renamed over: readers see old or new
    render.write_atomic(dest, b"new", perms=0o640)  # a mode change alone is a change
    assert _mode(dest) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_backup_keeps_exactly_one_previous_version(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    render.write_atomic(dest, b"v1", backup=True)
    assert not (tmp_path / "out.bak").exists()
    render.write_atomic(dest, b"v2", backup=True)
    render.write_atomic(dest, b"v3", backup=True)
    assert (tmp_path / "out.bak").read_bytes() == b"v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out.bak"]


def test_stage_then_discard_leaves_the_destination(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.write_bytes(b"keep")
    staged = render.stage(dest, b"candidate", perms=0o600)
    assert staged.temp.parent == tmp_path and staged.temp.read_bytes() == b"candidate"
    assert _mode(staged.temp) == 0o600
    staged.discard()
    assert dest.read_bytes() == b"keep" and sorted(os.listdir(tmp_path)) == ["out"]
    staged = render.stage(dest, b"new")
    staged.commit()
    assert dest.read_bytes() == b"new"


def test_no_dest_dirs_when_disabled(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        render.write_atomic(tmp_path / "missing" / "out", b"x", create_dest_dirs=False)


def test_needs_write(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    assert render.needs_write(dest, b"a")
    dest.write_bytes(b"a")
    assert not render.needs_write(dest, b"a")
    assert render.needs_write(dest, b"ab")
    assert render.needs_write(dest, b"a", perms=0o600) == (_mode(dest) != 0o600)
