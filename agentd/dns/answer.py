"""The DNS core: a query packet in, a decision out (reply bytes, forward to the recursors, or
drop). No sockets, no clock of its own (``now`` comes in), randomness from the ``rng`` given.

Response codes, as Consul decides them: a name that does not exist (bad shape, unknown node,
no healthy instance, unknown query or datacenter) is NXDOMAIN with the SOA in the authority
section; a name that exists without records of the asked type is NOERROR, empty, with the SOA;
a node asked for a type other than A/AAAA/ANY/TXT is NOERROR, empty, without SOA. Names outside
the domain go to the recursors, or are REFUSED when there are none. AXFR/IXFR and opcodes other
than QUERY are NOTIMP; a packet that does not parse, or has other than one question, is FORMERR;
a packet shorter than a header, or a response, is dropped.
"""

from __future__ import annotations

import logging
import random
import struct
from dataclasses import dataclass, field

from dnslib import RCODE, DNSHeader, DNSRecord

from agentd.dns import names, records, trim
from agentd.dns.config import DNSConfig
from agentd.dns.lookup import Builder, Status
from agentd.dns.view import View, ViewError

log = logging.getLogger(__name__)

NOERROR, FORMERR, SERVFAIL, NXDOMAIN = RCODE.NOERROR, RCODE.FORMERR, RCODE.SERVFAIL, 3
NOTIMP, REFUSED = RCODE.NOTIMP, RCODE.REFUSED
_QR = 0x8000


@dataclass(frozen=True, slots=True)
class Reply:
    data: bytes


@dataclass(frozen=True, slots=True)
class Forward:
    """Ask the recursors: ``data`` is the client's packet, to be sent on unchanged."""

    request: DNSRecord
    data: bytes


Outcome = Reply | Forward | None


@dataclass(slots=True)
class Context:
    view: View
    cfg: DNSConfig
    tcp: bool = False
    client_ip: str = ""
    now: float = 0.0
    rng: random.Random = field(default_factory=random.Random)


def handle(packet: bytes, ctx: Context) -> Outcome:
    """Answer one query packet."""
    if len(packet) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", packet[:12])
    if flags & _QR:
        return None
    if (flags >> 11) & 0xF != 0:
        return Reply(header_only(qid, flags, NOTIMP))
    if qd != 1 or an > 1 or ns > 1 or ar > 2:
        return Reply(header_only(qid, flags, FORMERR))
    try:
        request = DNSRecord.parse(packet)
    except Exception:  # dnslib raises several kinds on garbage; all mean FORMERR
        return Reply(header_only(qid, flags, FORMERR))
    try:
        return _answer(request, packet, ctx)
    except ViewError as exc:
        log.warning("dns: %s: %s", request.q.qname, exc)
    except Exception:
        log.exception("dns: %s: unexpected error", request.q.qname)
    return Reply(failure(request, ctx.cfg, SERVFAIL))


def header_only(qid: int, flags: int, rcode: int) -> bytes:
    """A reply with no sections: the query's ID, opcode and RD/CD bits, QR and the rcode."""
    kept = flags & 0x7910  # opcode, RD, CD
    return struct.pack("!HHHHHH", qid, kept | _QR | rcode, 0, 0, 0, 0)


def skeleton(request: DNSRecord, cfg: DNSConfig) -> DNSRecord:
    h = request.header
    header = DNSHeader(id=h.id, bitmap=0, qr=1, aa=1, rd=h.rd, cd=h.cd, ra=int(bool(cfg.recursors)))
    return DNSRecord(header, q=request.q)


def failure(request: DNSRecord, cfg: DNSConfig, rcode: int, ra: bool | None = None) -> bytes:
    """An empty reply with ``rcode`` (EDNS echoed); ``ra`` overrides the recursion bit."""
    resp = skeleton(request, cfg)
    resp.header.rcode = rcode
    if ra is not None:
        resp.header.ra = int(ra)
    edns = trim.edns_of(request)
    if edns is not None:
        resp.add_ar(trim.opt_record(edns, True))
    return records.pack(resp, not cfg.disable_compression)


def _answer(request: DNSRecord, packet: bytes, ctx: Context) -> Outcome:
    cfg = ctx.cfg
    q = request.q
    edns = trim.edns_of(request)
    labels = names.labels_of(q.qname.label)
    resp = skeleton(request, cfg)
    builder = Builder(ctx.view, cfg, q, resp, ctx.rng, ctx.now, edns=edns is not None)
    client_ip = edns.ecs_ip if edns is not None and edns.ecs_ip else ctx.client_ip
    if q.qtype in (records.T_AXFR, records.T_IXFR):
        resp.header.rcode = NOTIMP
    elif names.is_reverse(labels):
        if not builder.ptr(labels):
            if cfg.recursors:
                return Forward(request, packet)
            resp.header.rcode = NXDOMAIN
            resp.add_auth(records.soa(cfg, cfg.domain, ctx.now))
    else:
        split = names.split_domain(labels, cfg.domain, cfg.alt_domain)
        if split is None:
            if cfg.recursors:
                return Forward(request, packet)
            resp.header.rcode = REFUSED
        else:
            count, domain = split
            _in_domain(builder, labels[:count], domain, client_ip)
            _fit(builder, resp, edns, ctx)
    if edns is not None:
        resp.add_ar(trim.opt_record(edns, builder.ecs_global or resp.header.rcode != NOERROR))
    return Reply(records.pack(resp, not cfg.disable_compression))


def _in_domain(builder: Builder, labels: tuple[str, ...], domain: str, client_ip: str) -> None:
    resp, cfg, now = builder.resp, builder.cfg, builder.now
    builder.domain = domain
    qtype = builder.q.qtype
    if qtype == records.T_SOA:
        resp.add_answer(records.soa(cfg, domain, now))
        servers, glue = builder.nameservers()
        resp.add_auth(*servers)
        resp.add_ar(*glue)
        return
    if qtype == records.T_NS:
        servers, glue = builder.nameservers()
        resp.add_answer(*servers)
        resp.add_ar(*glue)
        return
    status = builder.dispatch(names.parse(labels, qtype), client_ip)
    if status == Status.NOT_FOUND:
        resp.header.rcode = NXDOMAIN
        resp.add_auth(records.soa(cfg, domain, now))
    elif status == Status.NO_DATA:
        resp.add_auth(records.soa(cfg, domain, now))


def _fit(builder: Builder, resp: DNSRecord, edns: trim.EDNS | None, ctx: Context) -> None:
    """Service and query answers are cut to fit the transport (Consul trims only those)."""
    if not builder.trimmable:
        return
    cfg = ctx.cfg
    compress = not cfg.disable_compression

    def measure(r: DNSRecord) -> int:
        return len(records.pack(r, compress))

    def measure_plain(r: DNSRecord) -> int:
        return len(records.pack(r, False))

    reserve = 0
    if edns is not None:
        reserve = 11 + (4 + len(edns.ecs) if edns.ecs is not None else 0)
    if ctx.tcp:
        cut = trim.trim_tcp(resp, builder.q.qtype, measure, reserve)
    else:
        cut = trim.trim_udp(resp, edns, cfg.udp_answer_limit, measure, measure_plain, reserve)
    if cut and cfg.enable_truncate:
        resp.header.tc = 1
