"""Service definition files -> API registrations: the shipped examples and the key rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.servicefile import ServiceFileError, load, parse, service_id
from tests.examples import EXAMPLES


def test_services_redis_gives_two_redis_instances_with_script_checks() -> None:
    first, second = load(str(EXAMPLES / "services-redis.hcl"))
    assert first == {
        "ID": "web-server-01",
        "Name": "redis",
        "Tags": ["v7.0", "proc"],
        "Address": "127.0.0.1",
        "Port": 6000,
        "Checks": [
            {"ScriptArgs": ["/bin/check_redis", "-p", "6000"], "Interval": "5s", "Timeout": "20s"}
        ],
    }
    assert (second["ID"], second["Name"], second["Port"], second["Address"]) == (
        "web-server-02",
        "redis",
        7000,
        "",
    )
    assert second["Tags"] == ["delayed", "secondary"]
    assert second["Checks"][0]["ScriptArgs"] == ["/bin/check_redis", "-p", "7000"]


def test_count_has_an_http_check_and_an_empty_sidecar() -> None:
    (counting,) = load(str(EXAMPLES / "count.hcl"))  # node_name is agent config: ignored
    assert counting == {
        "Name": "counting",
        "ID": "counting-1",
        "Port": 9003,
        "Connect": {"SidecarService": {}},
        "Check": {
            "CheckID": "counting-check",
            "HTTP": "http://localhost:9003/health",
            "Method": "GET",
            "Interval": "1s",
            "Timeout": "1s",
        },
    }


def test_dashboard_passes_its_sidecar_upstreams_through() -> None:
    (dashboard,) = load(str(EXAMPLES / "dashboard.hcl"))
    assert dashboard["Connect"] == {
        "SidecarService": {
            "Proxy": {"Upstreams": [{"DestinationName": "counting", "LocalBindPort": 5000}]}
        }
    }
    assert dashboard["Check"]["CheckID"] == "dashboard-check"
    assert service_id(dashboard) == "dashboard"  # no id: the agent uses the name


def test_a_bare_api_body_is_not_a_definition_file() -> None:
    assert load(str(EXAMPLES / "payload.json")) == []


def test_json_definitions_accept_snake_and_camel_case() -> None:
    text = """{
      "services": [{"name": "a", "enable_tag_override": true, "check": {"id": "c", "ttl": "5s"}}],
      "service": {"Name": "b", "EnableTagOverride": false, "TaggedAddresses":
                  {"lan": {"address": "10.0.0.1", "port": 80}}}
    }"""
    a, b = parse("x.json", text)
    assert a == {"Name": "a", "EnableTagOverride": True, "Check": {"CheckID": "c", "TTL": "5s"}}
    assert b == {
        "Name": "b",
        "EnableTagOverride": False,
        "TaggedAddresses": {"lan": {"Address": "10.0.0.1", "Port": 80}},
    }


def test_user_data_keeps_its_spelling() -> None:
    text = """
    service {
      name = "web"
      meta = { "build-id" = "42", owner_team = "ops" }
      weights { passing = 3 }
      checks = [
        { http = "http://x/", header = { X-Api_Key = ["k"] }, tls_skip_verify = true },
        { args = ["/bin/true"], interval = "10s", deregister_critical_service_after = "1m" },
      ]
      connect { sidecar_service { proxy { config { envoy_stats_tags = "a=b" } } } }
    }
    """
    (web,) = parse("web.hcl", text)
    assert web["Meta"] == {"build-id": "42", "owner_team": "ops"}
    assert web["Weights"] == {"Passing": 3}
    http, script = web["Checks"]
    assert http == {"HTTP": "http://x/", "Header": {"X-Api_Key": ["k"]}, "TLSSkipVerify": True}
    assert script["ScriptArgs"] == ["/bin/true"]
    assert script["DeregisterCriticalServiceAfter"] == "1m"
    proxy = web["Connect"]["SidecarService"]["Proxy"]
    assert proxy == {"Config": {"envoy_stats_tags": "a=b"}}


def test_repeated_blocks_and_escapes() -> None:
    text = """
    service { name = "a" }
    service {
      name = "b\\"q"
      checks { id = "one"
        ttl = "5s" }
      checks { id = "two"
        ttl = "6s" }
    }
    """
    a, b = parse("s.hcl", text)
    assert a == {"Name": "a"}
    assert b["Name"] == 'b"q'
    assert [c["CheckID"] for c in b["Checks"]] == ["one", "two"]


def test_unknown_keys_are_pascal_cased_for_the_agent_to_judge() -> None:
    (svc,) = parse("s.json", '{"service": {"name": "a", "some_new_field": 1}}')
    assert svc == {"Name": "a", "SomeNewField": 1}


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ServiceFileError, match=r"open .*/missing\.hcl: no such file or directory"):
        load(str(tmp_path / "missing.hcl"))
    bad = tmp_path / "bad.hcl"
    bad.write_text("service {")
    with pytest.raises(ServiceFileError, match=r"Error parsing .*bad\.hcl"):
        load(str(bad))
    with pytest.raises(ServiceFileError, match="top level must be an object"):
        parse("x.json", "[1]")
    with pytest.raises(ServiceFileError, match="a service must be an object"):
        parse("x.json", '{"services": ["web"]}')
