"""The DNS core without sockets: packets built and read with dnspython, the catalog a fake view."""

from __future__ import annotations

import dataclasses
import random
import struct
from dataclasses import dataclass, field

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import pytest

from agentd.dns import answer
from agentd.dns.config import DNSConfig
from agentd.dns.view import Instance, QueryAnswer, ViewError
from agentd.structs.catalog import Check, Health, Node, Service

CFG = DNSConfig(node_name="agent1")


@dataclass
class FakeView:
    node_list: list[Node] = field(default_factory=list)
    insts: list[Instance] = field(default_factory=list)
    queries: dict[str, QueryAnswer] = field(default_factory=dict)
    fail: bool = False

    def node(self, name: str) -> Node | None:
        return next((n for n in self.node_list if n.node.lower() == name.lower()), None)

    def nodes(self) -> list[Node]:
        return list(self.node_list)

    def instances(self, service: str, connect: bool = False) -> list[Instance]:
        if self.fail:
            raise ViewError("Permission denied")
        return [i for i in self.insts if i.service.service.lower() == service.lower()]

    def services(self) -> list[Service]:
        return [i.service for i in self.insts]

    def query(self, id_or_name: str, source_ip: str) -> QueryAnswer | None:
        return self.queries.get(id_or_name.lower())


def inst(
    node: str,
    addr: str,
    service: str = "web",
    status: str = Health.PASSING,
    *,
    tags: tuple[str, ...] = (),
    svc_addr: str = "",
    port: int = 80,
    meta: dict[str, str] | None = None,
    sid: str = "",
) -> Instance:
    n = Node(node, addr, datacenter="dc1", meta=meta or {})
    s = Service(node, sid or service, service, tags=tags, address=svc_addr, port=port)
    checks = (
        Check(node, f"{service}-check", status=status, service_id=s.id, service_name=service),
    )
    return Instance(n, s, checks)


def ask(
    view: FakeView,
    name: str,
    rdtype: str = "A",
    *,
    cfg: DNSConfig = CFG,
    tcp: bool = False,
    payload: int | None = None,
    options: list[dns.edns.Option] | None = None,
    seed: int = 1,
) -> dns.message.Message:
    q = dns.message.make_query(name, rdtype)
    if payload is not None:
        q.use_edns(0, payload=payload, options=options or [])
    ctx = answer.Context(view, cfg, tcp, "192.0.2.1", 1_700_000_000.0, random.Random(seed))
    out = answer.handle(q.to_wire(), ctx)
    assert isinstance(out, answer.Reply)
    return dns.message.from_wire(out.data)


def texts(resp: dns.message.Message, section: str = "answer") -> list[str]:
    return sorted(rd.to_text() for rrset in getattr(resp, section) for rd in rrset)


def rcode(resp: dns.message.Message) -> str:
    return dns.rcode.to_text(resp.rcode())


@pytest.fixture
def view() -> FakeView:
    return FakeView(
        node_list=[
            Node("n1", "10.0.0.1", datacenter="dc1", meta={"rack": "a", "rfc1035-x": "raw"}),
            Node("n6", "2001:db8::6", datacenter="dc1"),
        ],
        insts=[
            inst("n1", "10.0.0.1", tags=("Primary",), meta={"rack": "a"}),
            inst("n2", "10.0.0.2", status=Health.WARNING),
            inst("n3", "10.0.0.3", status=Health.CRITICAL),
            inst("n4", "10.0.0.4", "db", svc_addr="10.9.9.9", port=5432),
            inst("n5", "10.0.0.5", "ext", svc_addr="db.example.com", port=1),
        ],
    )


def test_service_a_health_and_tags(view: FakeView) -> None:
    resp = ask(view, "web.service.consul")
    assert rcode(resp) == "NOERROR" and resp.flags & dns.flags.AA
    assert not resp.flags & dns.flags.RA
    assert texts(resp) == ["10.0.0.1", "10.0.0.2"]  # critical out, warning in
    only = dataclasses.replace(CFG, only_passing=True)
    assert texts(ask(view, "web.service.consul", cfg=only)) == ["10.0.0.1"]
    assert texts(ask(view, "primary.web.service.consul")) == ["10.0.0.1"]
    assert texts(ask(view, "WEB.Service.Consul.")) == ["10.0.0.1", "10.0.0.2"]


