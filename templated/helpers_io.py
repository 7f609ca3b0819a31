"""``plugin`` and ``writeToFile``: the helpers that run programs and write files.

``plugin "exe" args...`` runs ``exe`` (looked up on ``PATH``, no shell) with the arguments,
each trimmed of surrounding whitespace and left out when empty, stdin empty; it must exit 0
within :data:`PLUGIN_TIMEOUT` and its stdout, trimmed, is the result. On failure the error
carries the program's stdout and stderr. A plugin is not run during a pass that already lacks
data: that pass's text is thrown away, and the plugin would only see placeholders.

``writeToFile "path" "user" "group" "perms" ["append,newline"] content`` (the content is
usually piped in) returns ``""`` and writes ``content`` to ``path`` with mode ``perms`` (octal),
owned by ``user``/``group`` (names or numbers; empty keeps the owner): replacing the file
atomically, or appending with ``append``; ``newline`` adds a newline. The path is checked against
the template's ``sandbox_path`` as ``file`` paths are. The write itself is deferred: it happens
when the render is put in place (:func:`apply`), once per render, never for a pass that lacks
data or fails, and not at all with ``-dry``.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import subprocess
from dataclasses import dataclass
from typing import Any

from cnslkit import render
from templated.lookup import Pass

__all__ = ["PLUGIN_TIMEOUT", "FileWrite", "IOFunctions", "apply", "inside", "run_plugin"]

PLUGIN_TIMEOUT = 30.0


def inside(path: str, root: str) -> bool:
    """Whether the resolved ``path`` is ``root`` or under it (``root`` already resolved)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def run_plugin(name: str, args: tuple[Any, ...], timeout: float = PLUGIN_TIMEOUT) -> str:
    argv = [name, *(a for a in (str(v).strip() for v in args) if a)]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a timeout kills whatever the plugin started, too
        )
    except OSError as exc:
        raise RuntimeError(f"exec {name!r}: {exc.strerror or exc}") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f"exec {name!r}: did not finish in {timeout:g}s") from None
    stdout = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        stderr = err.decode("utf-8", "replace")
        why = f"exit status {proc.returncode}"
        if proc.returncode < 0:
            why = f"killed by signal {-proc.returncode}"
        raise RuntimeError(f"exec {name!r}: {why}\n\nstdout:\n\n{stdout}\n\nstderr:\n\n{stderr}")
    return stdout.strip()


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One ``writeToFile`` call, waiting for its render to be put in place."""

    path: str
    content: str
    perms: int
    uid: int = -1
    gid: int = -1
    append: bool = False
    newline: bool = False

    @property
    def data(self) -> bytes:
        return (self.content + ("\n" if self.newline else "")).encode("utf-8")


def apply(write: FileWrite) -> None:
    """Do the write (blocking: call it through ``asyncio.to_thread``)."""
    if write.append:
        parent = os.path.dirname(write.path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        fd = os.open(write.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, write.perms)
        try:
            os.write(fd, write.data)
        finally:
            os.close(fd)
    else:
        render.write_atomic(write.path, write.data, perms=write.perms)
    if write.uid != -1 or write.gid != -1:
        os.chown(write.path, write.uid, write.gid)
    os.chmod(write.path, write.perms)


def _perms(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().lower().removeprefix("0o")
    try:
        return int(text, 8)
    except ValueError:
        raise ValueError(
            f"writeToFile: invalid permissions {value!r} (want octal, like 0644)"
        ) from None


def _owner(value: Any, kind: str) -> int:
    name = str(value).strip()
    if not name:
        return -1
    try:
        return pwd.getpwnam(name).pw_uid if kind == "user" else grp.getgrnam(name).gr_gid
    except KeyError:
        if name.isdigit():
            return int(name)
        raise ValueError(f"writeToFile: unknown {kind} {name!r}") from None


class IOFunctions:
    """``plugin`` and ``writeToFile`` for one render pass; ``writes`` collects the latter."""

    def __init__(
        self, lookup: Pass, sandbox: str = "", plugin_timeout: float = PLUGIN_TIMEOUT
    ) -> None:
        self.lookup = lookup
        self.sandbox = os.path.realpath(sandbox) if sandbox else ""
        self.plugin_timeout = plugin_timeout
        self.writes: list[FileWrite] = []

    def plugin(self, name: str = "", *args: Any) -> str:
        if not name or self.lookup.missing:
            return ""
        return run_plugin(str(name), args, self.plugin_timeout)

    def write_to_file(self, path: str, user: Any, group: Any, perms: Any, *rest: Any) -> str:
        if len(rest) not in (1, 2):
            raise TypeError(
                "writeToFile: wrong number of arguments: path, user, group, perms, [flags,] content"
            )
        flags = str(rest[0]) if len(rest) == 2 else ""
        path = str(path)
        if not path:
            raise ValueError("writeToFile: empty path")
        if self.sandbox and not inside(os.path.realpath(path), self.sandbox):
            raise PermissionError(f"writeToFile: {path!r} is outside the sandbox {self.sandbox!r}")
        content = rest[-1]
        self.writes.append(
            FileWrite(
                path=path,
                content=content if isinstance(content, str) else str(content),
                perms=_perms(perms),
                uid=_owner(user, "user"),
                gid=_owner(group, "group"),
                append="append" in flags,
                newline="newline" in flags,
            )
        )
        return ""
