"""UDP checks: send one datagram and listen for the answer until the timeout.

UDP has no handshake, so like Consul the check is passing unless the network says otherwise: a
reply or silence until the timeout is passing; an ICMP error (port unreachable, reported on the
connected socket as ECONNREFUSED) or a failure to send is critical. The probe therefore takes the
whole timeout when the target stays silent; keep UDP timeouts short.
"""

from __future__ import annotations

import asyncio
import socket

from agentd.checks.definition import CheckDefinition
from agentd.checks.dial import dial_error, errno_text, split_host_port
from agentd.checks.result import CRITICAL, PASSING, Result

__all__ = ["DEFAULT_TIMEOUT", "probe"]

DEFAULT_TIMEOUT = 10.0
# What Consul sends (its CheckUDP.Message is empty unless set in code).
PAYLOAD = b""


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, answered: asyncio.Future[None]) -> None:
        self.answered = answered

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if not self.answered.done():
            self.answered.set_result(None)

    def error_received(self, exc: Exception) -> None:
        if not self.answered.done():
            self.answered.set_exception(exc)


async def probe(defn: CheckDefinition) -> Result:
    addr = defn.udp
    timeout = defn.timeout if defn.timeout > 0 else DEFAULT_TIMEOUT
    success = Result(PASSING, f"UDP connect {addr}: Success")
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[None] = loop.create_future()
    try:
        host, port = split_host_port(addr)
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        family, kind, proto, _, sockaddr = infos[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, TimeoutError, ValueError) as exc:
        return Result(CRITICAL, dial_error("udp", addr, exc))
    try:
        sock.setblocking(False)
        sock.connect(sockaddr)  # no handshake: this only fixes the peer, so ICMP errors reach us
        transport, _ = await loop.create_datagram_endpoint(lambda: _Listener(answered), sock=sock)
    except OSError as exc:
        sock.close()
        return Result(CRITICAL, dial_error("udp", addr, exc))
    try:
        local, remote = _hostport(sock.getsockname()), _hostport(sock.getpeername())
        try:
            # Directly on the socket: asyncio's transport silently drops empty datagrams.
            sock.send(PAYLOAD)
        except OSError as exc:
            return Result(CRITICAL, f"write udp {local}->{remote}: write: {errno_text(exc)}")
        try:
            async with asyncio.timeout(timeout):
                await answered
        except TimeoutError:
            return success
        except OSError as exc:
            return Result(CRITICAL, f"read udp {local}->{remote}: read: {errno_text(exc)}")
        return success
    finally:
        transport.close()
        if not answered.done():
            answered.cancel()
        elif not answered.cancelled():
            answered.exception()  # mark a late ICMP error as seen, not "never retrieved"


def _hostport(sockaddr: object) -> str:
    if not isinstance(sockaddr, tuple) or len(sockaddr) < 2:
        return "?"
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
