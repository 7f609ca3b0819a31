"""TCP checks: passing when a connection (optionally TLS) can be opened within the timeout."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from agentd.checks.definition import CheckDefinition
from agentd.checks.dial import dial_error, split_host_port
from agentd.checks.result import CRITICAL, PASSING, Result

__all__ = ["DEFAULT_TIMEOUT", "probe"]

DEFAULT_TIMEOUT = 10.0


async def probe(defn: CheckDefinition) -> Result:
    addr = defn.tcp
    kind = "TCP+TLS" if defn.tcp_use_tls else "TCP"
    timeout = defn.timeout if defn.timeout > 0 else DEFAULT_TIMEOUT
    try:
        host, port = split_host_port(addr)
        tls = _tls_context(defn) if defn.tcp_use_tls else None
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(
                host,
                port,
                ssl=tls,
                server_hostname=(defn.tls_server_name or host) if tls else None,
            )
    except (OSError, TimeoutError, ValueError) as exc:
        return Result(CRITICAL, dial_error("tcp", addr, exc))
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return Result(PASSING, f"{kind} connect {addr}: Success")


def _tls_context(defn: CheckDefinition) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if defn.tls_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
