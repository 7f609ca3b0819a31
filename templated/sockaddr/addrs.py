"""An interface address as go-sockaddr sees it, and the address tables its functions consult.

:class:`IfAddr` is one address of one interface with that interface's flags (Go's names, in
:data:`IFF` with their Linux bits); :data:`RFCS` is go-sockaddr's table of networks by RFC number,
and :func:`within`, :func:`forwardable` and :func:`private` are its tests of an address's whole
network against those blocks (RFC 6890's non-forwardable ones, and RFC 6890 itself for private).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "IFF",
    "RFCS",
    "IPInterface",
    "IfAddr",
    "Network",
    "forwardable",
    "private",
    "within",
]

IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Go's net.Flags, in the order Go prints them, with the Linux IFF_* bit of each.
IFF = (
    ("up", 0x1),
    ("broadcast", 0x2),
    ("loopback", 0x8),
    ("pointtopoint", 0x10),
    ("multicast", 0x1000),
    ("running", 0x40),
)


@dataclass(frozen=True, slots=True)
class IfAddr:
    """One address of one interface, with the interface's flags (Go's names: ``up``, ...)."""

    name: str
    address: IPInterface
    flags: frozenset[str] = frozenset()

    @classmethod
    def make(cls, name: str, cidr: str, flags: str = "up") -> IfAddr:
        """``IfAddr.make("eth0", "10.0.0.5/24", "up|broadcast")``."""
        return cls(name, ipaddress.ip_interface(cidr), frozenset(f for f in flags.split("|") if f))

    @property
    def version(self) -> int:
        return self.address.version

    @property
    def network(self) -> Network:
        return self.address.network

    def __str__(self) -> str:
        """go-sockaddr's form: the address, with ``/bits`` unless it is a host mask."""
        ip, bits = self.address.ip, self.address.network.prefixlen
        return str(ip) if bits == ip.max_prefixlen else f"{ip}/{bits}"


def _nets(*cidrs: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# The networks go-sockaddr knows by RFC number (its table; "include "rfc" "1918|6598"").
RFCS: dict[int, tuple[Network, ...]] = {
    919: _nets("255.255.255.255/32"),
    1112: _nets("224.0.0.0/4"),
    1122: _nets("0.0.0.0/8", "127.0.0.0/8"),
    1918: _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
    2544: _nets("198.18.0.0/15"),
    2765: _nets("::ffff:0:0/96"),
    2928: _nets("2001::/16"),
    3056: _nets("2002::/16"),
    3068: _nets("192.88.99.0/24", "2002:c058:6301::/120"),
    3171: _nets("224.0.0.0/4"),
    3330: _nets(
        "0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4",
        "240.0.0.0/4",
    ),
    3849: _nets("2001:db8::/32"),
    3927: _nets("169.254.0.0/16"),
    4038: _nets("::ffff:0:0/96"),
    4193: _nets("fc00::/7"),
    4291: _nets(
        "::/128", "::1/128", "::/96", "::ffff:0:0/96", "fe80::/10", "fec0::/10", "ff00::/8"
    ),
    4380: _nets("2001::/32"),
    4773: _nets("2001::/23"),
    4843: _nets("2001:10::/28"),
    5180: _nets("2001:200::/48"),
    5735: _nets("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15"),
    5737: _nets("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
    6052: _nets("64:ff9b::/96"),
    6333: _nets("192.0.0.0/29"),
    6598: _nets("100.64.0.0/10"),
    6666: _nets("100::/64"),
    6890: _nets(
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.2.0/24", "192.88.99.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
        "255.255.255.255/32", "::1/128", "::/128", "64:ff9b::/96", "::ffff:0:0/96", "100::/64",
        "2001::/16", "2002::/16", "fc00::/7", "fe80::/10",
    ),
    7335: _nets("192.0.0.0/29"),
}  # fmt: skip

# RFC 6890's blocks that are not forwardable: the "forwardable" flag is "none of these".
_NOT_FORWARDABLE = _nets(
    "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32", "::1/128",
    "::/128", "::ffff:0:0/96", "2001:db8::/32", "2001:10::/28", "fe80::/10",
)  # fmt: skip


def within(addr: IfAddr, nets: Iterable[Network]) -> bool:
    """Whether the address's whole network lies inside one of ``nets`` (go-sockaddr's Contains)."""
    own = addr.network
    first, last = int(own.network_address), int(own.broadcast_address)
    return any(
        n.version == own.version
        and int(n.network_address) <= first
        and last <= int(n.broadcast_address)
        for n in nets
    )


def forwardable(addr: IfAddr) -> bool:
    return not within(addr, _NOT_FORWARDABLE)


def private(addr: IfAddr) -> bool:
    return within(addr, RFCS[6890])
