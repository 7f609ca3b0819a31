"""Consul's wire behaviour in the corners: tagged-address spelling, agent stats, ?cached,
?max_stale, the namespace header, dev-mode pretty printing, hash-blocking waits, the WAN member
view, agent-health text replies and the metrics format chosen by ``Accept``."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest

from agentd.httpapi.app import pretty_json
from tests.agents import AgentThread, wait_for


def _synced(http: httpx.Client, name: str) -> list[dict[str, Any]]:
    """The catalog's instances of ``name`` once anti-entropy has carried them there."""
    found: list[dict[str, Any]] = wait_for(
        lambda: http.get(f"/v1/catalog/service/{name}").json(), 5
    )
    return found


# ---- tagged addresses, Proxy, Connect: Consul's spelling whatever the client's ----------------

LAN = {"Address": "10.9.9.9", "Port": 5}


def test_agent_registered_tagged_addresses_come_back_in_consul_spelling(
    http: httpx.Client,
) -> None:
    body = {
        "Name": "s",
        "ID": "s6",
        "tagged_addresses": {"lan": {"address": "10.9.9.9", "port": 5}, "wan": {"ADDRESS": "w"}},
    }
    assert http.put("/v1/agent/service/register", json=body).status_code == 200
    want = {"lan": LAN, "wan": {"Address": "w", "Port": 0}}
    assert http.get("/v1/agent/services").json()["s6"]["TaggedAddresses"] == want
    assert http.get("/v1/agent/service/s6").json()["TaggedAddresses"] == want
    assert _synced(http, "s")[0]["ServiceTaggedAddresses"] == want
    entry = http.get("/v1/health/service/s").json()[0]
    assert entry["Service"]["TaggedAddresses"] == want
    node = http.get("/v1/catalog/node/test-node").json()
    assert node["Services"]["s6"]["TaggedAddresses"] == want
    # filters select the stored (canonical) fields
    r = http.get(
        "/v1/catalog/service/s",
        params={"filter": 'ServiceTaggedAddresses.lan.Address == "10.9.9.9"'},
    )
    assert [i["ServiceID"] for i in r.json()] == ["s6"]
    r = http.get("/v1/agent/services", params={"filter": "TaggedAddresses.lan.Port == 5"})
    assert list(r.json()) == ["s6"]


def test_catalog_registered_service_structs_come_back_in_consul_spelling(
    http: httpx.Client,
) -> None:
    body = {
        "Node": "n2",
        "Address": "10.0.0.2",
        "Service": {
            "Service": "p",
            "Kind": "connect-proxy",
            "tagged_addresses": {"lan": {"address": "10.9.9.9", "port": 5}},
            "proxy": {
                "destination_service_name": "web",
                "local_service_port": 8080,
                "upstreams": [{"destination_name": "db", "LOCAL_BIND_PORT": 9191}],
                "mesh_gateway": {"mode": "local"},
                "config": {"keep_me": "as given"},
                "not_a_field": 1,
            },
            "connect": {"native": False},
        },
    }
    assert http.put("/v1/catalog/register", json=body).status_code == 200
    inst = http.get("/v1/catalog/service/p").json()[0]
    assert inst["ServiceTaggedAddresses"] == {"lan": LAN}
    assert inst["ServiceProxy"] == {
        "DestinationServiceName": "web",
        "LocalServicePort": 8080,
        "Upstreams": [{"DestinationName": "db", "LocalBindPort": 9191}],
        "MeshGateway": {"Mode": "local"},
        "Config": {"keep_me": "as given"},
    }
    assert inst["ServiceConnect"] == {}
    svc = http.get("/v1/catalog/node/n2").json()["Services"]["p"]
    assert svc["TaggedAddresses"] == {"lan": LAN}
    assert svc["Proxy"]["Upstreams"] == [{"DestinationName": "db", "LocalBindPort": 9191}]
    r = http.get(
        "/v1/health/service/p", params={"filter": "Service.Proxy.Upstreams.LocalBindPort == 9191"}
    )
    assert [e["Service"]["ID"] for e in r.json()] == ["p"]
    check = {
        "Node": "n2",
        "Address": "10.0.0.2",
        "Check": {
            "CheckID": "c",
            "Name": "c",
            "definition": {"http": "http://10.0.0.2/health", "interval": "10s", "nope": 1},
        },
    }
    assert http.put("/v1/catalog/register", json=check).status_code == 200
    (registered,) = [c for c in http.get("/v1/health/node/n2").json() if c["CheckID"] == "c"]
    assert registered["Definition"] == {"HTTP": "http://10.0.0.2/health", "Interval": "10s"}
    bad = dict(body, Service={"Service": "q", "TaggedAddresses": {"lan": {"Port": "5"}}})
    r = http.put("/v1/catalog/register", json=bad)
    assert r.status_code == 400 and r.text.startswith("Request decode failed: ")


