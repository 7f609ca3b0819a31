from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.agents import AgentThread


@pytest.fixture
def http(agent: AgentThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=agent.url, timeout=30) as client:
        yield client


def register(http: httpx.Client, body: dict[str, object]) -> None:
    r = http.put("/v1/catalog/register", json=body)
    assert (r.status_code, r.text) == (200, "true"), r.text


def test_fresh_agent_lists_itself(http: httpx.Client) -> None:
    r = http.get("/v1/catalog/services")
    assert r.json() == {"consul": []}
    assert int(r.headers["X-Consul-Index"]) >= 1
    nodes = http.get("/v1/catalog/nodes").json()
    assert [n["Node"] for n in nodes] == ["test-node"]
    checks = http.get("/v1/health/node/test-node").json()
    assert [(c["CheckID"], c["Name"], c["Status"]) for c in checks] == [
        ("serfHealth", "Serf Health Status", "passing")
    ]
    assert http.get("/v1/catalog/datacenters").json() == ["dc1"]


def test_register_read_and_deregister(http: httpx.Client) -> None:
    register(
        http,
        {
            "Node": "web1",
            "Address": "10.0.0.5",
            "NodeMeta": {"rack": "a"},
            "Service": {"Service": "web", "Tags": ["v1", "Primary"], "Port": 80},
            "Check": {"Name": "web alive", "ServiceID": "web", "Status": "passing"},
        },
    )
    register(
        http,
        {
            "node": "web2",
            "address": "10.0.0.6",
            "service": {"service": "web", "tags": ["v2"], "port": 81},
            "checks": [{"name": "web check", "serviceid": "web", "status": "critical"}],
        },
    )
    svc = http.get("/v1/catalog/service/web").json()
    assert [(s["Node"], s["ServicePort"]) for s in svc] == [("web1", 80), ("web2", 81)]
    assert svc[0]["ServiceTags"] == ["v1", "Primary"] and svc[0]["NodeMeta"] == {"rack": "a"}
    assert [s["Node"] for s in http.get("/v1/catalog/service/web?tag=primary").json()] == ["web1"]
    assert http.get("/v1/catalog/service/web?tag=v1&tag=v2").json() == []
    assert http.get("/v1/catalog/service/nope").json() == []
    assert http.get("/v1/catalog/services").json() == {"consul": [], "web": ["v1", "Primary", "v2"]}
    nodes = http.get("/v1/catalog/nodes?node-meta=rack:a").json()
    assert [n["Node"] for n in nodes] == ["web1"]
    node = http.get("/v1/catalog/node/web1").json()
    assert node["Node"]["Address"] == "10.0.0.5" and list(node["Services"]) == ["web"]
    assert http.get("/v1/catalog/node/ghost").json() is None

    health = http.get("/v1/health/service/web").json()
    assert [len(e["Checks"]) for e in health] == [1, 1]
    passing = http.get("/v1/health/service/web?passing").json()
    assert [e["Node"]["Node"] for e in passing] == ["web1"]
    assert len(http.get("/v1/health/service/web?passing=false").json()) == 2
    assert http.get("/v1/health/service/web?passing=maybe").status_code == 400
    crit = http.get("/v1/health/state/critical").json()
    assert [c["Node"] for c in crit] == ["web2"]
    assert len(http.get("/v1/health/checks/web").json()) == 2

    r = http.put("/v1/catalog/deregister", json={"Node": "web2", "ServiceID": "web"})
    assert r.text == "true"
    assert [s["Node"] for s in http.get("/v1/catalog/service/web").json()] == ["web1"]
    assert http.get("/v1/health/state/critical").json() == []
    http.put("/v1/catalog/deregister", json={"Node": "web1"})
    assert "web" not in http.get("/v1/catalog/services").json()


