"""Fitting service answers into a message, and EDNS0 (Consul's trimUDPResponse/trimTCPResponse).

UDP: the limit is 512 bytes, or the client's EDNS0 size if larger (at most 65467). Without EDNS
(limit 512) more than ``min(8, udp_answer_limit)`` answers are first cut to that many, and the
size is then measured uncompressed, the conservative way. Answers are then dropped (the authority
section first, a binary search when far over) until the message fits; at least one answer is
always kept, and the additional section keeps only what the remaining SRV targets need.
TCP: at most 4096 answers (1024 SRV) and 65523 bytes. Whether anything was cut is returned; the
caller sets TC only when ``enable_truncate`` asks for it.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable
from dataclasses import dataclass

from dnslib import RR, DNSRecord, EDNSOption

from agentd.dns.config import MAX_UDP_ANSWERS
from agentd.dns.records import T_CNAME, T_OPT, T_SRV

DEFAULT_UDP_SIZE = 512
MAX_UDP_SIZE = 65467
MAX_TCP_SIZE = 65523
UDP_HEADER = 8
ECS_OPTION = 8

Measure = Callable[[DNSRecord], int]


@dataclass(frozen=True, slots=True)
class EDNS:
    """The client's OPT record: its UDP size and its client-subnet option, if any."""

    udp_size: int
    ecs: bytes | None = None  # the raw option data
    ecs_ip: str = ""  # the subnet's address, for prepared queries' Near=_ip

    @property
    def ecs_prefix(self) -> int:
        return self.ecs[2] if self.ecs is not None and len(self.ecs) >= 4 else 0


def edns_of(request: DNSRecord) -> EDNS | None:
    opt = next((rr for rr in request.ar if rr.rtype == T_OPT), None)
    if opt is None:
        return None
    ecs = next((o.data for o in opt.rdata if o.code == ECS_OPTION), None)
    return EDNS(opt.rclass, ecs, _ecs_ip(ecs) if ecs is not None else "")


def _ecs_ip(data: bytes) -> str:
    if len(data) < 4:
        return ""
    family = struct.unpack("!H", data[:2])[0]
    addr = data[4:]
    try:
        if family == 1 and len(addr) <= 4:
            return str(ipaddress.IPv4Address(addr.ljust(4, b"\0")))
        if family == 2 and len(addr) <= 16:
            return str(ipaddress.IPv6Address(addr.ljust(16, b"\0")))
    except ValueError:
        return ""
    return ""


def opt_record(edns: EDNS, scope_global: bool) -> RR:
    """The reply's OPT: the client's UDP size echoed, its client subnet echoed with scope 0 for
    answers valid everywhere, else with the source prefix length."""
    from dnslib import EDNS0

    opts = []
    if edns.ecs is not None and len(edns.ecs) >= 4:
        scope = 0 if scope_global else edns.ecs_prefix
        opts.append(EDNSOption(ECS_OPTION, edns.ecs[:3] + bytes([scope]) + edns.ecs[4:]))
    return EDNS0(udp_len=edns.udp_size, opts=opts)


def udp_limit(edns: EDNS | None) -> int:
    size = DEFAULT_UDP_SIZE
    if edns is not None and edns.udp_size > size:
        size = edns.udp_size
    return min(size, MAX_UDP_SIZE)


def trim_udp(
    resp: DNSRecord,
    edns: EDNS | None,
    answer_limit: int,
    measure: Measure,
    measure_plain: Measure,
    reserve: int = 0,
) -> bool:
    """Cut ``resp`` to fit a UDP reply; ``reserve`` bytes are kept for the OPT record."""
    total = len(resp.rr)
    limit = udp_limit(edns)
    index = _index(resp.ar)
    size = measure
    max_answers = min(MAX_UDP_ANSWERS, answer_limit)
    if limit == DEFAULT_UDP_SIZE and total > max_answers:
        size = measure_plain
        del resp.rr[max(max_answers, 0) :]
        _sync_extra(resp, index)
    _fit(resp, limit - UDP_HEADER - reserve, size, index)
    return len(resp.rr) < total


def trim_tcp(resp: DNSRecord, qtype: int, measure: Measure, reserve: int = 0) -> bool:
    total = len(resp.rr)
    index = _index(resp.ar)
    cap = 1024 if qtype == T_SRV else 4096
    if total > cap:
        del resp.rr[cap:]
        _sync_extra(resp, index)
    _fit(resp, MAX_TCP_SIZE - reserve, measure, index)
    return len(resp.rr) < total


def _fit(resp: DNSRecord, budget: int, size: Measure, index: dict[str, list[RR]]) -> None:
    while len(resp.rr) > 1 and size(resp) > budget:
        resp.auth = []
        over = size(resp) - budget
        if over <= 0:
            break
        if over > 100:
            cut = _binary_cut(resp, budget, size, index)  # replaces resp.rr: cut first
            del resp.rr[min(cut, len(resp.rr) - 1) :]  # always progress
        else:
            del resp.rr[-1]
        _sync_extra(resp, index)


def _binary_cut(resp: DNSRecord, budget: int, size: Measure, index: dict[str, list[RR]]) -> int:
    answers = list(resp.rr)
    lo, hi = 0, len(answers) + 1
    try:
        while hi - lo > 1:
            mid = lo + (hi - lo) // 2
            resp.rr = answers[:mid]
            _sync_extra(resp, index)
            n = size(resp)
            if n <= budget:
                if budget - n < 10:
                    return mid
                lo = mid
            else:
                hi = mid
        return max(lo, 1)
    finally:
        resp.rr = answers


def _index(extra: list[RR]) -> dict[str, list[RR]]:
    out: dict[str, list[RR]] = {}
    for rr in extra:
        out.setdefault(str(rr.rname).lower(), []).append(rr)
    return out


def _sync_extra(resp: DNSRecord, index: dict[str, list[RR]]) -> None:
    """Keep only the additional records the remaining SRV answers point at (CNAMEs followed)."""
    if not index:
        return
    extra: list[RR] = []
    seen: set[str] = set()
    for ans in resp.rr:
        if ans.rtype != T_SRV:
            continue
        target = str(ans.rdata.target).lower()
        while target not in seen:
            seen.add(target)
            found = index.get(target, [])
            extra.extend(found)
            nxt = next((rr for rr in found if rr.rtype == T_CNAME), None)
            if nxt is None:
                break
            target = str(nxt.rdata.label).lower()
    resp.ar = extra
