"""Forwarding names outside the domain to the configured recursors.

The client's packet goes to each recursor in turn (``sequential``, or in random order with
``random``), over UDP or TCP as the client came, within ``recursor_timeout`` each. A reply with
an rcode other than NOERROR or NXDOMAIN moves on to the next recursor; the first acceptable one
is relayed to the client as it came. When every recursor fails, the client gets SERVFAIL (with
RA set).
"""

from __future__ import annotations

import asyncio
import logging
import random
import struct

from agentd.dns.config import DNSConfig

log = logging.getLogger(__name__)

Address = tuple[str, int]


class _OneReply(asyncio.DatagramProtocol):
    def __init__(self, qid: int) -> None:
        self.qid = qid
        self.reply: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        ours = len(data) >= 2 and struct.unpack("!H", data[:2])[0] == self.qid
        if ours and not self.reply.done():
            self.reply.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.reply.done():
            self.reply.set_exception(exc)


async def exchange_udp(data: bytes, addr: Address, timeout: float) -> bytes:
    loop = asyncio.get_running_loop()
    qid = struct.unpack("!H", data[:2])[0]
    transport, proto = await loop.create_datagram_endpoint(lambda: _OneReply(qid), remote_addr=addr)
    try:
        transport.sendto(data)
        async with asyncio.timeout(timeout):
            return await proto.reply
    finally:
        transport.close()


async def exchange_tcp(data: bytes, addr: Address, timeout: float) -> bytes:
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(addr[0], addr[1])
        try:
            writer.write(struct.pack("!H", len(data)) + data)
            await writer.drain()
            size = struct.unpack("!H", await reader.readexactly(2))[0]
            return await reader.readexactly(size)
        finally:
            writer.close()


def acceptable(reply: bytes) -> bool:
    """A reply worth relaying: a response whose rcode is NOERROR or NXDOMAIN."""
    if len(reply) < 12:
        return False
    flags = struct.unpack("!H", reply[2:4])[0]
    return bool(flags & 0x8000) and flags & 0xF in (0, 3)


async def forward(data: bytes, cfg: DNSConfig, tcp: bool, rng: random.Random) -> bytes | None:
    """The first acceptable recursor reply to ``data``, or None when all of them failed."""
    order = list(cfg.recursors)
    if cfg.recursor_strategy == "random":
        rng.shuffle(order)
    exchange = exchange_tcp if tcp else exchange_udp
    for addr in order:
        try:
            reply = await exchange(data, addr, cfg.recursor_timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            log.debug("dns: recursor %s:%d failed: %r", addr[0], addr[1], exc)
            continue
        if acceptable(reply):
            return reply
        rcode = reply[3] & 0xF if len(reply) >= 4 else -1
        log.warning("dns: recursor %s:%d answered with rcode %d", addr[0], addr[1], rcode)
    return None