def test_sidecar_proxy_settings_in_snake_case_are_not_overridden(http: httpx.Client) -> None:
    body = {
        "Name": "web",
        "Port": 8080,
        "connect": {"sidecar_service": {"proxy": {"local_service_address": "10.1.1.1"}}},
    }
    assert http.put("/v1/agent/service/register", json=body).status_code == 200
    proxy = http.get("/v1/agent/service/web-sidecar-proxy").json()["Proxy"]
    assert proxy["LocalServiceAddress"] == "10.1.1.1"
    assert "local_service_address" not in proxy


def test_config_file_service_definitions_are_canonical_too() -> None:
    hcl = """
    service {
      name = "cfg"
      tagged_addresses { lan { address = "10.9.9.9" port = 5 } }
    }
    """
    agent = AgentThread("-hcl", hcl).start()
    try:
        with httpx.Client(base_url=agent.url, timeout=30) as http:
            svc = http.get("/v1/agent/service/cfg").json()
            assert svc["TaggedAddresses"] == {"lan": LAN}
    finally:
        agent.stop()


# ---- /v1/agent/self Stats ---------------------------------------------------------------------

SERF_KEYS = {
    "coordinate_resets",
    "encrypted",
    "event_queue",
    "event_time",
    "failed",
    "health_score",
    "intent_queue",
    "left",
    "member_time",
    "members",
    "query_queue",
    "query_time",
}


def test_agent_self_stats_count_the_local_state(http: httpx.Client) -> None:
    stats = http.get("/v1/agent/self").json()["Stats"]
    assert stats["agent"] == {
        "check_monitors": "0",
        "check_ttls": "0",
        "checks": "0",
        "services": "0",
    }
    assert set(stats["serf_lan"]) == SERF_KEYS and stats["serf_lan"]["members"] == "1"
    assert set(stats["serf_wan"]) == SERF_KEYS  # a server is in the WAN pool too
    assert all(isinstance(v, str) for section in stats.values() for v in section.values())

    body = {"Name": "api", "Checks": [{"TTL": "30s"}, {"TTL": "10s"}]}
    assert http.put("/v1/agent/service/register", json=body).status_code == 200
    assert http.put("/v1/agent/service/register", json={"Name": "db"}).status_code == 200
    assert http.put("/v1/agent/maintenance?enable=true").status_code == 200
    agent_stats = http.get("/v1/agent/self").json()["Stats"]["agent"]
    assert agent_stats == {
        "check_monitors": "0",
        "check_ttls": "2",
        "checks": "3",  # two TTL checks and the node's maintenance check
        "services": "2",
    }


def test_agent_self_stats_count_script_checks() -> None:
    agent = AgentThread("-hcl", "enable_script_checks = true").start()
    try:
        with httpx.Client(base_url=agent.url, timeout=30) as http:
            check = {"Name": "s", "Args": ["true"], "Interval": "1h"}
            assert http.put("/v1/agent/check/register", json=check).status_code == 200
            stats = http.get("/v1/agent/self").json()["Stats"]["agent"]
            assert (stats["check_monitors"], stats["check_ttls"], stats["checks"]) == (
                "1",
                "0",
                "1",
            )
    finally:
        agent.stop()


# ---- ?cached and Cache-Control ----------------------------------------------------------------


def test_cached_conflicts_with_consistent(http: httpx.Client) -> None:
    for path in ("/v1/catalog/services", "/v1/kv/a", "/v1/health/service/x"):
        r = http.get(path, params={"cached": "", "consistent": ""})
        assert r.status_code == 400, path
        assert r.text == "Cannot specify ?cached with ?consistent, conflicting semantics."


@pytest.mark.parametrize(
    "header", ["max-age=abc", "max-age=", "must-revalidate, stale-if-error=1.5", "MAX-AGE=1s"]
)
def test_a_bad_cache_control_number_is_400(http: httpx.Client, header: str) -> None:
    r = http.get("/v1/catalog/services", headers={"Cache-Control": header})
    assert (r.status_code, r.text) == (400, "Invalid Cache-Control header.")


def test_a_good_cache_control_header_is_accepted(http: httpx.Client) -> None:
    headers = {"Cache-Control": "max-age=30, must-revalidate, stale-if-error=60, no-cache"}
    assert http.get("/v1/catalog/services", headers=headers).status_code == 200