def test_register_errors(http: httpx.Client) -> None:
    r = http.put("/v1/catalog/register", json={"Address": "1.2.3.4"})
    assert (r.status_code, r.text) == (500, "Must provide node")
    r = http.put("/v1/catalog/register", json={"Node": "x"})
    assert r.status_code == 500 and "Must provide address" in r.text
    r = http.put(
        "/v1/catalog/register",
        json={"Node": "x", "Address": "1.1.1.1", "Check": {"Name": "c", "ServiceID": "nosvc"}},
    )
    assert r.status_code == 500 and "Missing service registration" in r.text
    assert "x" not in [n["Node"] for n in http.get("/v1/catalog/nodes").json()]
    r = http.put("/v1/catalog/register", content=b"{bad")
    assert r.status_code == 400 and r.text.startswith("Request decode failed")


def test_blocking_on_a_service_wakes_on_its_change(http: httpx.Client, agent: AgentThread) -> None:
    import threading

    register(http, {"Node": "n", "Address": "1.1.1.1", "Service": {"Service": "db"}})
    index = int(http.get("/v1/health/service/db").headers["X-Consul-Index"])
    got: list[httpx.Response] = []
    t = threading.Thread(
        target=lambda: got.append(
            httpx.get(f"{agent.url}/v1/health/service/db?index={index}&wait=20s", timeout=30)
        )
    )
    t.start()
    register(http, {"Node": "other", "Address": "1.1.1.2", "Service": {"Service": "cache"}})
    t.join(0.3)
    assert not got  # an unrelated service does not wake it
    register(
        http,
        {"Node": "n", "Address": "1.1.1.1", "Check": {"Name": "db down", "Status": "critical"}},
    )
    t.join(10)
    assert got and int(got[0].headers["X-Consul-Index"]) > index
    assert [c["CheckID"] for c in got[0].json()[0]["Checks"]] == ["db down"]


def test_filter_on_catalog_and_health(http: httpx.Client) -> None:
    register(
        http,
        {
            "Node": "f1",
            "Address": "10.0.0.1",
            "Service": {"Service": "api", "Tags": ["v1"], "Meta": {"version": "1.0"}},
        },
    )
    register(
        http,
        {
            "Node": "f2",
            "Address": "10.0.0.2",
            "Service": {"Service": "api", "Tags": ["v2"], "Meta": {"version": "2.0"}},
        },
    )
    svc = http.get("/v1/catalog/service/api", params={"filter": 'ServiceTags contains "v2"'})
    assert [s["Node"] for s in svc.json()] == ["f2"]
    svc = http.get("/v1/catalog/service/api", params={"filter": 'ServiceMeta.version == "1.0"'})
    assert [s["Node"] for s in svc.json()] == ["f1"]
    h = http.get(
        "/v1/health/service/api", params={"filter": 'Node.Node == "f1" or "v2" in Service.Tags'}
    )
    assert [e["Node"]["Node"] for e in h.json()] == ["f1", "f2"]
    nodes = http.get(
        "/v1/catalog/nodes", params={"filter": 'Address matches "^10\\\\.0\\\\.0\\\\.2$"'}
    )
    assert [n["Node"] for n in nodes.json()] == ["f2"]
    r = http.get("/v1/catalog/nodes", params={"filter": "Node =="})
    assert r.status_code == 400
    assert r.text.startswith("Failed to create boolean expression evaluator:")


def test_near_agent_puts_this_node_first(http: httpx.Client) -> None:
    register(http, {"Node": "aaa", "Address": "10.0.0.9", "Service": {"Service": "consul"}})
    plain = [s["Node"] for s in http.get("/v1/catalog/service/consul").json()]
    assert plain == ["aaa", "test-node"]
    near = [s["Node"] for s in http.get("/v1/catalog/service/consul?near=_agent").json()]
    assert near == ["test-node", "aaa"]
    nodes = [n["Node"] for n in http.get("/v1/catalog/nodes?near=_agent").json()]
    assert nodes == ["test-node", "aaa"]
    health = http.get("/v1/health/service/consul?near=_agent").json()
    assert [e["Node"]["Node"] for e in health] == ["test-node", "aaa"]
