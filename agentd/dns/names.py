"""Question names: which domain they are in, and what they ask for (Consul's name grammar).

After the domain (or ``alt_domain``) is stripped, labels are scanned right to left for the first
of ``service|connect|virtual|ingress|node|query|addr``: labels before it are the *parts*, labels
after it the *locality* (none; ``<dc>``; ``<dc>.dc``; ``<peer>.peer``). For SRV questions a
label starting with ``_`` stands for an implicit ``service`` (``_web._tcp.consul``). Everything is
compared lower-cased. A name that fits none of the shapes is ``None``: NXDOMAIN.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

KEYWORDS = frozenset({"service", "connect", "virtual", "ingress", "node", "query", "addr"})
QTYPE_SRV = 33


class Kind(StrEnum):
    SERVICE = "service"
    CONNECT = "connect"
    VIRTUAL = "virtual"
    INGRESS = "ingress"
    NODE = "node"
    QUERY = "query"
    ADDR = "addr"


@dataclass(frozen=True, slots=True)
class Lookup:
    """What an in-domain question asks for."""

    kind: Kind
    name: str  # service, node, query name, or the hex address
    tag: str = ""  # service lookups: the tag filter ("" = none)
    datacenter: str = ""  # "" = this agent's
    peer: str = ""


def labels_of(raw: tuple[bytes, ...]) -> tuple[str, ...]:
    """A question's labels as lower-case text (bytes kept one-to-one, so nothing fails)."""
    return tuple(label.decode("latin-1").lower() for label in raw)


def split_domain(labels: tuple[str, ...], domain: str, alt_domain: str) -> tuple[int, str] | None:
    """(how many labels precede the domain, the domain the question used), or None if the name
    is in neither domain."""
    for fqdn in (domain, alt_domain):
        if not fqdn:
            continue
        suffix = tuple(fqdn.rstrip(".").split(".")) if fqdn != "." else ()
        n = len(suffix)
        if len(labels) >= n and labels[len(labels) - n :] == suffix:
            return len(labels) - n, fqdn
    return None


def parse(labels: tuple[str, ...], qtype: int) -> Lookup | None:
    """The lookup the labels (domain already stripped) ask for; None for an invalid name."""
    kind: str | None = None
    parts: tuple[str, ...] = ()
    suffix: tuple[str, ...] = ()
    for i in range(len(labels) - 1, -1, -1):
        label = labels[i]
        if label in KEYWORDS:
            kind, parts, suffix = label, labels[:i], labels[i + 1 :]
            break
        if qtype == QTYPE_SRV and label.startswith("_"):
            kind, parts, suffix = "service", labels[: i + 1], labels[i + 1 :]
            break
    if kind is None or not parts:
        return None
    locality = _locality(suffix)
    if locality is None:
        return None
    dc, peer = locality
    if kind in (Kind.SERVICE, Kind.CONNECT, Kind.INGRESS):
        return _service(Kind(kind), parts, dc, peer)
    if kind == Kind.VIRTUAL:
        return Lookup(Kind.VIRTUAL, ".".join(parts), datacenter=dc, peer=peer)
    if kind == Kind.NODE:
        return Lookup(Kind.NODE, ".".join(parts), datacenter=dc, peer=peer)
    if peer:
        return None  # query and addr take a datacenter only
    if kind == Kind.QUERY:
        if len(parts) == 2 and parts[0].startswith("_") and parts[1].startswith("_"):
            return Lookup(Kind.QUERY, parts[0][1:], datacenter=dc)  # RFC 2782: protocol ignored
        return Lookup(Kind.QUERY, ".".join(parts), datacenter=dc)
    if len(parts) != 1:
        return None
    return Lookup(Kind.ADDR, parts[0], datacenter=dc)


def _service(kind: Kind, parts: tuple[str, ...], dc: str, peer: str) -> Lookup:
    if len(parts) == 2 and parts[0].startswith("_") and parts[1].startswith("_"):
        tag = parts[1][1:]
        return Lookup(kind, parts[0][1:], "" if tag == "tcp" else tag, dc, peer)
    return Lookup(kind, parts[-1], ".".join(parts[:-1]), dc, peer)


def _locality(labels: tuple[str, ...]) -> tuple[str, str] | None:
    """(datacenter, peer) from the labels after the keyword; None if they make no sense."""
    if not labels:
        return "", ""
    if len(labels) == 1:
        return labels[0], ""
    if len(labels) not in (2, 4):
        return None
    dc = peer = ""
    for i in range(0, len(labels), 2):
        if labels[i + 1] == "dc":
            dc = labels[i]
        elif labels[i + 1] == "peer":
            peer = labels[i]
        else:
            return None
    if dc and peer:
        return None
    return dc, peer


def decode_addr(text: str) -> str | None:
    """``<hex>.addr``: 8 hex digits are an IPv4 address, 32 an IPv6 one."""
    if len(text) not in (8, 32):
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    return str(ipaddress.ip_address(raw))


def encode_addr(ip: str) -> str:
    """The ``<hex>`` label of ``<hex>.addr.<dc>.<domain>`` SRV targets."""
    return ipaddress.ip_address(ip).packed.hex()


def reverse_ip(labels: tuple[str, ...]) -> str | None:
    """The IP an ``in-addr.arpa`` / ``ip6.arpa`` name stands for, or None."""
    if labels[-2:] == ("in-addr", "arpa") and len(labels) == 6:
        text = ".".join(reversed(labels[:4]))
    elif labels[-2:] == ("ip6", "arpa") and len(labels) == 34:
        nibbles = "".join(reversed(labels[:32]))
        text = ":".join(nibbles[i : i + 4] for i in range(0, 32, 4))
    else:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def is_reverse(labels: tuple[str, ...]) -> bool:
    return labels[-2:] in (("in-addr", "arpa"), ("ip6", "arpa"))
