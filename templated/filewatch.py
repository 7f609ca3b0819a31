"""Re-read templates and config when they change on disk (consul-template needs a SIGHUP).

Watches the directories holding the template sources and config paths (so an editor's
write-and-rename is seen) and reports only changes to those files. The watched set is asked
again after each report, since a reload may change it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

import watchfiles

__all__ = ["watch_files"]

log = logging.getLogger(__name__)


async def watch_files(
    targets: Callable[[], tuple[set[str], set[str]]],
    on_change: Callable[[set[str]], None],
    stop: asyncio.Event,
) -> None:
    """Call ``on_change(paths)`` when a target file, or anything under a target dir, changes.

    ``targets()`` returns (files, directories), absolute paths.
    """
    while not stop.is_set():
        files, dirs = targets()
        roots = {os.path.dirname(f) for f in files} | dirs
        roots = {r for r in roots if os.path.isdir(r)}
        if not roots:
            return

        prefixes = tuple(d.rstrip("/") + "/" for d in dirs)

        def relevant(
            _change: watchfiles.Change,
            path: str,
            files: set[str] = files,
            prefixes: tuple[str, ...] = prefixes,
        ) -> bool:
            return path in files or path.startswith(prefixes)

        async for changes in watchfiles.awatch(
            *roots,
            watch_filter=relevant,
            debounce=50,
            step=20,
            stop_event=stop,
            recursive=bool(dirs),
        ):
            paths = {p for _c, p in changes}
            log.info("files changed: %s", ", ".join(sorted(paths)))
            on_change(paths)
            break
