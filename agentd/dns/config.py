"""What the DNS server needs from the agent config: ``domain``, ``alt_domain``, ``recursors``
and the ``dns_config`` block, read once per config (a reload gives a new one)."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnslkit.duration import parse_duration

if TYPE_CHECKING:
    from agentd.config import RuntimeConfig

log = logging.getLogger(__name__)

MAX_UDP_ANSWERS = 8  # Consul's cap on udp_answer_limit


@dataclass(frozen=True, slots=True)
class SOAConfig:
    refresh: int = 3600
    retry: int = 600
    expire: int = 86400
    min_ttl: int = 0


@dataclass(frozen=True, slots=True)
class DNSConfig:
    domain: str = "consul."  # lower-case FQDN
    alt_domain: str = ""  # lower-case FQDN, or "" for none
    datacenter: str = "dc1"
    node_name: str = ""
    node_ttl: int = 0  # seconds
    service_ttl: dict[str, int] = field(default_factory=dict)  # exact names, lower-cased
    service_ttl_prefixes: tuple[tuple[str, int], ...] = ()  # "prefix*" keys, longest first
    udp_answer_limit: int = 3
    a_record_limit: int = 0  # 0 = no limit
    enable_truncate: bool = False
    only_passing: bool = False
    disable_compression: bool = False
    node_meta_txt: bool = True  # enable_additional_node_meta_txt
    recursors: tuple[tuple[str, int], ...] = ()
    recursor_timeout: float = 2.0
    recursor_strategy: str = "sequential"  # or "random"
    soa: SOAConfig = field(default_factory=SOAConfig)

    def ttl_for_service(self, name: str) -> int:
        """``service_ttl``: the exact name, else the longest ``prefix*`` key, else 0."""
        key = name.lower()
        ttl = self.service_ttl.get(key)
        if ttl is not None:
            return ttl
        for prefix, ttl in self.service_ttl_prefixes:
            if key.startswith(prefix):
                return ttl
        return 0

    @classmethod
    def from_runtime(cls, cfg: RuntimeConfig) -> DNSConfig:
        raw = cfg.raw
        dns: dict[str, Any] = raw.get("dns_config") or {}
        exact: dict[str, int] = {}
        prefixes: list[tuple[str, int]] = []
        for key, value in (dns.get("service_ttl") or {}).items():
            seconds = _seconds(value)
            if key.endswith("*"):
                prefixes.append((key[:-1].lower(), seconds))
            else:
                exact[key.lower()] = seconds
        prefixes.sort(key=lambda p: len(p[0]), reverse=True)
        soa = dns.get("soa") or {}
        alt = str(raw.get("alt_domain") or "").lower()
        return cls(
            domain=cfg.domain.lower(),
            alt_domain=alt if not alt or alt.endswith(".") else alt + ".",
            datacenter=cfg.datacenter.lower(),
            node_name=cfg.node_name,
            node_ttl=_seconds(dns.get("node_ttl", "0s")),
            service_ttl=exact,
            service_ttl_prefixes=tuple(prefixes),
            udp_answer_limit=int(dns.get("udp_answer_limit", 3)),
            a_record_limit=int(dns.get("a_record_limit", 0)),
            enable_truncate=bool(dns.get("enable_truncate", False)),
            only_passing=bool(dns.get("only_passing", False)),
            disable_compression=bool(dns.get("disable_compression", False)),
            node_meta_txt=bool(dns.get("enable_additional_node_meta_txt", True)),
            recursors=tuple(r for r in map(parse_recursor, raw.get("recursors") or ()) if r),
            recursor_timeout=parse_duration(str(dns.get("recursor_timeout", "2s"))) or 2.0,
            recursor_strategy=str(dns.get("recursor_strategy") or "sequential"),
            soa=SOAConfig(
                refresh=int(soa.get("refresh", 3600)),
                retry=int(soa.get("retry", 600)),
                expire=int(soa.get("expire", 86400)),
                min_ttl=int(soa.get("min_ttl", 0)),
            ),
        )


def _seconds(value: Any) -> int:
    try:
        return int(parse_duration(str(value)))
    except ValueError:
        return 0


def parse_recursor(text: str) -> tuple[str, int] | None:
    """``ip``, ``ip:port`` or ``[ipv6]:port`` (port 53 by default); None (with a warning) if bad."""
    host, port = text.strip(), 53
    if host.startswith("["):
        inner, _, rest = host[1:].partition("]")
        host = inner
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif host.count(":") == 1:
        host, _, raw_port = host.partition(":")
        port = int(raw_port) if raw_port.isdigit() else -1
    try:
        ipaddress.ip_address(host)
    except ValueError:
        log.warning("dns: ignoring recursor %r: not an IP address", text)
        return None
    if not 0 < port < 65536:
        log.warning("dns: ignoring recursor %r: bad port", text)
        return None
    return host, port
