"""Helpers shared by the check tests."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

_HELD: list[socket.socket] = []


def closed_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    """A loopback port nothing listens on. A TCP port stays bound without listening for the rest
    of the run (connects are refused, and no parallel test can take it); a UDP port is released,
    since a bound UDP socket would swallow the probe instead of answering "port unreachable"."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    if kind == socket.SOCK_STREAM:
        _HELD.append(s)
    else:
        s.close()
    return port


async def wait_for(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)
