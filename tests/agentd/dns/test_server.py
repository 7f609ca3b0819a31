"""Every DNS name form and record type over real UDP and TCP sockets of an in-process agent."""

from __future__ import annotations

import random
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import httpx
import pytest

from tests.agents import AgentThread, wait_for
from tests.examples import EXAMPLES

CONFIG = """
alt_domain = "alt.test"
node_meta {
  rack = "r1"
}
dns_config {
  node_ttl = "30s"
  service_ttl = { "*" = "5s", "db" = "9s" }
}
"""
TUNED = """
dns_config {
  enable_truncate = true
  only_passing = true
  udp_answer_limit = 2
  a_record_limit = 4
}
"""


def dns_agent(*hcl: str) -> AgentThread:
    flags = ["-dns-port", "0"]
    for fragment in hcl:
        flags += ["-hcl", fragment]
    return AgentThread(*flags).start()


def register(http: httpx.Client, node: str, addr: str, service: str = "", **kw: Any) -> None:
    body: dict[str, Any] = {"Node": node, "Address": addr, "NodeMeta": kw.pop("meta", {})}
    if service:
        status = kw.pop("status", "passing")
        body["Service"] = {"Service": service, "Port": kw.pop("port", 80), **kw}
        body["Check"] = {"Name": "c", "ServiceID": service, "Status": status}
    r = http.put("/v1/catalog/register", json=body)
    assert r.text == "true\n", r.text


