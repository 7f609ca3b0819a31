"""Resource records as Consul builds them, and packing with or without name compression.

Names we build (node names, service names, addresses) become labels byte for byte, never through
IDNA, so an odd catalog name cannot raise deep inside a reply; a name that cannot be a DNS name
(an empty or over-long label) raises ``BadName`` and the caller leaves that record out.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import time

from dnslib import AAAA, CNAME, NS, PTR, QTYPE, RR, SOA, SRV, TXT, A, DNSLabel, DNSRecord
from dnslib.label import DNSBuffer

from agentd.dns.config import DNSConfig
from agentd.structs.catalog import Node

T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_TXT = QTYPE.A, QTYPE.NS, QTYPE.CNAME, QTYPE.SOA, QTYPE.PTR, 16
T_AAAA, T_SRV, T_OPT, T_IXFR, T_AXFR, T_ANY = 28, 33, 41, 251, 252, 255

# which addresses a question accepts (Consul's TranslateAddressAccept bits)
ACCEPT_DOMAIN, ACCEPT_V4, ACCEPT_V6 = 1, 2, 4
ACCEPT_ANY = ACCEPT_DOMAIN | ACCEPT_V4 | ACCEPT_V6

_TRAILING_SPACES = re.compile(r" +$")
_LEADING_SPACES = re.compile(r"^ +")


class BadName(ValueError):
    """A name that cannot be written as a DNS name."""


def label(name: str) -> DNSLabel:
    parts = tuple(p.encode("utf-8") for p in name.rstrip(".").split("."))
    if not name.rstrip(".") or any(not p or len(p) > 63 for p in parts):
        raise BadName(name)
    if sum(len(p) + 1 for p in parts) > 254:
        raise BadName(name)
    return DNSLabel(parts)


def accept_for(qtype: int) -> int:
    if qtype == T_A:
        return ACCEPT_DOMAIN | ACCEPT_V4
    if qtype == T_AAAA:
        return ACCEPT_DOMAIN | ACCEPT_V6
    return ACCEPT_ANY


@functools.lru_cache(maxsize=8192)
def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address, or None; cached: catalog addresses repeat on every answer."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def translate(accept: int, default: str, v4: str, v6: str) -> str:
    """Consul's translateAddressAccept: which of an address and its tagged lan_ipv4/lan_ipv6
    forms a question can use ("" = none)."""
    if accept & ACCEPT_V6 and v6:
        return v6
    if accept & ACCEPT_V4 and v4:
        return v4
    if accept == ACCEPT_ANY and default:
        return default
    ip = parse_ip(default)
    if ip is not None and ip.version == 4 and accept & ACCEPT_V4:
        return default
    if ip is not None and ip.version == 6 and accept & ACCEPT_V6:
        return default
    if ip is None and default and accept & ACCEPT_DOMAIN:
        return default
    return ""


def address_record(
    qtype: int, ip: ipaddress.IPv4Address | ipaddress.IPv6Address, name: DNSLabel, ttl: int
) -> RR | None:
    """An A or AAAA record for ``ip`` if the question type takes one (Consul's makeARecord)."""
    takes = (T_SRV, T_ANY, T_NS, T_TXT)
    if ip.version == 4 and (qtype == T_A or qtype in takes):
        return RR(name, T_A, ttl=ttl, rdata=A(tuple(ip.packed)))
    if ip.version == 6 and (qtype == T_AAAA or qtype in takes):
        return RR(name, T_AAAA, ttl=ttl, rdata=AAAA(tuple(ip.packed)))
    return None


def cname(name: DNSLabel, target: str, ttl: int) -> RR:
    return RR(name, T_CNAME, ttl=ttl, rdata=CNAME(label(target)))


def srv(name: DNSLabel, weight: int, port: int, target: str, ttl: int) -> RR:
    return RR(name, T_SRV, ttl=ttl, rdata=SRV(1, weight, port, label(target)))


def ptr(name: DNSLabel, target: str) -> RR:
    return RR(name, T_PTR, ttl=0, rdata=PTR(label(target)))


def ns(domain: str, target: str, ttl: int) -> RR:
    return RR(label(domain), T_NS, ttl=ttl, rdata=NS(label(target)))


def soa(cfg: DNSConfig, domain: str, now: float | None = None) -> RR:
    serial = int(time.time() if now is None else now) & 0xFFFFFFFF
    s = cfg.soa
    times = (serial, s.refresh, s.retry, s.expire, s.min_ttl)
    rdata = SOA(label("ns." + domain), label("hostmaster." + domain), times)
    return RR(label(domain), T_SOA, ttl=s.min_ttl, rdata=rdata)


def rfc1464(key: str, value: str) -> str:
    """``key=value`` with RFC 1464 escaping (backquotes, '=' and outer spaces of the key)."""
    key = key.replace("`", "``").replace("=", "`=")
    lead = len(key) - len(key.lstrip(" "))
    key = _LEADING_SPACES.sub("` " * lead, key)
    trail = len(key) - len(key.rstrip(" "))
    key = _TRAILING_SPACES.sub("` " * trail, key)
    return key + "=" + value.replace("`", "``")


def meta_txt(name: DNSLabel, node: Node, ttl: int) -> list[RR]:
    """One TXT record per node meta pair; ``rfc1035-`` keys give just the value."""
    out = []
    for key, value in sorted(node.meta.items()):
        text = value if key.lower().startswith("rfc1035-") else rfc1464(key, value)
        data = text.encode("utf-8")
        chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
        out.append(RR(name, T_TXT, ttl=ttl, rdata=TXT(chunks)))
    return out


def node_fqdn(node: str, dc: str, domain: str) -> str:
    return f"{node}.node.{dc}.{domain}"


class _PlainBuffer(DNSBuffer):  # type: ignore[misc]
    """A buffer that never compresses names (``dns_config.disable_compression``)."""

    def encode_name(self, name: DNSLabel) -> None:
        self.encode_name_nocompress(name)


def pack(record: DNSRecord, compress: bool = True) -> bytes:
    if compress:
        return bytes(record.pack())
    record.set_header_qa()
    buffer = _PlainBuffer()
    record.header.pack(buffer)
    for section in (record.questions, record.rr, record.auth, record.ar):
        for item in section:
            item.pack(buffer)
    return bytes(buffer.data)
