"""Putting a rendered text in place: the empty-data guard, ``-dry``, ``-check``, atomic write.

Order: the guard refuses a render whose data vanished; an unchanged destination is left alone
(no write, no command); otherwise the text is staged beside the destination, the check command
(if any) runs on the staged file, and only then does it replace the destination. The render's
``writeToFile`` calls are carried out after that (:func:`put_writes`).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cnslkit import render
from cnslkit.child import run_command
from templated import helpers_io
from templated.config import TemplateConfig
from templated.helpers_io import FileWrite

__all__ = ["Written", "check_command", "command_env", "guard", "put", "put_writes"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Written:
    """``changed``: the destination now differs (or would, with -dry); ``failed``: why not."""

    changed: bool
    failed: str = ""


def guard(
    config: TemplateConfig,
    content: str,
    before: Mapping[str, bool],
    now: Mapping[str, bool],
) -> str:
    """Why this render must not replace the file ("" when it may).

    A collection the template read that held entries at the last render and is empty now, or
    an output that is blank where the destination has content, looks like an outage, not like
    intent: the old file stays unless the template allows empty renders.
    """
    if config.allow_empty:
        return ""
    vanished = sorted(k for k, had in before.items() if had and now.get(k) is False)
    if vanished:
        return f"data vanished for {', '.join(vanished)}"
    if not content.strip() and _has_content(config.destination):
        return "the render is empty but the destination is not"
    return ""


def _has_content(path: str) -> bool:
    try:
        return bool(Path(path).read_bytes().strip())
    except OSError:
        return False


def check_command(check: str, temp: str) -> str:
    """The check command with ``{}`` replaced by the (quoted) temp file path."""
    quoted = shlex.quote(temp)
    return check.replace("{}", quoted) if "{}" in check else f"{check} {quoted}"


async def put(
    config: TemplateConfig,
    content: str,
    *,
    dry: bool = False,
    stdout: TextIO | None = None,
    env: Mapping[str, str] | None = None,
) -> Written:
    """Write ``content`` to the template's destination as the rules above say."""
    data = content.encode("utf-8")
    if dry:
        out = stdout or _stdout()
        out.write(f"> {config.destination}\n{content}")
        out.flush()
        return Written(True)
    dest = config.destination
    if not await asyncio.to_thread(render.needs_write, dest, data, config.perms):
        return Written(False)
    staged = await asyncio.to_thread(
        render.stage, dest, data, perms=config.perms, create_dest_dirs=config.create_dest_dirs
    )
    try:
        if config.check:
            command = check_command(config.check, str(staged.temp))
            result = await run_command(command, timeout=config.command_timeout, env=env)
            if result.code != 0:
                await asyncio.to_thread(staged.discard)
                why = "timed out" if result.timed_out else f"exited {result.code}"
                return Written(False, f"check {command!r} {why}; {dest} left unchanged")
        await asyncio.to_thread(staged.commit, config.backup)
    except BaseException:
        await asyncio.to_thread(staged.discard)
        raise
    log.info("%s: rendered", dest)
    return Written(True)


async def put_writes(
    writes: list[FileWrite], *, dry: bool = False, stdout: TextIO | None = None
) -> str:
    """Carry out a render's ``writeToFile`` calls in order; why one failed ("" when none did).

    With ``-dry`` each is printed (``> path (writeToFile[, append])`` and the text) instead.
    """
    for write in writes:
        if dry:
            out = stdout or _stdout()
            how = "writeToFile, append" if write.append else "writeToFile"
            out.write(f"> {write.path} ({how})\n{write.data.decode('utf-8')}")
            out.flush()
            continue
        try:
            await asyncio.to_thread(helpers_io.apply, write)
        except OSError as exc:
            return f"writeToFile {write.path}: {exc.strerror or exc}"
    return ""


def _stdout() -> TextIO:
    import sys

    return sys.stdout


def command_env(base: Mapping[str, str], address: str, token: str | None) -> dict[str, str]:
    """What commands and the child see: our environment plus where Consul is."""
    env = dict(base)
    env.setdefault("CONSUL_HTTP_ADDR", address)
    if token:
        env.setdefault("CONSUL_HTTP_TOKEN", token)
    return env
