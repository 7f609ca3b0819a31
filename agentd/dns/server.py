"""The DNS driver: UDP and TCP sockets feeding ``answer.handle``; recursor forwarding as tasks.

Every packet is answered (or dropped) on the event loop as it arrives; only forwarding to a
recursor waits, in a task owned by ``run``'s TaskGroup, at most ``MAX_FORWARDS`` at once (beyond
that the client gets SERVFAIL at once). TCP connections carry length-prefixed messages and close
after ``TCP_IDLE`` seconds without one.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import random
import struct
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from agentd.dns import answer, recursor
from agentd.dns.config import DNSConfig
from agentd.dns.view import StoreView, View

if TYPE_CHECKING:
    from agentd.agent import Agent
    from agentd.config import RuntimeConfig

log = logging.getLogger(__name__)

MAX_FORWARDS = 256
TCP_IDLE = 10.0
_BIND_TRIES = 20

Send = Callable[[bytes], None]


class ConfigCache:
    """The DNS settings of the agent's current config, rebuilt only when the config changes."""

    def __init__(self, get: Callable[[], RuntimeConfig]) -> None:
        self._get = get
        self._seen: RuntimeConfig | None = None
        self._cfg = DNSConfig()

    def __call__(self) -> DNSConfig:
        current = self._get()
        if current is not self._seen:
            self._seen, self._cfg = current, DNSConfig.from_runtime(current)
        return self._cfg


class DNSServer:
    def __init__(self, view: View, config: Callable[[], DNSConfig]) -> None:
        self.view = view
        self.config = config
        self.rng = random.Random()
        self._transports: list[asyncio.BaseTransport] = []
        self._servers: list[asyncio.Server] = []
        self._tg: asyncio.TaskGroup | None = None
        self._forwards = 0

    @classmethod
    def for_agent(cls, agent: Agent) -> DNSServer:
        """Reads the agent's store and config; with ACLs on, sees what the DNS token may."""

        def identity() -> Any:
            acl = agent.acl
            if not acl.settings.enabled:
                return None
            return acl.resolve(acl.agent_tokens.get("dns", ""))

        view = StoreView(
            agent.store,
            lambda: agent.config.node_name,
            lambda: agent.config.datacenter,
            identity,
        )
        return cls(view, ConfigCache(lambda: agent.config))

    # ---- sockets ----------------------------------------------------------------------------

    async def listen(self, host: str, port: int) -> tuple[str, int]:
        """UDP and TCP on ``host:port`` (port 0: one free port for both); the bound address."""
        loop = asyncio.get_running_loop()
        for _ in range(_BIND_TRIES):
            udp, _ = await loop.create_datagram_endpoint(
                lambda: _UDP(self), local_addr=(host, port)
            )
            bound = udp.get_extra_info("sockname")
            try:
                server = await loop.create_server(lambda: _TCP(self), host, bound[1])
            except OSError as exc:
                udp.close()
                if port == 0 and exc.errno == errno.EADDRINUSE:
                    continue  # the free UDP port is taken for TCP: try another
                raise
            self._transports.append(udp)
            self._servers.append(server)
            return str(bound[0]), int(bound[1])
        raise OSError(errno.EADDRINUSE, f"no free port for DNS on {host}")

    async def run(self) -> None:
        """Own the forwarding tasks until cancelled; then close every socket."""
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                await asyncio.Event().wait()
        finally:
            self._tg = None
            self.close()

    def close(self) -> None:
        for transport in self._transports:
            transport.close()
        for server in self._servers:
            server.close()
        self._transports, self._servers = [], []

    # ---- packets ----------------------------------------------------------------------------

    def serve(self, data: bytes, client_ip: str, tcp: bool, send: Send) -> None:
        """Answer one packet; a forward to the recursors finishes in a task."""
        cfg = self.config()
        ctx = answer.Context(self.view, cfg, tcp, client_ip, time.time(), self.rng)
        outcome = answer.handle(data, ctx)
        if isinstance(outcome, answer.Reply):
            send(outcome.data)
        elif isinstance(outcome, answer.Forward):
            if self._tg is None or self._forwards >= MAX_FORWARDS:
                send(answer.failure(outcome.request, cfg, answer.SERVFAIL, ra=True))
                return
            self._forwards += 1
            self._tg.create_task(self._forward(outcome, cfg, tcp, send))

    async def _forward(
        self, outcome: answer.Forward, cfg: DNSConfig, tcp: bool, send: Send
    ) -> None:
        try:
            reply = await recursor.forward(outcome.data, cfg, tcp, self.rng)
            if reply is None:
                log.error("dns: all recursors failed for %s", outcome.request.q.qname)
                reply = answer.failure(outcome.request, cfg, answer.SERVFAIL, ra=True)
            send(reply)
        except Exception:
            log.exception("dns: forwarding %s failed", outcome.request.q.qname)
        finally:
            self._forwards -= 1


class _UDP(asyncio.DatagramProtocol):
    def __init__(self, server: DNSServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        transport = self.transport
        if transport is None:
            return

        def send(reply: bytes) -> None:
            if not transport.is_closing():
                transport.sendto(reply, addr)

        try:
            self.server.serve(data, str(addr[0]), False, send)
        except Exception:  # the loop that answers every packet: never let one stop it
            log.exception("dns: udp packet from %s", addr[0])

    def error_received(self, exc: Exception) -> None:
        log.debug("dns: udp: %s", exc)


class _TCP(asyncio.Protocol):
    def __init__(self, server: DNSServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.client_ip = ""
        self.idle: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.client_ip = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        self._arm()

    def _arm(self) -> None:
        if self.idle is not None:
            self.idle.cancel()
        transport = self.transport
        if transport is not None:
            self.idle = asyncio.get_running_loop().call_later(TCP_IDLE, transport.close)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._arm()
        while len(self.buffer) >= 2:
            size = struct.unpack("!H", self.buffer[:2])[0]
            if len(self.buffer) < 2 + size:
                break
            message = bytes(self.buffer[2 : 2 + size])
            del self.buffer[: 2 + size]
            try:
                self.server.serve(message, self.client_ip, True, self._send)
            except Exception:
                log.exception("dns: tcp message from %s", self.client_ip)

    def _send(self, reply: bytes) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(struct.pack("!H", len(reply)) + reply)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.idle is not None:
            self.idle.cancel()
        self.transport = None