def test_srv_targets_weights_and_additional(view: FakeView) -> None:
    view.insts[1] = dataclasses.replace(
        view.insts[1],
        service=dataclasses.replace(view.insts[1].service, weights={"Passing": 10, "Warning": 3}),
    )
    resp = ask(view, "web.service.consul", "SRV")
    assert texts(resp) == ["1 1 80 n1.node.dc1.consul.", "1 3 80 n2.node.dc1.consul."]
    assert texts(resp, "additional") == ['"rack=a"', "10.0.0.1", "10.0.0.2"]
    db = ask(view, "_db._tcp.service.consul", "SRV")
    assert texts(db) == ["1 1 5432 0a090909.addr.dc1.consul."]
    assert texts(db, "additional") == ["10.9.9.9"]
    assert texts(ask(view, "_web._primary.service.consul", "SRV")) == ["1 1 80 n1.node.dc1.consul."]
    assert texts(ask(view, "_web._tcp.consul", "SRV")) == texts(resp)


def test_hostname_service_address(view: FakeView) -> None:
    assert texts(ask(view, "ext.service.consul")) == ["db.example.com."]
    assert ask(view, "ext.service.consul").answer[0].rdtype == dns.rdatatype.CNAME
    assert texts(ask(view, "ext.service.consul", "SRV")) == ["1 1 1 db.example.com."]


def test_internal_cname_is_resolved(view: FakeView) -> None:
    view.insts.append(inst("n7", "10.0.0.7", "alias", svc_addr="db.service.consul"))
    resp = ask(view, "alias.service.consul")
    assert texts(resp) == ["10.9.9.9", "db.service.consul."]


def test_nxdomain_nodata_and_soa(view: FakeView) -> None:
    resp = ask(view, "nope.service.consul")
    assert rcode(resp) == "NXDOMAIN"
    soa = resp.authority[0]
    assert soa.rdtype == dns.rdatatype.SOA and soa.name.to_text() == "consul."
    assert soa[0].mname.to_text() == "ns.consul." and soa[0].rname.to_text() == "hostmaster.consul."
    assert soa[0].serial == 1_700_000_000
    aaaa = ask(view, "web.service.consul", "AAAA")
    assert rcode(aaaa) == "NOERROR" and aaaa.answer == [] and len(aaaa.authority) == 1
    mx = ask(view, "n1.node.consul", "MX")
    assert rcode(mx) == "NOERROR" and mx.answer == [] and mx.authority == []
    for bad in ("n9.node.consul", "web.service.dc9.consul", "web.service.p.peer.consul", "consul"):
        resp = ask(view, bad)
        assert rcode(resp) == "NXDOMAIN" and len(resp.authority) == 1, bad
    assert rcode(ask(view, "web.ingress.consul")) == "NXDOMAIN"
    virtual = ask(view, "web.virtual.consul")
    assert rcode(virtual) == "NOERROR" and virtual.answer == [] and virtual.authority == []


def test_nodes(view: FakeView) -> None:
    resp = ask(view, "n1.node.consul")
    assert texts(resp) == ["10.0.0.1"]
    assert texts(resp, "additional") == ['"rack=a"', '"raw"']
    assert texts(ask(view, "n1.node.dc1.consul", "TXT")) == ['"rack=a"', '"raw"', "10.0.0.1"]
    assert texts(ask(view, "n1.node.consul", "ANY")) == ['"rack=a"', '"raw"', "10.0.0.1"]
    no_txt = dataclasses.replace(CFG, node_meta_txt=False)
    assert ask(view, "n1.node.consul", cfg=no_txt).additional == []
    assert texts(ask(view, "n6.node.consul", "AAAA")) == ["2001:db8::6"]
    nodata = ask(view, "n6.node.consul", "A")
    assert rcode(nodata) == "NOERROR" and nodata.answer == [] and len(nodata.authority) == 1


def test_rfc1464_escaping() -> None:
    from agentd.dns.records import rfc1464

    assert rfc1464("a=b", "c") == "a`=b=c"
    assert rfc1464(" k ", "v`") == "` k` =v``"


def test_addr_names(view: FakeView) -> None:
    assert texts(ask(view, "0a000001.addr.consul")) == ["10.0.0.1"]
    assert texts(ask(view, "20010db8000000000000000000000001.addr.dc1.consul", "AAAA")) == [
        "2001:db8::1"
    ]
    mismatch = ask(view, "0a000001.addr.consul", "AAAA")
    assert mismatch.answer == [] and texts(mismatch, "additional") == ["10.0.0.1"]
    assert rcode(ask(view, "0a0001.addr.consul")) == "NXDOMAIN"