def test_cached_answers_are_misses(http: httpx.Client) -> None:
    for path in (
        "/v1/catalog/datacenters",
        "/v1/catalog/services",
        "/v1/catalog/service/consul",
        "/v1/health/service/consul",
    ):
        r = http.get(path, params={"cached": ""})
        assert r.status_code == 200, path
        assert r.headers["X-Cache"] == "MISS", path
        assert "Age" not in r.headers  # Consul sends Age only with a hit
        assert "X-Cache" not in http.get(path).headers  # not asked: not from the cache
    # endpoints Consul never serves from its cache say nothing about it
    assert "X-Cache" not in http.get("/v1/catalog/nodes", params={"cached": ""}).headers
    assert "X-Cache" not in http.get("/v1/kv/a", params={"cached": ""}).headers


def test_cached_is_ignored_without_http_config_use_cache() -> None:
    agent = AgentThread("-hcl", "http_config { use_cache = false }").start()
    try:
        with httpx.Client(base_url=agent.url, timeout=30) as http:
            r = http.get("/v1/catalog/services", params={"cached": "", "consistent": ""})
            assert r.status_code == 200
            assert "X-Cache" not in r.headers
    finally:
        agent.stop()


# ---- ?max_stale ---------------------------------------------------------------------------------


def test_max_stale(http: httpx.Client) -> None:
    r = http.get("/v1/catalog/nodes", params={"max_stale": "soon"})
    assert (r.status_code, r.text) == (400, 'Invalid max_stale value "soon"')
    r = http.get("/v1/kv/x", params={"max_stale": "5"})
    assert (r.status_code, r.text) == (400, 'Invalid max_stale value "5"')
    r = http.get("/v1/catalog/nodes", params={"max_stale": "5s"})
    assert r.headers["X-Consul-Effective-Consistency"] == "stale"
    r = http.get("/v1/catalog/nodes", params={"max_stale": "0s"})
    assert r.headers["X-Consul-Effective-Consistency"] == "leader"
    r = http.get("/v1/catalog/nodes", params={"max_stale": "1m", "consistent": ""})
    assert (r.status_code, r.text) == (
        400,
        "Cannot specify ?stale with ?consistent, conflicting semantics.",
    )


# ---- namespaces and partitions ----------------------------------------------------------------


def test_namespace_and_partition_headers_are_enterprise_features(http: httpx.Client) -> None:
    r = http.get("/v1/kv/a", headers={"X-Consul-Namespace": "team"})
    assert (r.status_code, r.text) == (
        400,
        'Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature',
    )
    r = http.get("/v1/agent/services", headers={"X-Consul-Partition": "p"})
    assert (r.status_code, r.text) == (
        400,
        'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature',
    )
    r = http.get("/v1/kv/a", params={"ns": "team"})
    assert (r.status_code, r.text) == (
        400,
        'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature',
    )
    headers = {"X-Consul-Namespace": "default", "X-Consul-Partition": "default"}
    assert http.get("/v1/catalog/nodes", headers=headers).status_code == 200
    assert http.get("/v1/catalog/nodes", headers={"X-Consul-Namespace": ""}).status_code == 200


# ---- pretty printing ----------------------------------------------------------------------------


def _go_pretty(obj: Any) -> str:
    """Go's ``json.MarshalIndent(v, "", "    ")`` plus Consul's newline (UTF-8 left as is)."""
    return json.dumps(obj, indent=4, ensure_ascii=False) + "\n"


def test_dev_mode_always_pretty_prints(http: httpx.Client) -> None:
    r = http.put("/v1/kv/pp", content=b"v")
    assert (r.status_code, r.text) == (200, "true\n")
    r = http.get("/v1/kv/pp")
    assert r.headers["Content-Type"] == "application/json"
    assert r.text == _go_pretty(r.json()) and r.text.startswith('[\n    {\n        "LockIndex"')
    assert http.get("/v1/kv/pp?pretty").text == r.text
    assert http.get("/v1/kv/pp?raw").text == "v"  # not JSON: as stored
    self_ = http.get("/v1/agent/self").text
    assert self_.startswith('{\n    "Config": {\n        "Datacenter": "dc1",\n')
    assert self_.endswith("\n}\n") and '"Height": 0.00001' in self_  # Go's float format
    r = http.get("/v1/kv/nothing")  # errors stay plain
    assert (r.status_code, r.text) == (404, "")


