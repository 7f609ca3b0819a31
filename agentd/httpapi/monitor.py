"""``/v1/agent/monitor``: this agent's log lines, streamed as they are written.

A logging handler on the root logger fans each record out to the subscribers' bounded queues (from
any thread, through the loop); a slow reader loses lines rather than slowing the agent, as in
Consul. The handler is installed while anyone listens, and the root logger's level is lowered to
the most detailed level asked for (the agent's own stderr handler keeps its ``-log-level``), so
``?loglevel=debug`` sees debug lines from an agent running at info, as in Consul.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import orjson

from agentd.config import TRACE
from agentd.config_schema import LOG_LEVELS
from agentd.errors import BadRequest
from agentd.httpapi.request import Request, Response

if TYPE_CHECKING:
    from agentd.agent import Agent

QUEUE_SIZE = 512
_LEVELS = {
    "TRACE": TRACE,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERR": logging.ERROR,
}


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop, level: int, as_json: bool) -> None:
        self.loop = loop
        self.level = level
        self.as_json = as_json
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, line: bytes) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(line)


class LogHub(logging.Handler):
    """Fans log records out to subscribers; installed on the root logger while any listen."""

    def __init__(self) -> None:
        super().__init__()
        self.subscribers: set[_Subscriber] = set()
        self._root_level: int | None = None  # the root's level before the first subscriber
        self._text = logging.Formatter("%(asctime)s [%(levelname)s] %(name)s: %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self._text.format(record).encode() + b"\n"
            raw = orjson.dumps(
                {
                    "@level": record.levelname.lower(),
                    "@message": record.getMessage(),
                    "@module": record.name,
                    "@timestamp": self._text.formatTime(record),
                }
            )
            for sub in list(self.subscribers):
                if record.levelno >= sub.level and not sub.loop.is_closed():
                    line = raw + b"\n" if sub.as_json else text
                    sub.loop.call_soon_threadsafe(sub.offer, line)
        except Exception:
            self.handleError(record)

    def subscribe(self, level: int, as_json: bool) -> _Subscriber:
        sub = _Subscriber(asyncio.get_running_loop(), level, as_json)
        root = logging.getLogger()
        if not self.subscribers:
            root.addHandler(self)
            self._root_level = root.level
        self.subscribers.add(sub)
        root.setLevel(min(root.level or logging.WARNING, level))
        return sub

    def unsubscribe(self, sub: _Subscriber) -> None:
        self.subscribers.discard(sub)
        if not self.subscribers:
            root = logging.getLogger()
            root.removeHandler(self)
            if self._root_level is not None:
                root.setLevel(self._root_level)
                self._root_level = None


HUB = LogHub()


async def _lines(sub: _Subscriber) -> AsyncIterator[bytes]:
    try:
        while True:
            yield await sub.queue.get()
    finally:
        HUB.unsubscribe(sub)


async def monitor(agent: Agent, req: Request) -> Response:
    raw = (req.arg("loglevel") or "INFO").lower()
    name = LOG_LEVELS.get(raw)
    if name is None:
        raise BadRequest(f"Unknown log level: {raw}")
    sub = HUB.subscribe(_LEVELS.get(name, logging.INFO), req.has("logjson"))
    return Response(200, b"", "text/plain; charset=utf-8", stream=_lines(sub))
