"""Building the records of one in-domain answer: nodes, services, prepared queries, addresses,
PTR and NS (Consul's nodeLookup, serviceNodeRecords, serviceSRVRecords, preparedQueryLookup).

Service instances with any critical check are never answered (maintenance is critical);
warning ones are unless ``only_passing``. Instances are shuffled on every answer. A/AAAA
answers carry one record per distinct address (up to ``a_record_limit``); SRV answers one record
per distinct (node, address, port) with priority 1 and the instance's passing/warning weight,
the target's address in the additional section, with the node's meta as TXT there too.
"""

from __future__ import annotations

import logging
import random
import re
from enum import Enum
from typing import Any

from dnslib import RR, DNSQuestion, DNSRecord

from agentd.dns import names, records
from agentd.dns.config import DNSConfig
from agentd.dns.names import Kind, Lookup
from agentd.dns.records import T_A, T_AAAA, T_ANY, T_CNAME, T_SRV, T_TXT, BadName
from agentd.dns.view import Instance, View
from agentd.structs.catalog import Check, Health, Node, aggregate
from cnslkit.duration import parse_duration

log = logging.getLogger(__name__)

MAX_RECURSION = 3  # internal CNAME chasing depth
MAX_CNAME_EXTRA = 5  # records resolved for a hostname address, unless the client speaks EDNS
CONSUL_SERVICE = "consul"
_INVALID_DNS = re.compile(r"[^A-Za-z0-9\-]+")

IPAddress = Any  # ipaddress.IPv4Address | ipaddress.IPv6Address
Records = tuple[list[RR], list[RR]]  # (answer, additional)


class Status(Enum):
    OK = "ok"
    NO_DATA = "no data"  # NOERROR with the SOA
    NOT_FOUND = "not found"  # NXDOMAIN with the SOA


def healthy(checks: tuple[Check, ...], only_passing: bool) -> bool:
    for chk in checks:
        if chk.status == Health.CRITICAL or (only_passing and chk.status != Health.PASSING):
            return False
    return True


def weight_of(inst: Instance) -> int:
    svc = inst.service
    own = [c for c in inst.checks if c.service_name in (svc.service, "")]
    status = aggregate(own)
    if status == Health.WARNING:
        weight = svc.weights.get("Warning", 1)
    elif status == Health.PASSING:
        weight = svc.weights.get("Passing", 1)
    else:
        weight = 1
    return max(0, min(int(weight), 0xFFFF))


def _tagged(addrs: dict[str, Any], key: str) -> str:
    value = addrs.get(key)
    if isinstance(value, dict):
        return str(value.get("Address", ""))
    return str(value or "")


def _key(rr: RR) -> tuple[int, str]:
    return rr.rtype, str(rr.rdata)


