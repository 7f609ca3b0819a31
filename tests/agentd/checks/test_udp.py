"""UDP probe: a replying server, a silent one, and a closed port (ICMP refusal)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import cast

import pytest

from agentd.checks import udp
from agentd.checks.definition import from_json
from tests.agentd.checks import closed_port


class Echo(asyncio.DatagramProtocol):
    def __init__(self, reply: bool) -> None:
        self.reply = reply
        self.received: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.received.append(data)
        if self.reply and self.transport is not None:
            self.transport.sendto(b"pong", addr)


async def serve(reply: bool) -> tuple[asyncio.DatagramTransport, Echo]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(
        lambda: Echo(reply), local_addr=("127.0.0.1", 0)
    )
    return transport, proto


@pytest.fixture
async def replying() -> AsyncIterator[tuple[int, Echo]]:
    transport, proto = await serve(reply=True)
    yield transport.get_extra_info("sockname")[1], proto
    transport.close()


@pytest.fixture
async def silent() -> AsyncIterator[tuple[int, Echo]]:
    transport, proto = await serve(reply=False)
    yield transport.get_extra_info("sockname")[1], proto
    transport.close()


async def test_reply_is_passing(replying: tuple[int, Echo]) -> None:
    port, proto = replying
    addr = f"127.0.0.1:{port}"
    started = time.monotonic()
    result = await udp.probe(from_json({"UDP": addr, "Interval": "1s", "Timeout": "5s"}))
    assert result == ("passing", f"UDP connect {addr}: Success")
    assert time.monotonic() - started < 2  # the reply ended the wait, not the timeout
    assert proto.received == [b""]  # one empty datagram, as Consul sends


async def test_silence_until_timeout_is_passing(silent: tuple[int, Echo]) -> None:
    port, proto = silent
    addr = f"127.0.0.1:{port}"
    result = await udp.probe(from_json({"UDP": addr, "Interval": "1s", "Timeout": "100ms"}))
    assert result == ("passing", f"UDP connect {addr}: Success")
    assert proto.received == [b""]


async def test_closed_port_is_critical() -> None:
    addr = f"127.0.0.1:{closed_port(socket.SOCK_DGRAM)}"
    result = await udp.probe(from_json({"UDP": addr, "Interval": "1s", "Timeout": "2s"}))
    assert result.status == "critical"
    assert result.output.startswith("read udp 127.0.0.1:")
    assert result.output.endswith(f"->{addr}: read: connection refused")


async def test_bad_address() -> None:
    result = await udp.probe(from_json({"UDP": "h:x", "Interval": "1s"}))
    assert result == ("critical", "dial udp: address x: invalid port")
