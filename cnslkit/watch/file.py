"""``file "path"``: a local file's contents, watched by polling its status (``file(path)``).

The index is the file's modification time in nanoseconds (1 while it does not exist), so the
fetch "blocks" until the status differs from the index it was given, polling every
``poll`` seconds for at most the wait time. A missing file is None, like a missing key.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from cnslkit.watch.dependency import Dependency, Fetched, QueryOptions
from cnslkit.watch.errors import DependencyParseError

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["FileQuery"]

_MISSING = 1


@dataclass(frozen=True, slots=True)
class FileQuery(Dependency):
    path: str
    poll: float = field(default=0.5, compare=False)

    kind: ClassVar[str] = "file"

    @classmethod
    def parse(cls, text: str) -> FileQuery:
        path = text.strip()
        if not path:
            raise DependencyParseError(cls.kind, text, "missing path")
        return cls(os.path.abspath(os.path.expanduser(path)))

    @property
    def key(self) -> str:
        return f"{self.kind}({self.path})"

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        deadline = time.monotonic() + opts.wait
        while True:
            stamp = _stamp(self.path)
            if stamp != opts.index or opts.index == 0 or time.monotonic() >= deadline:
                break
            await asyncio.sleep(self.poll)
        if stamp == _MISSING:
            return Fetched(None, stamp)
        try:
            text = await asyncio.to_thread(Path(self.path).read_text, "utf-8", "replace")
        except FileNotFoundError:
            return Fetched(None, _MISSING)
        return Fetched(text, stamp)


def _stamp(path: str) -> int:
    try:
        return max(os.stat(path).st_mtime_ns, _MISSING + 1)
    except FileNotFoundError:
        return _MISSING
