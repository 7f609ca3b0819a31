"""TCP probe against a real listener and a closed port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from agentd.checks import tcp
from agentd.checks.definition import from_json
from tests.agentd.checks import closed_port


@pytest.fixture
async def listener() -> AsyncIterator[int]:
    async def handle(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def test_connect_success(listener: int) -> None:
    addr = f"127.0.0.1:{listener}"
    result = await tcp.probe(from_json({"TCP": addr, "Interval": "1s"}))
    assert result == ("passing", f"TCP connect {addr}: Success")


async def test_connection_refused_is_critical() -> None:
    addr = f"127.0.0.1:{closed_port()}"
    result = await tcp.probe(from_json({"TCP": addr, "Interval": "1s"}))
    assert result == ("critical", f"dial tcp {addr}: connect: connection refused")


async def test_bad_address() -> None:
    result = await tcp.probe(from_json({"TCP": "nope", "Interval": "1s"}))
    assert result == ("critical", "dial tcp: address nope: missing port in address")


async def test_ipv6_brackets_are_understood(listener: int) -> None:
    # Only the address parsing matters here: [127.0.0.1] is not IPv6 but round-trips.
    result = await tcp.probe(from_json({"TCP": f"[127.0.0.1]:{listener}", "Interval": "1s"}))
    assert result.status == "passing"
