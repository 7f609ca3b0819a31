from __future__ import annotations

import logging

import pytest

from agentd.config import load
from agentd.dns.config import DNSConfig, parse_recursor
from agentd.flags import parse_flags


def dns_config(*hcl: str) -> DNSConfig:
    argv = ["-dev", "-node", "n"]
    for fragment in hcl:
        argv += ["-hcl", fragment]
    return DNSConfig.from_runtime(load(parse_flags(argv)))


def test_defaults() -> None:
    cfg = dns_config()
    assert (cfg.domain, cfg.alt_domain, cfg.datacenter) == ("consul.", "", "dc1")
    assert (cfg.node_ttl, cfg.udp_answer_limit, cfg.a_record_limit) == (0, 3, 0)
    assert not cfg.enable_truncate and not cfg.only_passing and cfg.node_meta_txt
    assert cfg.recursors == () and cfg.recursor_timeout == 2.0
    assert (cfg.soa.refresh, cfg.soa.retry, cfg.soa.expire, cfg.soa.min_ttl) == (
        3600,
        600,
        86400,
        0,
    )


def test_every_key() -> None:
    cfg = dns_config(
        'domain = "Example."\nalt_domain = "alt.test"\nrecursors = ["10.0.0.53", "[::1]:5353"]',
        """dns_config {
            node_ttl = "10s"
            service_ttl = { "*" = "5s", "web*" = "20s", "web-api" = "30s" }
            udp_answer_limit = 5
            a_record_limit = 2
            enable_truncate = true
            only_passing = true
            disable_compression = true
            enable_additional_node_meta_txt = false
            recursor_timeout = "500ms"
            recursor_strategy = "random"
            soa {
                refresh = 1
                retry = 2
                expire = 3
                min_ttl = 4
            }
        }""",
    )
    assert (cfg.domain, cfg.alt_domain) == ("example.", "alt.test.")
    assert cfg.recursors == (("10.0.0.53", 53), ("::1", 5353))
    assert (cfg.node_ttl, cfg.udp_answer_limit, cfg.a_record_limit) == (10, 5, 2)
    assert cfg.enable_truncate and cfg.only_passing and cfg.disable_compression
    assert not cfg.node_meta_txt
    assert (cfg.recursor_timeout, cfg.recursor_strategy) == (0.5, "random")
    assert (cfg.soa.refresh, cfg.soa.retry, cfg.soa.expire, cfg.soa.min_ttl) == (1, 2, 3, 4)
    assert cfg.ttl_for_service("web-api") == 30  # exact wins
    assert cfg.ttl_for_service("Web-Front") == 20  # longest prefix
    assert cfg.ttl_for_service("db") == 5  # "*"
    assert dns_config().ttl_for_service("db") == 0


def test_dns_keys_are_supported(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        dns_config(
            'dns_config {\nnode_ttl = "1s"\nonly_passing = true\n}', 'recursors = ["1.1.1.1"]'
        )
    assert "not supported" not in caplog.text


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("8.8.8.8", ("8.8.8.8", 53)),
        ("8.8.8.8:5353", ("8.8.8.8", 5353)),
        ("[2001:db8::1]:53", ("2001:db8::1", 53)),
        ("2001:db8::1", ("2001:db8::1", 53)),
        ("dns.example", None),
        ("8.8.8.8:0", None),
    ],
)
def test_recursor_addresses(text: str, want: tuple[str, int] | None) -> None:
    assert parse_recursor(text) == want