class Builder:
    """One answer under construction: the question, the reply, and the records added to it."""

    def __init__(
        self,
        view: View,
        cfg: DNSConfig,
        q: DNSQuestion,
        resp: DNSRecord,
        rng: random.Random,
        now: float,
        *,
        depth: int = MAX_RECURSION,
        edns: bool = False,
    ) -> None:
        self.view, self.cfg, self.q, self.resp = view, cfg, q, resp
        self.rng, self.now, self.depth, self.edns = rng, now, depth, edns
        self.qtype: int = q.qtype
        self.qname = q.qname
        self.domain = cfg.domain  # the one the question used
        self.trimmable = False  # service and query answers are cut to fit the transport
        self.ecs_global = True  # prepared-query answers may depend on the client's address

    # ---- dispatch ---------------------------------------------------------------------------

    def dispatch(self, lk: Lookup | None, client_ip: str) -> Status:
        if lk is None or lk.peer:
            return Status.NOT_FOUND
        if lk.datacenter and lk.datacenter != self.cfg.datacenter:
            return Status.NOT_FOUND  # no path to that datacenter (no federation yet)
        if lk.kind in (Kind.SERVICE, Kind.CONNECT):
            return self.service(lk)
        if lk.kind == Kind.NODE:
            return self.node(lk.name)
        if lk.kind == Kind.QUERY:
            return self.query(lk.name, client_ip)
        if lk.kind == Kind.ADDR:
            return self.addr(lk.name)
        if lk.kind == Kind.VIRTUAL:
            return Status.OK  # no virtual IPs without a service mesh: an empty answer
        return Status.NOT_FOUND  # ingress: no ingress gateways

    # ---- lookups ----------------------------------------------------------------------------

    def service(self, lk: Lookup) -> Status:
        tag = lk.tag.lower()
        found = [
            i
            for i in self.view.instances(lk.name, connect=lk.kind == Kind.CONNECT)
            if (not tag or tag in (t.lower() for t in i.service.tags))
            and healthy(i.checks, self.cfg.only_passing)
        ]
        if not found:
            return Status.NOT_FOUND
        self.rng.shuffle(found)
        return self._instances(found, self.cfg.ttl_for_service(lk.name))

    def query(self, name: str, client_ip: str) -> Status:
        self.ecs_global = False
        answer = self.view.query(name, client_ip)
        if answer is None or not answer.nodes:
            return Status.NOT_FOUND
        ttl = self.cfg.ttl_for_service(answer.service)
        if answer.ttl:
            try:
                ttl = int(parse_duration(answer.ttl))
            except ValueError:
                log.warning("dns: query %s: ignoring bad DNS TTL %r", name, answer.ttl)
        return self._instances(list(answer.nodes), ttl)

    def node(self, name: str) -> Status:
        if self.qtype not in (T_A, T_AAAA, T_ANY, T_TXT):
            return Status.OK
        node = self.view.node(name)
        if node is None:
            return Status.NOT_FOUND
        ttl = self.cfg.node_ttl
        self.resp.add_answer(*self.node_records(node, self.qtype, self.qname, ttl))
        meta = records.meta_txt(self.qname, node, ttl)
        if self.qtype in (T_ANY, T_TXT):
            self.resp.add_answer(*meta)
        elif self.cfg.node_meta_txt:
            self.resp.add_ar(*meta)
        return Status.OK if self.resp.rr else Status.NO_DATA

    def addr(self, text: str) -> Status:
        ip = names.decode_addr(text)
        addr = records.parse_ip(ip) if ip is not None else None
        if addr is None:
            return Status.NOT_FOUND
        rec = records.address_record(T_ANY, addr, self.qname, self.cfg.node_ttl)
        assert rec is not None  # ANY takes both families
        wanted = T_A if addr.version == 4 else T_AAAA
        if self.qtype in (wanted, T_ANY):
            self.resp.add_answer(rec)
        else:
            self.resp.add_ar(rec)
        return Status.OK

    def ptr(self, labels: tuple[str, ...]) -> bool:
        """A PTR answer for a known node or service address; False if there is none."""
        if self.qtype == records.T_SOA:
            self.resp.add_auth(records.soa(self.cfg, self.cfg.domain, self.now))
        ip = names.reverse_ip(labels)
        if ip is None:
            return False
        addr = records.parse_ip(ip)
        cfg = self.cfg
        for node in sorted(self.view.nodes(), key=lambda n: n.node):
            if records.parse_ip(node.address) == addr:
                dc = node.datacenter or cfg.datacenter
                return self._add_ptr(records.node_fqdn(node.node, dc, cfg.domain))
        for svc in sorted(self.view.services(), key=lambda s: (s.service, s.node, s.id)):
            if svc.address and records.parse_ip(svc.address) == addr:
                return self._add_ptr(f"{svc.service}.service.{cfg.datacenter}.{cfg.domain}")
        return False

    def _add_ptr(self, target: str) -> bool:
        try:
            self.resp.add_answer(records.ptr(self.qname, target))
        except BadName:
            return False
        return True

    def nameservers(self) -> Records:
        """Up to 3 random healthy servers as NS records of the domain, with glue."""
        found = [
            i
            for i in self.view.instances(CONSUL_SERVICE)
            if healthy(i.checks, self.cfg.only_passing)
        ]
        self.rng.shuffle(found)
        servers: list[RR] = []
        glue: list[RR] = []
        seen: set[str] = set()
        for inst in found:
            node = inst.node
            if _INVALID_DNS.search(node.node) or node.node.lower() in seen:
                continue
            seen.add(node.node.lower())
            dc = node.datacenter or self.cfg.datacenter
            fqdn = records.node_fqdn(node.node, dc, self.domain).lower()
            ttl = self.cfg.node_ttl
            servers.append(records.ns(self.domain, fqdn, ttl))
            glue += self.node_records(node, T_ANY, records.label(fqdn), ttl)
            if len(servers) >= 3:
                break
        return servers, glue

    # ---- records ----------------------------------------------------------------------------

    def node_records(self, node: Node, qtype: int, name: Any, ttl: int) -> list[RR]:
        tagged = node.tagged_addresses
        accept = records.accept_for(qtype)
        addr = records.translate(
            accept, node.address, tagged.get("lan_ipv4", ""), tagged.get("lan_ipv6", "")
        )
        if not addr:
            return []
        ip = records.parse_ip(addr)
        if ip is None:
            try:
                return [records.cname(name, addr, ttl), *self.resolve_cname(addr)]
            except BadName:
                return []
        rec = records.address_record(qtype, ip, name, ttl)
        return [rec] if rec is not None else []

    def _instances(self, found: list[Instance], ttl: int) -> Status:
        self.trimmable = True
        if self.qtype == T_SRV:
            self._srv_records(found, ttl)
        else:
            self._address_records(found, ttl)
        return Status.OK if self.resp.rr else Status.NO_DATA

    def _address_records(self, found: list[Instance], ttl: int) -> None:
        handled: set[tuple[int, str]] = set()
        cname_answer: list[RR] = []
        count = 0
        for inst in found:
            try:
                recs, _ = self.instance_records(inst, ttl, 1)
            except BadName:
                continue
            if not recs or _key(recs[0]) in handled:
                continue
            handled.add(_key(recs[0]))
            if recs[0].rtype == T_CNAME:
                cname_answer = cname_answer or recs
                continue
            self.resp.add_answer(*recs)
            count += 1
            if count == self.cfg.a_record_limit:
                break
        if not self.resp.rr and cname_answer:
            self.resp.add_answer(*cname_answer)

    def _srv_records(self, found: list[Instance], ttl: int) -> None:
        handled: set[tuple[str, str, int]] = set()
        extra_seen: set[tuple[str, int, str]] = set()
        for inst in found:
            svc, node = inst.service, inst.node
            tagged = svc.tagged_addresses
            addr = records.translate(
                records.ACCEPT_ANY,
                svc.address,
                _tagged(tagged, "lan_ipv4"),
                _tagged(tagged, "lan_ipv6"),
            )
            if (node.node, addr, svc.port) in handled:
                continue
            handled.add((node.node, addr, svc.port))
            try:
                answers, extra = self.instance_records(inst, ttl, weight_of(inst))
                if self.cfg.node_meta_txt:
                    dc = self.cfg.datacenter
                    fqdn = records.label(records.node_fqdn(node.node, dc, self.domain))
                    extra = extra + records.meta_txt(fqdn, node, ttl)
            except BadName:
                continue
            self.resp.add_answer(*answers)
            for rr in extra:
                key = (str(rr.rname).lower(), rr.rtype, str(rr.rdata))
                if key not in extra_seen:
                    extra_seen.add(key)
                    self.resp.add_ar(rr)

    def instance_records(self, inst: Instance, ttl: int, weight: int) -> Records:
        """One instance's records (Consul's nodeServiceRecords): the service address if it has
        one the question can use, else the node's; a hostname becomes a CNAME (or SRV target)."""
        svc, node = inst.service, inst.node
        accept = records.accept_for(self.qtype)
        st, nt = svc.tagged_addresses, node.tagged_addresses
        svc_addr = records.translate(
            accept, svc.address, _tagged(st, "lan_ipv4"), _tagged(st, "lan_ipv6")
        )
        node_addr = records.translate(
            accept, node.address, nt.get("lan_ipv4", ""), nt.get("lan_ipv6", "")
        )
        if not svc_addr and not node_addr:
            return [], []
        node_ip, svc_ip = records.parse_ip(node_addr), records.parse_ip(svc_addr)
        if not svc_addr and node_ip is not None:
            if node.address != node_addr:
                return self._from_ip(node_ip, inst, ttl, weight)
            return self._from_node(node_ip, inst, ttl, weight)
        if not svc_addr:
            return self._from_fqdn(node_addr, inst, ttl, weight)
        if svc_ip is not None:
            return self._from_ip(svc_ip, inst, ttl, weight)
        if svc_addr.rstrip(".").lower() == str(self.qname).rstrip(".").lower() and node_ip:
            return self._from_node(node_ip, inst, ttl, weight)
        return self._from_fqdn(svc_addr, inst, ttl, weight)

    def _from_node(self, ip: IPAddress, inst: Instance, ttl: int, weight: int) -> Records:
        target = records.node_fqdn(inst.node.node, self.cfg.datacenter, self.domain)
        return self._from_address(ip, inst, ttl, weight, target)

    def _from_ip(self, ip: IPAddress, inst: Instance, ttl: int, weight: int) -> Records:
        target = f"{names.encode_addr(str(ip))}.addr.{self.cfg.datacenter}.{self.domain}"
        return self._from_address(ip, inst, ttl, weight, target)

    def _from_address(
        self, ip: IPAddress, inst: Instance, ttl: int, weight: int, target: str
    ) -> Records:
        rec = records.address_record(self.qtype, ip, self.qname, ttl)
        if rec is None:
            return [], []
        if self.qtype != T_SRV:
            return [rec], []
        rec.rname = records.label(target)
        return [records.srv(self.qname, weight, inst.service.port, target, ttl)], [rec]

    def _from_fqdn(self, fqdn: str, inst: Instance, ttl: int, weight: int) -> Records:
        more = self.resolve_cname(fqdn, ttl)
        if self.qtype == T_SRV:
            return [records.srv(self.qname, weight, inst.service.port, fqdn, ttl)], more
        return [records.cname(self.qname, fqdn, ttl), *more], []

    def resolve_cname(self, name: str, ttl: int | None = None) -> list[RR]:
        """What an in-domain CNAME target resolves to (at most 3 levels deep). Targets outside
        the domain are left to the client, which resolves the CNAME itself."""
        split = names.split_domain(
            names.labels_of(records.label(name).label), self.cfg.domain, self.cfg.alt_domain
        )
        if split is None:
            return []
        if self.depth < 1:
            log.error("dns: %s: CNAME chain too deep, not resolving it", name)
            return []
        count, domain = split
        question = DNSQuestion(records.label(name), T_ANY)
        sub = DNSRecord(q=question)
        inner = Builder(
            self.view, self.cfg, question, sub, self.rng, self.now, depth=self.depth - 1
        )
        inner.domain = domain
        labels = names.labels_of(question.qname.label)[:count]
        inner.dispatch(names.parse(labels, T_ANY), "")
        out = [rr for rr in sub.rr if rr.rtype in (T_CNAME, T_A, T_AAAA, T_TXT)]
        if ttl is not None:
            for rr in out:
                rr.ttl = ttl
        return out if self.edns else out[:MAX_CNAME_EXTRA]