def test_ptr(view: FakeView) -> None:
    assert texts(ask(view, "1.0.0.10.in-addr.arpa", "PTR")) == ["n1.node.dc1.consul."]
    assert texts(ask(view, "9.9.9.10.in-addr.arpa", "PTR")) == ["db.service.dc1.consul."]
    v6 = ".".join(reversed("20010db8000000000000000000000006")) + ".ip6.arpa"
    assert texts(ask(view, v6, "PTR")) == ["n6.node.dc1.consul."]
    unknown = ask(view, "9.9.9.9.in-addr.arpa", "PTR")
    assert rcode(unknown) == "NXDOMAIN" and len(unknown.authority) == 1


def test_alt_domain(view: FakeView) -> None:
    cfg = dataclasses.replace(CFG, alt_domain="alt.test.")
    assert texts(ask(view, "web.service.alt.test", "SRV", cfg=cfg)) == [
        "1 1 80 n1.node.dc1.alt.test.",
        "1 1 80 n2.node.dc1.alt.test.",
    ]
    assert ask(view, "nope.service.alt.test", cfg=cfg).authority[0].name.to_text() == "alt.test."


def test_prepared_query(view: FakeView) -> None:
    view.queries["commerce"] = QueryAnswer("web", [view.insts[0]], "7s")
    resp = ask(view, "Commerce.query.consul")
    assert texts(resp) == ["10.0.0.1"] and resp.answer[0].ttl == 7
    assert texts(ask(view, "_commerce._tcp.query.consul", "SRV")) == ["1 1 80 n1.node.dc1.consul."]
    assert rcode(ask(view, "other.query.consul")) == "NXDOMAIN"
    view.queries["empty"] = QueryAnswer("web", [], "")
    assert rcode(ask(view, "empty.query.consul")) == "NXDOMAIN"


def test_ttls(view: FakeView) -> None:
    cfg = dataclasses.replace(
        CFG, node_ttl=30, service_ttl={"db": 9}, service_ttl_prefixes=(("w", 7), ("", 5))
    )
    assert {r.ttl for r in ask(view, "web.service.consul", cfg=cfg).answer} == {7}
    srv = ask(view, "db.service.consul", "SRV", cfg=cfg)
    assert srv.answer[0].ttl == 9 and srv.additional[0].ttl == 9
    assert ask(view, "ext.service.consul", cfg=cfg).answer[0].ttl == 5
    assert ask(view, "n1.node.consul", cfg=cfg).answer[0].ttl == 30
    assert ask(view, "0a000001.addr.consul", cfg=cfg).answer[0].ttl == 30


def many(n: int, service: str = "big") -> list[Instance]:
    return [inst(f"node-{i:03d}", f"10.1.{i // 250}.{i % 250 + 1}", service) for i in range(n)]


def test_udp_answer_limit_and_truncation() -> None:
    view = FakeView(insts=many(10))
    resp = ask(view, "big.service.consul")
    assert len(texts(resp)) == 3 and not resp.flags & dns.flags.TC
    five = dataclasses.replace(CFG, udp_answer_limit=5)
    assert len(texts(ask(view, "big.service.consul", cfg=five))) == 5
    trunc = dataclasses.replace(CFG, enable_truncate=True)
    assert ask(view, "big.service.consul", cfg=trunc).flags & dns.flags.TC
    full = ask(view, "big.service.consul", payload=4096, cfg=trunc)
    assert len(texts(full)) == 10 and not full.flags & dns.flags.TC
    assert full.edns == 0 and full.payload == 4096
    tcp = ask(view, "big.service.consul", tcp=True, cfg=trunc)
    assert len(texts(tcp)) == 10 and not tcp.flags & dns.flags.TC


def test_size_trim_keeps_additional_in_step() -> None:
    view = FakeView(insts=many(300))
    q = dns.message.make_query("big.service.consul", "SRV")
    q.use_edns(0, payload=1232)
    ctx = answer.Context(view, CFG, False, "", 0.0, random.Random(3))
    out = answer.handle(q.to_wire(), ctx)
    assert isinstance(out, answer.Reply) and len(out.data) <= 1232
    resp = dns.message.from_wire(out.data)
    targets = {rd.target.to_text() for rd in resp.answer[0]}
    assert 3 < len(targets) < 300
    assert {r.name.to_text() for r in resp.additional} == targets
    tcp = ask(view, "big.service.consul", "SRV", tcp=True)
    assert len(tcp.answer[0]) == 300


def test_a_record_limit_and_dedup() -> None:
    view = FakeView(insts=[*many(6), inst("dup", "10.1.0.1", "big", sid="big2")])
    assert len(texts(ask(view, "big.service.consul", tcp=True))) == 6  # duplicate address once
    limited = dataclasses.replace(CFG, a_record_limit=2)
    assert len(texts(ask(view, "big.service.consul", tcp=True, cfg=limited))) == 2


