"""``pid_file``: envd's pid, written once envd handles its signals, removed when it exits."""

from __future__ import annotations

import contextlib
import os

from cnslkit.configfiles import ConfigError

__all__ = ["remove", "write"]


def write(path: str) -> None:
    if not path:
        return
    try:
        with open(path, "w", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")
    except OSError as exc:
        raise ConfigError(f"pid_file: cannot write {path}: {exc.strerror or exc}") from None


def remove(path: str) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)