def populate(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        register(http, "n1", "10.0.0.1", "web", Tags=["Primary"], meta={"env": "prod"})
        register(http, "n2", "10.0.0.2", "web", status="warning")
        register(http, "n3", "10.0.0.3", "web", status="critical")
        register(http, "n4", "10.0.0.4", "db", Address="10.9.9.9", port=5432)
        register(http, "n6", "2001:db8::6", "v6")
        for i in range(12):
            register(http, f"big{i:02d}", f"10.1.0.{i + 1}", "big")
        register(http, "shop1", "10.2.0.1", "front-end-eCommerce", Tags=["v7.05", "production"])
        register(http, "shop2", "10.2.0.2", "front-end-eCommerce", Tags=["v7.04"])
        r = http.post("/v1/query", content=(EXAMPLES / "prepared-query.json").read_bytes())
        assert r.status_code == 200, r.text
        body = {"Name": "ttl", "Service": {"Service": "web"}, "DNS": {"TTL": "42s"}}
        assert http.post("/v1/query", json=body).status_code == 200


@pytest.fixture(scope="module")
def agent() -> Iterator[AgentThread]:
    handle = dns_agent(CONFIG)
    try:
        populate(handle.url)
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def tuned() -> Iterator[AgentThread]:
    handle = dns_agent(TUNED)
    try:
        populate(handle.url)
        yield handle
    finally:
        handle.stop()


@pytest.fixture(params=["udp", "tcp"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def address(agent: AgentThread) -> tuple[str, int]:
    host, port = agent.agent.dns_addrs[0].rsplit(":", 1)
    return host, int(port)


def ask(
    agent: AgentThread,
    name: str,
    rdtype: str = "A",
    transport: str = "udp",
    *,
    payload: int | None = None,
    options: list[dns.edns.Option] | None = None,
) -> dns.message.Message:
    q = dns.message.make_query(name, rdtype)
    if payload is not None:
        q.use_edns(0, payload=payload, options=options or [])
    host, port = address(agent)
    if transport == "udp":
        return dns.query.udp(q, host, port=port, timeout=5)
    return dns.query.tcp(q, host, port=port, timeout=5)


def texts(resp: dns.message.Message, section: str = "answer") -> list[str]:
    return sorted(rd.to_text() for rrset in getattr(resp, section) for rd in rrset)


def rcode(resp: dns.message.Message) -> str:
    return dns.rcode.to_text(resp.rcode())


# ---- name forms ----------------------------------------------------------------------------------

WEB_SRV = ["1 1 80 n1.node.dc1.consul.", "1 1 80 n2.node.dc1.consul."]


@pytest.mark.parametrize(
    ("name", "rdtype", "want"),
    [
        ("web.service.consul", "A", ["10.0.0.1", "10.0.0.2"]),
        ("WEB.Service.CONSUL", "A", ["10.0.0.1", "10.0.0.2"]),
        ("primary.web.service.consul", "A", ["10.0.0.1"]),
        ("web.service.dc1.consul", "A", ["10.0.0.1", "10.0.0.2"]),
        ("web.service.dc1.dc.consul", "A", ["10.0.0.1", "10.0.0.2"]),
        ("web.service.alt.test", "A", ["10.0.0.1", "10.0.0.2"]),
        ("_web._tcp.service.consul", "SRV", WEB_SRV),
        ("_web._primary.service.consul", "SRV", ["1 1 80 n1.node.dc1.consul."]),
        ("_web._tcp.consul", "SRV", WEB_SRV),
        ("db.service.consul", "SRV", ["1 1 5432 0a090909.addr.dc1.consul."]),
        ("web.service.alt.test", "SRV", [t.replace(".consul.", ".alt.test.") for t in WEB_SRV]),
        ("n1.node.consul", "A", ["10.0.0.1"]),
        ("n1.node.dc1.consul", "TXT", ['"env=prod"', "10.0.0.1"]),
        ("n1.node.consul", "ANY", ['"env=prod"', "10.0.0.1"]),
        ("n6.node.consul", "AAAA", ["2001:db8::6"]),
        ("v6.service.consul", "AAAA", ["2001:db8::6"]),
        ("commerce.query.consul", "A", ["10.2.0.1"]),
        ("Commerce.query.dc1.consul", "A", ["10.2.0.1"]),
        ("_commerce._tcp.query.consul", "SRV", ["1 1 80 shop1.node.dc1.consul."]),
        ("0a000001.addr.consul", "A", ["10.0.0.1"]),
        ("20010db8000000000000000000000001.addr.dc1.consul", "AAAA", ["2001:db8::1"]),
        ("1.0.0.10.in-addr.arpa", "PTR", ["n1.node.dc1.consul."]),
        ("9.9.9.10.in-addr.arpa", "PTR", ["db.service.dc1.consul."]),
        (
            ".".join(reversed("20010db8000000000000000000000006")) + ".ip6.arpa",
            "PTR",
            ["n6.node.dc1.consul."],
        ),
    ],
)  # fmt: skip
def test_name_forms(
    agent: AgentThread, transport: str, name: str, rdtype: str, want: list[str]
) -> None:
    resp = ask(agent, name, rdtype, transport)
    assert rcode(resp) == "NOERROR" and resp.flags & dns.flags.AA
    assert texts(resp) == want


def test_srv_additional_section(agent: AgentThread, transport: str) -> None:
    resp = ask(agent, "web.service.consul", "SRV", transport)
    extra = {(r.name.to_text(), rd.to_text()) for r in resp.additional for rd in r}
    assert ("n1.node.dc1.consul.", "10.0.0.1") in extra
    assert ("n1.node.dc1.consul.", '"env=prod"') in extra
    assert ("n2.node.dc1.consul.", "10.0.0.2") in extra


def test_node_meta_txt_in_additional(agent: AgentThread, transport: str) -> None:
    resp = ask(agent, "test-node.node.consul", "A", transport)
    assert texts(resp) == ["127.0.0.1"]
    assert '"rack=r1"' in texts(resp, "additional")


@pytest.mark.parametrize(
    ("name", "rdtype", "code", "soa"),
    [
        ("nope.service.consul", "A", "NXDOMAIN", True),
        ("web.service.dc9.consul", "A", "NXDOMAIN", True),
        ("ghost.node.consul", "A", "NXDOMAIN", True),
        ("nope.query.consul", "A", "NXDOMAIN", True),
        ("what.consul", "A", "NXDOMAIN", True),
        ("web.service.consul", "AAAA", "NOERROR", True),
        ("n1.node.consul", "MX", "NOERROR", False),
        ("8.8.8.8.in-addr.arpa", "PTR", "NXDOMAIN", True),
        ("example.com", "A", "REFUSED", False),
        ("consul", "AXFR", "NOTIMP", False),
    ],
)
def test_response_codes(
    agent: AgentThread, transport: str, name: str, rdtype: str, code: str, soa: bool
) -> None:
    resp = ask(agent, name, rdtype, transport)
    assert rcode(resp) == code and resp.answer == []
    assert [r.rdtype for r in resp.authority] == ([dns.rdatatype.SOA] if soa else [])


def test_soa_and_ns(agent: AgentThread, transport: str) -> None:
    soa = ask(agent, "consul", "SOA", transport)
    [record] = soa.answer
    assert record.name.to_text() == "consul." and record[0].mname.to_text() == "ns.consul."
    assert record[0].rname.to_text() == "hostmaster.consul."
    assert texts(soa, "authority") == ["test-node.node.dc1.consul."]
    ns = ask(agent, "anything.consul", "NS", transport)
    assert texts(ns) == ["test-node.node.dc1.consul."]
    assert texts(ns, "additional") == ["127.0.0.1"]
    alt = ask(agent, "alt.test", "SOA", transport)
    assert alt.answer[0].name.to_text() == "alt.test."


def test_ttls(agent: AgentThread, transport: str) -> None:
    assert {r.ttl for r in ask(agent, "web.service.consul", "A", transport).answer} == {5}
    srv = ask(agent, "db.service.consul", "SRV", transport)
    assert srv.answer[0].ttl == 9 and {r.ttl for r in srv.additional} == {9}
    assert ask(agent, "n1.node.consul", "A", transport).answer[0].ttl == 30
    assert ask(agent, "ttl.query.consul", "A", transport).answer[0].ttl == 42


def test_random_order(agent: AgentThread, transport: str) -> None:
    seen = set()
    for _ in range(30):
        resp = ask(agent, "big.service.consul", "A", transport, payload=4096)
        seen.add(tuple(rd.to_text() for rd in resp.answer[0]))
    assert len(seen) > 10


def test_udp_limits_and_edns(agent: AgentThread) -> None:
    plain = ask(agent, "big.service.consul", "A", "udp")
    assert len(texts(plain)) == 3 and not plain.flags & dns.flags.TC  # trimmed silently
    assert plain.edns == -1
    ecs = dns.edns.ECSOption("198.51.100.0", 24)
    full = ask(agent, "big.service.consul", "A", "udp", payload=4096, options=[ecs])
    assert len(texts(full)) == 12 and full.payload == 4096
    [echoed] = full.options
    assert isinstance(echoed, dns.edns.ECSOption) and (echoed.srclen, echoed.scopelen) == (24, 0)
    assert len(texts(ask(agent, "big.service.consul", "A", "tcp"))) == 12


def test_tuned_config(tuned: AgentThread, transport: str) -> None:
    assert texts(ask(tuned, "web.service.consul", "A", transport)) == ["10.0.0.1"]  # only passing
    resp = ask(tuned, "big.service.consul", "A", transport)
    assert len(texts(resp)) == (2 if transport == "udp" else 4)  # udp_answer_limit, a_record_limit
    assert bool(resp.flags & dns.flags.TC) == (transport == "udp")  # enable_truncate
    srv = ask(tuned, "big.service.consul", "SRV", transport)
    assert len(texts(srv)) == (2 if transport == "udp" else 12)


# ---- robustness ----------------------------------------------------------------------------------


def garbage(rng: random.Random, valid: list[bytes]) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 600))
    base = bytearray(rng.choice(valid))
    if kind == 1:
        return bytes(base[: rng.randrange(0, len(base))])  # truncated
    if kind == 2:
        for _ in range(rng.randrange(1, 8)):
            base[rng.randrange(len(base))] = rng.randrange(256)  # flipped bytes
        return bytes(base)
    return bytes(base[:12]) + rng.randbytes(rng.randrange(0, 300))  # header + noise


def test_fuzz_random_and_truncated_packets(agent: AgentThread) -> None:
    rng = random.Random(20240505)
    valid = [
        dns.message.make_query(name, rdtype, use_edns=rng.random() < 0.5).to_wire()
        for name, rdtype in [
            ("web.service.consul", "A"),
            ("_web._tcp.service.consul", "SRV"),
            ("n1.node.consul", "TXT"),
            ("commerce.query.consul", "ANY"),
            ("1.0.0.10.in-addr.arpa", "PTR"),
            ("0a000001.addr.consul", "AAAA"),
        ]
    ]
    host, port = address(agent)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(0.001)
        for _ in range(3000):
            udp.sendto(garbage(rng, valid), (host, port))
            try:
                while True:
                    reply = udp.recv(65535)
                    assert len(reply) >= 12 and reply[2] & 0x80  # every reply is a response
            except (TimeoutError, BlockingIOError):
                pass
    for _ in range(40):
        with socket.create_connection((host, port), timeout=5) as tcp:
            for _ in range(rng.randrange(1, 5)):
                data = garbage(rng, valid)
                framed = struct.pack("!H", len(data)) + data
                tcp.sendall(framed if rng.random() < 0.8 else framed[: rng.randrange(len(framed))])
    with socket.create_connection((host, port), timeout=5) as tcp:
        tcp.sendall(b"\xff\xff" + rng.randbytes(100))  # a length it never sends in full
    for transport in ("udp", "tcp"):
        assert texts(ask(agent, "web.service.consul", "A", transport)) == ["10.0.0.1", "10.0.0.2"]
    assert agent.error is None


# ---- recursors ----------------------------------------------------------------------------------


class FakeUpstream:
    """A tiny authoritative DNS server on port 0 (UDP and TCP) with fixed answers."""

    def __init__(self, answers: dict[str, str], rcode: int = dns.rcode.NOERROR) -> None:
        self.answers, self.rcode, self.seen = answers, rcode, 0
        for _ in range(20):  # a free UDP port may be taken for TCP: try another
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
            except OSError:
                self.udp.close()
                self.tcp.close()
                continue
            break
        self.tcp.listen()
        for target in (self._serve_udp, self._serve_tcp):
            threading.Thread(target=target, daemon=True).start()

    def reply(self, data: bytes) -> bytes:
        self.seen += 1
        q = dns.message.from_wire(data)
        resp = dns.message.make_response(q)
        name = q.question[0].name.to_text()
        if self.rcode != dns.rcode.NOERROR:
            resp.set_rcode(self.rcode)
        elif name in self.answers:
            resp.answer.append(dns.rrset.from_text(name, 60, "IN", "A", self.answers[name]))
        else:
            resp.set_rcode(dns.rcode.NXDOMAIN)
        return resp.to_wire()

    def _serve_udp(self) -> None:
        while True:
            try:
                data, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            self.udp.sendto(self.reply(data), peer)

    def _serve_tcp(self) -> None:
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            with conn:
                size = struct.unpack("!H", conn.recv(2))[0]
                data = b""
                while len(data) < size:
                    data += conn.recv(size - len(data))
                out = self.reply(data)
                conn.sendall(struct.pack("!H", len(out)) + out)

    def close(self) -> None:
        self.udp.close()
        self.tcp.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_recursors(transport: str) -> None:
    good = FakeUpstream({"example.com.": "192.0.2.10", "1.1.168.192.in-addr.arpa.": "192.0.2.1"})
    bad = FakeUpstream({}, rcode=dns.rcode.SERVFAIL)
    dead = free_udp_port()
    recursors = f'["127.0.0.1:{dead}", "127.0.0.1:{bad.port}", "127.0.0.1:{good.port}"]'
    agent = dns_agent(f'recursors = {recursors}\ndns_config {{\nrecursor_timeout = "300ms"\n}}')
    try:
        resp = ask(agent, "example.com", "A", transport)
        assert rcode(resp) == "NOERROR" and texts(resp) == ["192.0.2.10"]
        assert bad.seen >= 1  # SERVFAIL from a recursor moves on to the next one
        assert rcode(ask(agent, "missing.example", "A", transport)) == "NXDOMAIN"
        assert texts(ask(agent, "1.1.168.192.in-addr.arpa", "PTR", transport)) == ["192.0.2.1"]
        local = ask(agent, "test-node.node.consul", "A", transport)
        assert texts(local) == ["127.0.0.1"] and local.flags & dns.flags.RA
    finally:
        agent.stop()
        good.close()
    failing = dns_agent(f'recursors = ["127.0.0.1:{bad.port}"]')
    try:
        resp = ask(failing, "example.com", "A", transport)
        assert rcode(resp) == "SERVFAIL" and resp.flags & dns.flags.RA
    finally:
        failing.stop()
        bad.close()


def test_dns_port_flag() -> None:
    off = AgentThread().start()  # tests' default: -dns-port -1
    try:
        assert off.agent.dns_addrs == []
    finally:
        off.stop()
    on = dns_agent()
    try:
        host, port = address(on)
        assert host == "127.0.0.1" and port > 0
    finally:
        on.stop()


def test_reload_applies_dns_config(tmp_path: Path) -> None:
    conf = tmp_path / "dns.hcl"
    conf.write_text('dns_config {\n  node_ttl = "1s"\n}\n')
    agent = AgentThread("-dns-port", "0", "-config-file", str(conf)).start()
    try:
        assert ask(agent, "test-node.node.consul").answer[0].ttl == 1
        conf.write_text('dns_config {\n  node_ttl = "7s"\n}\n')
        agent.call(agent.agent.reload)
        wait_for(lambda: ask(agent, "test-node.node.consul").answer[0].ttl == 7)
    finally:
        agent.stop()