def test_random_order() -> None:
    view = FakeView(insts=many(5))
    orders = {
        tuple(rd.to_text() for rd in ask(view, "big.service.consul", tcp=True, seed=s).answer[0])
        for s in range(20)
    }
    assert len(orders) > 5


def test_edns_echo_and_client_subnet(view: FakeView) -> None:
    ecs = dns.edns.ECSOption("198.51.100.0", 24)
    resp = ask(view, "web.service.consul", payload=1400, options=[ecs])
    assert resp.payload == 1400
    echoed = resp.options[0]
    assert isinstance(echoed, dns.edns.ECSOption)
    assert (echoed.address, echoed.srclen, echoed.scopelen) == ("198.51.100.0", 24, 0)
    view.queries["q"] = QueryAnswer("web", [view.insts[0]], "")
    scoped = ask(view, "q.query.consul", payload=1400, options=[ecs]).options[0]
    assert isinstance(scoped, dns.edns.ECSOption) and scoped.scopelen == 24
    assert ask(view, "web.service.consul").edns == -1  # no OPT without one in the query


def test_soa_and_ns(view: FakeView) -> None:
    view.insts.append(inst("server1", "10.0.0.9", "consul", port=8300))
    soa = ask(view, "anything.consul", "SOA")
    assert soa.answer[0].rdtype == dns.rdatatype.SOA
    assert texts(soa, "authority") == ["server1.node.dc1.consul."]
    assert texts(soa, "additional") == ["10.0.0.9"]
    ns = ask(view, "consul", "NS")
    assert texts(ns) == ["server1.node.dc1.consul."] and texts(ns, "additional") == ["10.0.0.9"]


def test_outside_the_domain(view: FakeView) -> None:
    resp = ask(view, "example.com")
    assert rcode(resp) == "REFUSED"
    cfg = dataclasses.replace(CFG, recursors=(("127.0.0.1", 53),))
    q = dns.message.make_query("example.com", "A")
    ctx = answer.Context(view, cfg, False, "", 0.0, random.Random())
    assert isinstance(answer.handle(q.to_wire(), ctx), answer.Forward)
    ptr = dns.message.make_query("9.9.9.9.in-addr.arpa", "PTR")
    assert isinstance(answer.handle(ptr.to_wire(), ctx), answer.Forward)
    assert ask(view, "web.service.consul", cfg=cfg).flags & dns.flags.RA


def test_malformed_packets(view: FakeView) -> None:
    ctx = answer.Context(view, CFG, False, "", 0.0, random.Random())
    assert answer.handle(b"", ctx) is None
    assert answer.handle(b"\x12\x34\x01", ctx) is None
    q = dns.message.make_query("web.service.consul", "A")
    wire = bytearray(q.to_wire())
    response = bytearray(wire)
    response[2] |= 0x80
    assert answer.handle(bytes(response), ctx) is None

    def rcode_of(data: bytes) -> tuple[int, int]:
        out = answer.handle(data, ctx)
        assert isinstance(out, answer.Reply)
        qid, flags = struct.unpack("!HH", out.data[:4])
        return qid, flags & 0xF

    qid = struct.unpack("!H", wire[:2])[0]
    assert rcode_of(bytes(wire[:20])) == (qid, dns.rcode.FORMERR)  # truncated question
    two = bytearray(wire)
    two[5] = 2
    assert rcode_of(bytes(two)) == (qid, dns.rcode.FORMERR)
    notify = bytearray(wire)
    notify[2] |= dns.opcode.NOTIFY << 3
    assert rcode_of(bytes(notify)) == (qid, dns.rcode.NOTIMP)
    assert rcode(ask(view, "consul", "AXFR")) == "NOTIMP"


def test_failures_are_servfail(view: FakeView) -> None:
    view.fail = True
    assert rcode(ask(view, "web.service.consul")) == "SERVFAIL"


def test_uncompressed_answers(view: FakeView) -> None:
    plain = dataclasses.replace(CFG, disable_compression=True)
    q = dns.message.make_query("web.service.consul", "SRV")
    sizes = []
    for cfg in (CFG, plain):
        out = answer.handle(q.to_wire(), answer.Context(view, cfg, True, "", 0.0))
        assert isinstance(out, answer.Reply)
        sizes.append(len(out.data))
        assert len(dns.message.from_wire(out.data).answer[0]) == 2
    assert sizes[1] > sizes[0]
