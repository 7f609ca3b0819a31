"""In-memory log for ``-dev`` without ``-data-dir``: ordered, applied at once, gone at exit."""

from __future__ import annotations

import asyncio
from typing import Any

from agentd.log.base import Log
from agentd.structs.commands import Command


class MemoryLog(Log):
    async def open(self) -> None:
        return None

    async def propose(self, command: Command) -> Any:
        return self.fsm.apply(self.fsm.last_index + 1, command)

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def close(self) -> None:
        return None