def test_without_dev_mode_only_pretty_asks_for_it() -> None:
    agent = AgentThread()
    agent.config = dataclasses.replace(agent.config, dev=False)
    agent.start()
    try:
        with httpx.Client(base_url=agent.url, timeout=30) as http:
            assert http.put("/v1/kv/pp", content=b"v").text == "true"
            compact = http.get("/v1/kv/pp").text
            assert "\n" not in compact and ", " not in compact
            pretty = http.get("/v1/kv/pp?pretty").text
            assert pretty == _go_pretty(json.loads(compact))
    finally:
        agent.stop()


@pytest.mark.parametrize(
    "obj",
    [
        [],
        {},
        True,
        "x",
        [{"a": [1, {"b": {"c": []}}], "d": {}}],
        {"two  spaces": "in  a string", "deep": [[[["x  y"]]]], "e": "\u00e9\u2713"},
        {"lines": "a\n  b", "space": " ", "tab": "\t"},
        {"k": [{"n": None, "f": 1.5, "t": False}] * 3},
    ],
)
def test_pretty_json_indents_by_four(obj: Any) -> None:
    import orjson

    assert pretty_json(orjson.dumps(obj)).decode() == _go_pretty(obj)
    assert pretty_json(json.dumps(obj).encode()).decode() == _go_pretty(obj)


def test_pretty_json_with_escaped_spaces() -> None:
    body = b'{"a":"\\u0020\\u0020","b":[{"c":1}]}'
    assert pretty_json(body).decode() == _go_pretty({"a": "  ", "b": [{"c": 1}]})
    assert pretty_json(b"not json") == b"not json"


# ---- hash blocking ------------------------------------------------------------------------------


def test_hash_blocking_checks_the_wait_like_index_blocking(http: httpx.Client) -> None:
    assert http.put("/v1/agent/service/register", json={"Name": "h"}).status_code == 200
    current = http.get("/v1/agent/service/h").headers["X-Consul-ContentHash"]
    for hash_ in (current, "other"):
        r = http.get("/v1/agent/service/h", params={"hash": hash_, "wait": "xx"})
        assert (r.status_code, r.text) == (400, "Invalid wait time")
    r = http.get("/v1/agent/service/h", params={"index": "x"})
    assert (r.status_code, r.text) == (400, "Invalid index")
    r = http.get("/v1/agent/service/h", params={"hash": current, "wait": "50ms"})
    assert r.status_code == 200 and r.headers["X-Consul-ContentHash"] == current


# ---- members ------------------------------------------------------------------------------------


def test_wan_members_are_named_node_dot_dc_on_the_wan_port(http: httpx.Client) -> None:
    (lan,) = http.get("/v1/agent/members").json()
    (wan,) = http.get("/v1/agent/members", params={"wan": "1"}).json()
    assert (lan["Name"], lan["Port"]) == ("test-node", 8301)
    assert (wan["Name"], wan["Port"]) == ("test-node.dc1", 8302)
    assert {k: v for k, v in wan.items() if k not in ("Name", "Port")} == {
        k: v for k, v in lan.items() if k not in ("Name", "Port")
    }
    r = http.get("/v1/agent/members", params={"wan": "1", "filter": 'Name == "test-node.dc1"'})
    assert [m["Name"] for m in r.json()] == ["test-node.dc1"]


# ---- agent health in text -----------------------------------------------------------------------


def test_agent_health_text_not_found_is_text_plain(http: httpx.Client) -> None:
    r = http.get("/v1/agent/health/service/id/nope", params={"format": "text"})
    assert (r.status_code, r.text) == (404, "ServiceId nope not found")
    assert r.headers["Content-Type"] == "text/plain"
    r = http.get("/v1/agent/health/service/name/nope", headers={"Accept": "text/plain"})
    assert (r.status_code, r.text) == (404, "ServiceName nope Not Found")
    assert r.headers["Content-Type"] == "text/plain"


# ---- metrics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "prometheus"),
    [
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", True),
        ("application/json, application/openmetrics-text;q=0.5", True),
        ("text/plain; version=0.4.0", True),
        ("text/plain;version=0.4.0;q=0.5,*/*;q=0.1", True),
        ("text/plain", False),
        ("text/plain; version=0.0.4", False),
        ("application/json", False),
        ("", False),
    ],
)
def test_metrics_format_follows_accept(http: httpx.Client, accept: str, prometheus: bool) -> None:
    r = http.get("/v1/agent/metrics", headers={"Accept": accept})
    assert r.status_code == 200
    if prometheus:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert "# TYPE" in r.text
    else:
        assert r.headers["Content-Type"] == "application/json"
        assert "Gauges" in r.json()
