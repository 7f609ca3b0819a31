from __future__ import annotations

import pytest

from agentd.dns.names import (
    Kind,
    Lookup,
    decode_addr,
    encode_addr,
    labels_of,
    parse,
    reverse_ip,
    split_domain,
)

A, SRV = 1, 33


def labels(name: str) -> tuple[str, ...]:
    return tuple(name.lower().split("."))


@pytest.mark.parametrize(
    ("name", "qtype", "want"),
    [
        ("web.service", A, Lookup(Kind.SERVICE, "web")),
        ("primary.web.service", A, Lookup(Kind.SERVICE, "web", "primary")),
        ("v1.primary.web.service", A, Lookup(Kind.SERVICE, "web", "v1.primary")),
        ("_web._tcp.service", SRV, Lookup(Kind.SERVICE, "web")),
        ("_web._udp.service", SRV, Lookup(Kind.SERVICE, "web", "udp")),
        ("_web._primary.service", A, Lookup(Kind.SERVICE, "web", "primary")),
        ("_web._tcp", SRV, Lookup(Kind.SERVICE, "web")),
        ("_web._tcp.dc2", SRV, Lookup(Kind.SERVICE, "web", datacenter="dc2")),
        ("web.service.dc1", A, Lookup(Kind.SERVICE, "web", datacenter="dc1")),
        ("web.service.dc1.dc", A, Lookup(Kind.SERVICE, "web", datacenter="dc1")),
        ("web.service.p1.peer", A, Lookup(Kind.SERVICE, "web", peer="p1")),
        ("web.connect", A, Lookup(Kind.CONNECT, "web")),
        ("web.ingress", A, Lookup(Kind.INGRESS, "web")),
        ("web.virtual", A, Lookup(Kind.VIRTUAL, "web")),
        ("n1.node", A, Lookup(Kind.NODE, "n1")),
        ("a.b.node.dc1", A, Lookup(Kind.NODE, "a.b", datacenter="dc1")),
        ("commerce.query", A, Lookup(Kind.QUERY, "commerce")),
        ("my.query.name.query", A, Lookup(Kind.QUERY, "my.query.name")),
        ("_commerce._tcp.query", SRV, Lookup(Kind.QUERY, "commerce")),
        ("7f000001.addr", A, Lookup(Kind.ADDR, "7f000001")),
        ("7f000001.addr.dc1", A, Lookup(Kind.ADDR, "7f000001", datacenter="dc1")),
    ],
)
def test_name_forms(name: str, qtype: int, want: Lookup) -> None:
    assert parse(labels(name), qtype) == want


@pytest.mark.parametrize(
    "name",
    [
        "web",  # no keyword
        "service",  # keyword without a name
        "_web._tcp",  # implicit service only for SRV
        "web.service.a.b.c",  # three locality labels
        "web.service.dc1.dc.p.peer",  # dc and peer together
        "web.service.x.y",  # unknown locality label
        "a.b.addr",  # addr takes one label
        "q.query.p.peer",  # queries have no peers
    ],
)
def test_invalid_names(name: str) -> None:
    assert parse(labels(name), A) is None


def test_rightmost_keyword_wins() -> None:
    assert parse(labels("node.service"), A) == Lookup(Kind.SERVICE, "node")


def test_domains_and_case() -> None:
    assert labels_of((b"WEB", b"Service", b"Consul")) == ("web", "service", "consul")
    assert split_domain(("web", "service", "consul"), "consul.", "") == (2, "consul.")
    assert split_domain(("web", "service", "alt", "test"), "consul.", "alt.test.") == (
        2,
        "alt.test.",
    )
    assert split_domain(("example", "com"), "consul.", "alt.test.") is None
    assert split_domain(("consul",), "consul.", "") == (0, "consul.")


def test_addresses() -> None:
    assert decode_addr("0a000001") == "10.0.0.1"
    assert decode_addr("20010db8000000000000000000000001") == "2001:db8::1"
    assert decode_addr("0a00001") is None and decode_addr("zz000001") is None
    assert encode_addr("10.0.0.1") == "0a000001"
    assert encode_addr("2001:db8::1") == "20010db8000000000000000000000001"


def test_reverse_names() -> None:
    assert reverse_ip(labels("1.0.0.10.in-addr.arpa")) == "10.0.0.1"
    v6 = ".".join(reversed("20010db8000000000000000000000001")) + ".ip6.arpa"
    assert reverse_ip(labels(v6)) == "2001:db8::1"
    assert reverse_ip(labels("1.0.10.in-addr.arpa")) is None
    assert reverse_ip(labels("x.0.0.10.in-addr.arpa")) is None
