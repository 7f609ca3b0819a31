"""Running a parsed go-sockaddr pipeline over a host's addresses.

:class:`Run` is one evaluation: it looks each call up among go-sockaddr's functions, checks and
converts its arguments against the function's signature, and applies it: the sources (all,
default, private and public addresses), ``include``/``exclude`` with their selectors (Go's
``net.IP`` tests behind the address flags among them), ``sort``, ``unique``, ``limit``,
``offset``, address ``math``, and the attributes ``attr`` and ``join`` print. The host's
addresses and default interface are read once, and only when a function needs them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from functools import cmp_to_key
from typing import Any

from templated.errors import RenderError
from templated.sockaddr.addrs import (
    IFF,
    RFCS,
    IfAddr,
    Network,
    forwardable,
    private,
    within,
)
from templated.sockaddr.host import Host
from templated.sockaddr.parse import Call, Dot, Node, Pipe, error

__all__ = ["IP", "Run"]

_SIGNATURES: dict[str, tuple[str, ...]] = {
    "GetAllInterfaces": (),
    "GetDefaultInterfaces": (),
    "GetPrivateInterfaces": (),
    "GetPublicInterfaces": (),
    "GetPrivateIP": (),
    "GetPrivateIPs": (),
    "GetPublicIP": (),
    "GetPublicIPs": (),
    "GetInterfaceIP": ("str",),
    "GetInterfaceIPs": ("str",),
    "include": ("str", "str", "addrs"),
    "exclude": ("str", "str", "addrs"),
    "sort": ("str", "addrs"),
    "unique": ("str", "addrs"),
    "limit": ("int", "addrs"),
    "offset": ("int", "addrs"),
    "math": ("str", "str", "addrs"),
    "attr": ("str", "addrs"),
    "Attr": ("str", "addrs"),
    "join": ("str", "str", "addrs"),
}
_ATTRIBUTES = (
    "address", "binary", "broadcast", "first_usable", "flags", "hex", "host", "last_usable",
    "mask_bits", "name", "netmask", "network", "octets", "port", "size", "string", "type",
    "uint32", "uint128",
)  # fmt: skip
_TYPES = ("ip", "ipv4", "ipv6", "unix")
_IF_FLAGS = {"broadcast", "loopback", "multicast", "point-to-point", "up"}
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def _global_unicast(ip: IP) -> bool:
    special = ip.is_unspecified or ip.is_loopback or ip.is_link_local or ip.is_multicast
    return not special and ip != ipaddress.IPv4Address("255.255.255.255")


def _multicast_scope(ip: IP, scope: int) -> bool:
    """IPv6 multicast of the given scope (1 interface-local, 2 link-local)."""
    return ip.version == 6 and ip.packed[0] == 0xFF and ip.packed[1] & 0x0F == scope


# Go's net.IP tests behind go-sockaddr's address flags.
_IP_TESTS: dict[str, Callable[[IP], bool]] = {
    "global unicast": _global_unicast,
    "interface-local multicast": lambda ip: _multicast_scope(ip, 1),
    "link-local multicast": lambda ip: (
        _multicast_scope(ip, 2) or ip in ipaddress.IPv4Network("224.0.0.0/24")
    ),
    "link-local unicast": lambda ip: ip.is_link_local,
    "loopback": lambda ip: ip.is_loopback,
    "multicast": lambda ip: ip.is_multicast,
    "unspecified": lambda ip: ip.is_unspecified,
}
_Cmp = Callable[[IfAddr, IfAddr], int]


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


def _on_ip(test: Callable[[IP], bool]) -> Callable[[IfAddr], bool]:
    return lambda a: test(a.address.ip)


def _reversed(cmp: _Cmp) -> _Cmp:
    return lambda a, b: -cmp(a, b)


class Run:
    """One evaluation: the host's addresses and default interface are read once, lazily."""

    def __init__(self, text: str, host: Host) -> None:
        self.text = text
        self.host = host
        self._all: list[IfAddr] | None = None
        self._default: tuple[str | None] | None = None
        self.functions: dict[str, Callable[..., Any]] = {
            "GetAllInterfaces": self.all,
            "GetDefaultInterfaces": lambda: [a for a in self.all() if a.name == self.default()],
            "GetPrivateInterfaces": lambda: [a for a in self.candidates() if private(a)],
            "GetPublicInterfaces": lambda: [a for a in self.candidates() if not private(a)],
            "GetPrivateIP": lambda: self.first_ip([a for a in self.candidates() if private(a)]),
            "GetPublicIP": lambda: self.first_ip([a for a in self.candidates() if not private(a)]),
            "GetPrivateIPs": lambda: self.ips(
                a for a in self.by_size() if private(a) and forwardable(a)
            ),
            "GetPublicIPs": lambda: self.ips(a for a in self.by_size() if not private(a)),
            "GetInterfaceIP": self.interface_ip,
            "GetInterfaceIPs": lambda name: self.ips(self.by_size(self.named(name))),
            "include": self.include,
            "exclude": self.exclude,
            "sort": self.sort,
            "unique": self.unique,
            "limit": self.limit,
            "offset": self.offset,
            "math": self.math,
            "attr": lambda name, addrs: self.attribute(addrs[0], name) if addrs else "",
            "join": lambda name, sep, addrs: sep.join(self.attribute(a, name) for a in addrs),
        }
        self.functions["Attr"] = self.functions["attr"]

    def fail(self, problem: str) -> RenderError:
        return error(self.text, problem)

    # sources

    def all(self) -> list[IfAddr]:
        if self._all is None:
            self._all = list(self.host.interfaces())
        return list(self._all)

    def default(self) -> str | None:
        if self._default is None:
            self._default = (self.host.default_interface(),)
        return self._default[0]

    def candidates(self) -> list[IfAddr]:
        """Forwardable addresses of interfaces that are up: default interface, type, size."""
        usable = [a for a in self.all() if forwardable(a) and "up" in a.flags]
        return self.ordered(usable, [self.cmp("default"), self.cmp("type"), self.cmp("size")])

    def by_size(self, addrs: list[IfAddr] | None = None) -> list[IfAddr]:
        chosen = self.all() if addrs is None else addrs
        return self.ordered(chosen, [self.cmp("type"), self.cmp("size")])

    def named(self, pattern: str) -> list[IfAddr]:
        regex = self.regex(pattern, "name")
        return [a for a in self.all() if regex.search(a.name)]

    def interface_ip(self, pattern: str) -> str:
        return self.first_ip(self.by_size([a for a in self.named(pattern) if forwardable(a)]))

    @staticmethod
    def first_ip(addrs: list[IfAddr]) -> str:
        return str(addrs[0].address.ip) if addrs else ""

    @staticmethod
    def ips(addrs: Iterable[IfAddr]) -> str:
        return " ".join(str(a.address.ip) for a in addrs)

    # filters

    def include(self, selector: str, value: str, addrs: list[IfAddr]) -> list[IfAddr]:
        match = self.matcher(selector, value)
        return [a for a in addrs if match(a)]

    def exclude(self, selector: str, value: str, addrs: list[IfAddr]) -> list[IfAddr]:
        match = self.matcher(selector, value)
        return [a for a in addrs if not match(a)]

    def regex(self, pattern: str, what: str) -> re.Pattern[str]:
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self.fail(f"bad {what} regexp {pattern!r}: {exc}") from None

    def matcher(self, selector: str, value: str) -> Callable[[IfAddr], bool]:
        kind = selector.lower()
        if kind in ("address", "name", "port"):
            regex = self.regex(value, kind)
            if kind == "address":
                return lambda a: regex.search(str(a)) is not None
            if kind == "name":
                return lambda a: regex.search(a.name) is not None
            return lambda a: regex.search("0") is not None  # interface addresses have no port
        if kind in ("flag", "flags"):
            return self.flag_matcher(value)
        if kind == "network":
            try:
                nets = [ipaddress.ip_network(n.strip(), strict=False) for n in value.split("|")]
            except ValueError as exc:
                raise self.fail(f"bad network {value!r}: {exc}") from None
            return lambda a: within(a, nets)
        if kind in ("rfc", "rfcs"):
            chosen: list[Network] = []
            for number in value.split("|"):
                nets_of = RFCS.get(int(number)) if number.strip().isdigit() else None
                if nets_of is None:
                    known = ", ".join(str(n) for n in sorted(RFCS))
                    raise self.fail(f"unsupported RFC {number!r} (known: {known})")
                chosen.extend(nets_of)
            return lambda a: within(a, chosen)
        if kind == "size":
            if not value.strip().isdigit():
                raise self.fail(f"bad size {value!r}: want a number of mask bits")
            bits = int(value)
            if bits > 128:
                raise self.fail(f"mask size {bits} is out of bounds")

            def sized(a: IfAddr) -> bool:
                if bits > a.address.max_prefixlen:
                    raise self.fail(f"mask size {bits} is out of bounds for IPv{a.version}")
                return a.network.prefixlen == bits

            return sized
        if kind == "type":
            types = value.lower().split("|")
            for t in types:
                if t not in _TYPES:
                    raise self.fail(f"unsupported type {t!r} (known: {', '.join(_TYPES)})")
            return lambda a: any(t == "ip" or t == f"ipv{a.version}" for t in types)
        raise self.fail(
            f"invalid selector {selector!r} (known: address, flag, name, network, port, rfc, "
            "size, type)"
        )

    def flag_matcher(self, value: str) -> Callable[[IfAddr], bool]:
        """go-sockaddr's rule: all interface flags named are set, or any address test holds."""
        names = value.lower().split("|")
        want_flags: set[str] = set()
        tests: list[Callable[[IfAddr], bool]] = []
        down = False
        for name in names:
            if name == "down":
                down = True
            elif name == "forwardable":
                tests.append(forwardable)
            elif name not in _IF_FLAGS and name not in _IP_TESTS:
                known = sorted({"down", "forwardable", *_IF_FLAGS, *_IP_TESTS})
                raise self.fail(f"unknown interface flag {name!r} (known: {', '.join(known)})")
            if name in _IF_FLAGS:
                want_flags.add("pointtopoint" if name == "point-to-point" else name)
            if name in _IP_TESTS:
                tests.append(_on_ip(_IP_TESTS[name]))
        check_flags = bool(want_flags) or down

        def match(a: IfAddr) -> bool:
            if check_flags and want_flags <= a.flags and not (down and "up" in a.flags):
                return True
            return any(test(a) for test in tests)

        return match

    # ordering and slicing

    def cmp(self, key: str) -> _Cmp:
        if key == "address":
            return lambda a, b: (
                _sign(int(a.address.ip) - int(b.address.ip)) if a.version == b.version else 0
            )
        if key == "default":
            name = self.default()
            return lambda a, b: 0 if name is None else (b.name == name) - (a.name == name)
        if key == "name":
            return lambda a, b: (a.name > b.name) - (a.name < b.name)
        if key == "port":
            return lambda a, b: 0
        if key == "private":
            return lambda a, b: private(b) - private(a)
        if key == "size":
            return lambda a, b: (
                _sign(a.network.prefixlen - b.network.prefixlen) if a.version == b.version else 0
            )
        if key == "type":
            return lambda a, b: _sign(a.version - b.version)
        raise self.fail(
            f"unknown sort type {key!r} (known: address, default, name, port, private, size, "
            "type, each with an optional + or -)"
        )

    @staticmethod
    def ordered(addrs: list[IfAddr], cmps: list[_Cmp]) -> list[IfAddr]:
        def chained(a: IfAddr, b: IfAddr) -> int:
            for cmp in cmps:
                if result := cmp(a, b):
                    return result
            return 0

        return sorted(addrs, key=cmp_to_key(chained))

    def sort(self, spec: str, addrs: list[IfAddr]) -> list[IfAddr]:
        cmps: list[_Cmp] = []
        for clause in spec.split(","):
            key = clause.strip().lower()
            descending = key.startswith("-")
            cmp = self.cmp(key.lstrip("+-"))
            cmps.append(_reversed(cmp) if descending else cmp)
        return self.ordered(addrs, cmps)

    def unique(self, by: str, addrs: list[IfAddr]) -> list[IfAddr]:
        kind = by.lower()
        if kind not in ("address", "name"):
            raise self.fail(f"unsupported unique constraint {by!r} (known: address, name)")
        out: list[IfAddr] = []
        last: str | None = None
        for a in addrs:
            seen = str(a) if kind == "address" else a.name
            if seen != last:
                out.append(a)
                last = seen
        return out

    def limit(self, n: int, addrs: list[IfAddr]) -> list[IfAddr]:
        if n < 0:
            raise self.fail(f"limit {n}: want a count of 0 or more")
        return addrs[:n]

    def offset(self, n: int, addrs: list[IfAddr]) -> list[IfAddr]:
        if abs(n) > len(addrs):
            raise self.fail(f"offset {n} is past the end of the {len(addrs)} addresses")
        return addrs[len(addrs) + n :] if n < 0 else addrs[n:]

    # math

    def math(self, operation: str, value: str, addrs: list[IfAddr]) -> list[IfAddr]:
        return [self.math_one(operation.lower(), value, a) for a in addrs]

    def math_one(self, op: str, value: str, a: IfAddr) -> IfAddr:
        width = a.address.max_prefixlen
        full = (1 << width) - 1
        bits = a.network.prefixlen
        ip = int(a.address.ip)
        host = full >> bits
        network = ip & ~host & full
        if op in ("address", "network"):
            if not value.strip().startswith(("+", "-")):
                raise self.fail(f"math {op!r}: the value {value!r} needs a sign (+ or -)")
            lo, hi = (-(1 << 32), (1 << 32) - 1) if width == 32 else (-(1 << 63), (1 << 63) - 1)
            try:
                n = int(value.strip(), 10)
            except ValueError:
                n = hi + 1
            if not lo <= n <= hi:
                raise self.fail(f"math {op!r}: bad value {value!r}")
            if op == "address":
                ip = (ip + n) & full
            elif width == 32:
                wrapped = n if n >= 0 else 1 + n + host
                ip = (network + (wrapped & full & host)) & full
            elif n > 0:
                ip = network + (n & host)
            else:
                ip = (network | host) - ((-n - 1) & host)
        elif op == "mask":
            if not value.strip().isdigit() or int(value) > width:
                raise self.fail(f"math 'mask': want 0 to {width} mask bits, got {value!r}")
            keep = int(value)
            ip &= full ^ (full >> keep)
            bits = min(keep, bits)
        else:
            raise self.fail(f"unsupported math operation {op!r} (known: address, mask, network)")
        if width == 32:
            return IfAddr(a.name, ipaddress.IPv4Interface((ip, bits)), a.flags)
        return IfAddr(a.name, ipaddress.IPv6Interface((ip, bits)), a.flags)

    # attributes

    def attribute(self, a: IfAddr, name: str) -> str:
        key = name.lower()
        iface = a.address
        ip, net, width = iface.ip, iface.network, iface.max_prefixlen
        small = width - net.prefixlen < 2  # a /31 or /32: every address is usable
        if key == "name":
            return a.name
        if key == "flags":
            return "|".join(n for n, _ in IFF if n in a.flags) or "0"
        if key == "type":
            return f"IPv{a.version}"
        if key == "string":
            return str(a)
        if key in ("address", "host"):
            return str(ip)
        if key == "port":
            return "0"
        if key == "netmask":
            return str(net.netmask)
        if key == "network":
            return str(net.network_address)
        if key == "mask_bits":
            return str(net.prefixlen)
        if key == "size":
            return str(net.num_addresses)
        if key == "binary":
            return format(int(ip), f"0{width}b")
        if key == "hex":
            return format(int(ip), f"0{width // 4}x")
        if key == "octets":
            return " ".join(str(b) for b in ip.packed)
        if key == "first_usable":
            first = net.network_address if width == 128 or small else net.network_address + 1
            return str(first)
        if key == "last_usable":
            last = net.broadcast_address if width == 128 or small else net.broadcast_address - 1
            return str(last)
        if key in ("broadcast", "uint32") and width == 32:
            return str(net.broadcast_address) if key == "broadcast" else str(int(ip))
        if key == "uint128" and width == 128:
            return str(int(ip))
        if key in _ATTRIBUTES:
            raise self.fail(f"attribute {name!r} does not apply to an IPv{a.version} address")
        raise self.fail(f"unsupported attribute name {name!r} (known: {', '.join(_ATTRIBUTES)})")

    # evaluation

    def run(self, node: Node, piped: list[Any] | None = None) -> Any:
        if isinstance(node, Pipe):
            value: list[Any] | None = None
            for stage in node.stages:
                value = [self.run(stage, value)]
            return value[0] if value else ""
        if isinstance(node, Call):
            return self.call(node, piped)
        if isinstance(node, Dot):
            return self.all()
        return node

    def call(self, node: Call, piped: list[Any] | None) -> Any:
        fn = self.functions.get(node.name)
        if fn is None:
            raise self.fail(
                f"function {node.name!r} is not defined (known: {', '.join(_SIGNATURES)})"
            )
        args = [self.run(arg) for arg in node.args] + (piped or [])
        kinds = _SIGNATURES[node.name]
        if len(args) != len(kinds):
            raise self.fail(
                f"wrong number of arguments for {node.name}: want {len(kinds)}, got {len(args)}"
            )
        return fn(
            *(self.coerce(node.name, kind, arg) for kind, arg in zip(kinds, args, strict=True))
        )

    def coerce(self, fn: str, kind: str, arg: Any) -> Any:
        if kind == "addrs":
            if isinstance(arg, list):
                return arg
            raise self.fail(f"{fn} wants a list of addresses, got {arg!r}")
        if isinstance(arg, list):
            raise self.fail(f"{fn} wants a {'number' if kind == 'int' else 'string'}, got a list")
        if kind == "int":
            try:
                return int(str(arg).strip(), 10)
            except ValueError:
                raise self.fail(f"{fn} wants a number, got {arg!r}") from None
        return str(arg)
