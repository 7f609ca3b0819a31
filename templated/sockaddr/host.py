"""This host's interface addresses and default route, read for go-sockaddr's functions.

:func:`system_interfaces` dumps every address over rtnetlink (falling back to ``ioctl`` for each
interface's primary IPv4 address and ``/proc/net/if_inet6`` for IPv6), with each interface's flags;
:func:`default_route_interface` names the interface of the default route from ``/proc/net/route``
(lowest metric), else ``/proc/net/ipv6_route``. :class:`Host` bundles the two so tests can give
a fake machine.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from templated.sockaddr.addrs import IFF, IfAddr, IPInterface

__all__ = ["Host", "default_route_interface", "system_interfaces"]


def system_interfaces() -> list[IfAddr]:
    """Every address of every interface, by interface index (IPv4 before IPv6 within one)."""
    try:
        found = _netlink_addresses()
    except (OSError, AttributeError, ValueError, struct.error):  # no rtnetlink here
        found = _ioctl_addresses()
    flags: dict[str, frozenset[str]] = {}
    out: list[IfAddr] = []
    for _, name, address in sorted(found, key=lambda f: f[0]):
        if name not in flags:
            bits = _interface_flags(name)
            flags[name] = frozenset(n for n, bit in IFF if bits & bit)
        out.append(IfAddr(name, address, flags[name]))
    return out


_Found = list[tuple[int, str, IPInterface]]


def _netlink_addresses() -> _Found:
    """RTM_GETADDR over rtnetlink: every address, secondary ones included."""
    rtm_newaddr, rtm_getaddr, nlmsg_done, nlmsg_error = 20, 22, 3, 2
    ifa_address, ifa_local, ifa_label = 1, 2, 3
    request = struct.pack("=LHHLL", 24, rtm_getaddr, 0x301, 1, 0) + struct.pack(
        "=BBBBL", 0, 0, 0, 0, 0
    )
    out: _Found = []
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as sock:
        sock.settimeout(2.0)
        sock.bind((0, 0))
        sock.send(request)
        while True:
            data = sock.recv(1 << 16)
            if not data:
                return out
            off = 0
            while off + 16 <= len(data):
                length, kind = struct.unpack_from("=LH", data, off)
                if length < 16 or kind == nlmsg_done:
                    return out
                if kind == nlmsg_error:
                    raise OSError("rtnetlink refused the address dump")
                if kind == rtm_newaddr:
                    family, bits, _, _, index = struct.unpack_from("=BBBBL", data, off + 16)
                    attrs: dict[int, bytes] = {}
                    pos = off + 24
                    while pos + 4 <= off + length:
                        size, atype = struct.unpack_from("=HH", data, pos)
                        if size < 4:
                            break
                        attrs[atype] = data[pos + 4 : pos + size]
                        pos += (size + 3) & ~3
                    raw = attrs.get(ifa_local) or attrs.get(ifa_address)
                    if family in (socket.AF_INET, socket.AF_INET6) and raw:
                        name = _index_name(index, attrs.get(ifa_label, b""))
                        ip = ipaddress.ip_address(raw)
                        out.append((index, name, ipaddress.ip_interface(f"{ip}/{bits}")))
                off += (length + 3) & ~3


def _index_name(index: int, label: bytes) -> str:
    try:
        return socket.if_indextoname(index)
    except OSError:
        return label.split(b"\0", 1)[0].decode(errors="replace")


def _ioctl_addresses() -> _Found:
    """Without rtnetlink: each interface's primary IPv4 address, and /proc/net/if_inet6."""
    out: _Found = []
    try:
        names = socket.if_nameindex()
    except OSError:
        return out
    for index, name in names:
        ip, mask = _ifreq(name, 0x8915), _ifreq(name, 0x891B)  # SIOCGIFADDR, SIOCGIFNETMASK
        if ip and mask:
            out.append((index, name, ipaddress.IPv4Interface(f"{ip}/{mask}")))
    try:
        with open("/proc/net/if_inet6", encoding="ascii") as lines:
            for line in lines:
                hexaddr, hexindex, hexbits, _, _, name = line.split()[:6]
                ip6 = ipaddress.IPv6Address(bytes.fromhex(hexaddr))
                out.append(
                    (int(hexindex, 16), name, ipaddress.IPv6Interface((ip6, int(hexbits, 16))))
                )
    except (OSError, ValueError):
        pass
    return out


def _ioctl(name: str, request: int) -> bytes:
    import fcntl  # POSIX only; callers treat ImportError like any other failure

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        arg = struct.pack("16s24x", name.encode()[:15])
        return fcntl.ioctl(sock.fileno(), request, arg)


def _ifreq(name: str, request: int) -> str:
    """The IPv4 address an ifreq ioctl answers for ``name`` ("" when it has none)."""
    try:
        return socket.inet_ntoa(_ioctl(name, request)[20:24])
    except (OSError, ImportError):
        return ""


def _interface_flags(name: str) -> int:
    try:
        return int(struct.unpack_from("H", _ioctl(name, 0x8913), 16)[0])  # SIOCGIFFLAGS
    except (OSError, ImportError, struct.error):
        return 0


def default_route_interface() -> str | None:
    """The interface of the IPv4 default route (lowest metric), else of the IPv6 one."""
    routes: list[tuple[int, str]] = []
    for row in _proc_rows("/proc/net/route"):  # Iface Destination Gateway Flags ... Metric Mask
        if len(row) >= 8 and row[1] == row[7] == "00000000" and _hex(row[3]) & 0x1:
            routes.append((_hex(row[6], 10), row[0]))
    if not routes:  # dest dest_len src src_len next_hop metric refcnt use flags iface
        for row in _proc_rows("/proc/net/ipv6_route"):
            up = len(row) >= 10 and _hex(row[8]) & 0x201 == 0x1  # RTF_UP, not RTF_REJECT
            if up and row[1] == "00" and not row[0].strip("0") and row[9] != "lo":
                routes.append((_hex(row[5]), row[9]))
    return min(routes, key=lambda r: r[0])[1] if routes else None


def _hex(text: str, base: int = 16) -> int:
    try:
        return int(text, base)
    except ValueError:
        return 0


def _proc_rows(path: str) -> list[list[str]]:
    try:
        with open(path, encoding="ascii") as lines:
            return [line.split() for line in lines]
    except OSError:
        return []


@dataclass(slots=True)
class Host:
    """The addresses and the default route's interface: this machine's unless given."""

    interfaces: Callable[[], Sequence[IfAddr]] = system_interfaces
    default_interface: Callable[[], str | None] = default_route_interface
