from __future__ import annotations

import time

import httpx

from tests.agents import AgentThread


def register(http: httpx.Client, body: dict[str, object]) -> None:
    r = http.put("/v1/catalog/register", json=body)
    assert (r.status_code, r.text) == (200, "true\n"), r.text


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
    assert r.text == "true\n"
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


def test_catalog_services_filters_instances_then_groups_them(http: httpx.Client) -> None:
    for node, tags in (("g1", ["v1", "a"]), ("g2", ["v2", "b"])):
        register(
            http, {"Node": node, "Address": "10.0.1.1", "Service": {"Service": "web", "Tags": tags}}
        )
    register(http, {"Node": "g2", "Address": "10.0.1.1", "Service": {"Service": "db"}})
    got = http.get("/v1/catalog/services", params={"filter": 'Node == "g2"'})
    assert got.status_code == 200
    assert {k: sorted(v) for k, v in got.json().items()} == {"db": [], "web": ["b", "v2"]}
    got = http.get("/v1/catalog/services", params={"filter": '"v1" in ServiceTags'}).json()
    assert got == {"web": ["v1", "a"]}
    r = http.get("/v1/catalog/services", params={"filter": "Foo == 1"})
    assert (r.status_code, r.text) == (
        400,
        'Failed to create boolean expression evaluator: Selector "Foo" is not valid',
    )


def bad_filter(http: httpx.Client, path: str, expr: str) -> str:
    r = http.get(path, params={"filter": expr})
    assert r.status_code == 400, r.text
    prefix = "Failed to create boolean expression evaluator: "
    assert r.text.startswith(prefix), r.text
    return r.text.removeprefix(prefix)


def test_filters_are_checked_against_the_element_type(http: httpx.Client) -> None:
    register(
        http,
        {
            "Node": "f1",
            "Address": "10.0.0.1",
            "NodeMeta": {"env": "qa"},
            "Service": {"Service": "api", "Tags": ["v1"], "Meta": {"version": "1"}, "Port": 80},
            "Check": {"Name": "api", "ServiceID": "api", "Status": "passing"},
        },
    )
    register(
        http,
        {
            "Node": "f2",
            "Address": "10.0.0.2",
            "Service": {
                "Service": "api",
                "Kind": "connect-proxy",
                "Tags": ["v2"],
                "Meta": {"version": "2"},
                "Port": 8080,
                "Weights": {"Passing": 3},
                "TaggedAddresses": {"lan": {"address": "10.0.0.22", "port": 8080}},
                "Proxy": {
                    "DestinationServiceName": "api",
                    "Upstreams": [{"DestinationName": "db"}],
                },
            },
            "Check": {"Name": "api", "ServiceID": "api", "Status": "critical"},
        },
    )
    # Unknown selectors, operators a field does not take and values not of its type fail.
    assert (
        bad_filter(http, "/v1/catalog/service/api", "Foo == bar") == 'Selector "Foo" is not valid'
    )
    assert bad_filter(http, "/v1/catalog/service/nope", "Foo == bar") == (
        'Selector "Foo" is not valid'  # with nothing to filter, too
    )
    assert bad_filter(http, "/v1/catalog/service/api", 'ServicePort matches "8"') == (
        'Invalid match operator "Matches" for selector "ServicePort"'
    )
    assert bad_filter(http, "/v1/catalog/service/api", "ServicePort == abc").startswith(
        'Failed to coerce value "abc" for selector "ServicePort"'
    )
    assert bad_filter(http, "/v1/catalog/service/api", "Service.Port == 80") == (
        'Selector "Service" is not valid'  # a health/service selector
    )
    assert bad_filter(http, "/v1/health/service/api", "ServicePort == 80") == (
        'Selector "ServicePort" is not valid'
    )
    assert bad_filter(http, "/v1/health/service/api", "Checks.Definition.HTTP == x") == (
        'Selector "Checks.Definition" is not valid'
    )
    assert bad_filter(http, "/v1/catalog/nodes", "CreateIndex == 1") == (
        'Selector "CreateIndex" is not valid'
    )
    for path in ["/v1/catalog/node/f1", "/v1/catalog/node-services/f1"]:
        assert bad_filter(http, path, "ServiceName == api") == 'Selector "ServiceName" is not valid'
    for path in ["/v1/health/node/f1", "/v1/health/checks/api", "/v1/health/state/any"]:
        assert bad_filter(http, path, "Foo == 1") == 'Selector "Foo" is not valid'

    def nodes(path: str, expr: str) -> list[str]:
        r = http.get(path, params={"filter": expr})
        assert r.status_code == 200, r.text
        return [e["Node"]["Node"] if "Checks" in e else e["Node"] for e in r.json()]

    # Valid filters still filter, with values read as the field's type.
    assert nodes("/v1/health/service/api", 'Service.Meta.version == "2"') == ["f2"]
    assert nodes("/v1/health/service/api", "Service.Meta.version == 1") == ["f1"]
    assert nodes("/v1/health/service/api", "Checks.Status == passing") == ["f1"]
    assert nodes("/v1/health/service/api", "Checks.Status == critical") == ["f2"]
    assert nodes("/v1/health/service/api", '"v2" in Service.Tags') == ["f2"]
    assert nodes("/v1/health/service/api", "Service.Tags contains v1") == ["f1"]
    assert nodes("/v1/health/service/api", 'Service.Port == "8080"') == ["f2"]
    assert nodes("/v1/health/service/api", "Service.Weights.Passing == 1") == ["f1"]
    assert nodes("/v1/health/service/api", 'Service.Kind == ""') == ["f1"]
    assert nodes("/v1/health/service/api", 'Service.Kind != ""') == ["f2"]
    assert nodes("/v1/health/service/api", "Node.Meta.env == qa") == ["f1"]
    assert nodes("/v1/health/service/api", "Service.Proxy.Upstreams.DestinationName == db") == [
        "f2"
    ]
    assert nodes(
        "/v1/health/service/api", 'Service.TaggedAddresses.lan.Address == "10.0.0.22"'
    ) == ["f2"]
    assert nodes("/v1/catalog/service/api", 'NodeMeta.env == "qa"') == ["f1"]
    assert nodes("/v1/catalog/service/api", "ServicePort == 8080") == ["f2"]
    assert nodes("/v1/catalog/service/api", "ServiceWeights.Passing == 3") == ["f2"]
    assert nodes("/v1/catalog/service/api", "ServiceProxy.DestinationServiceName == api") == ["f2"]
    assert nodes("/v1/catalog/nodes", "Meta.env == qa") == ["f1"]
    assert nodes("/v1/catalog/nodes", 'Node matches "^f" and Address != "10.0.0.1"') == ["f2"]
    assert nodes("/v1/health/node/f1", 'ServiceName != ""') == ["f1"]
    assert nodes("/v1/health/checks/api", "Status == critical") == ["f2"]
    node = http.get("/v1/catalog/node/f2", params={"filter": 'Kind == "connect-proxy"'}).json()
    assert list(node["Services"]) == ["api"]
    node = http.get("/v1/catalog/node/f2", params={"filter": "Port == 80"}).json()
    assert node["Services"] == {}
    svcs = http.get("/v1/catalog/node-services/f1", params={"filter": "Port == 80"}).json()
    assert [s["ID"] for s in svcs["Services"]] == ["api"]


def test_a_bad_filter_fails_before_a_blocking_wait(http: httpx.Client) -> None:
    index = http.get("/v1/catalog/nodes").headers["X-Consul-Index"]
    started = time.monotonic()
    r = http.get("/v1/catalog/nodes", params={"index": index, "wait": "20s", "filter": "Foo == 1"})
    assert r.status_code == 400 and "Selector" in r.text
    assert time.monotonic() - started < 10


def test_agent_endpoints_check_filters(http: httpx.Client) -> None:
    # Consul checks an agent/checks filter against the first check it evaluates: none, no check.
    assert http.get("/v1/agent/checks", params={"filter": "Foo == 1"}).json() == {}
    for body in (
        {"Name": "web", "ID": "web-1", "Port": 80, "Meta": {"env": "qa"}, "Check": {"TTL": "30s"}},
        {"Name": "db", "Port": 5432, "Weights": {"Passing": 5, "Warning": 1}},
    ):
        r = http.put("/v1/agent/service/register", json=body)
        assert r.status_code == 200, r.text

    def keys(path: str, expr: str) -> list[str]:
        r = http.get(path, params={"filter": expr})
        assert r.status_code == 200, r.text
        return sorted(r.json())

    assert bad_filter(http, "/v1/agent/services", "Foo == bar") == 'Selector "Foo" is not valid'
    assert bad_filter(http, "/v1/agent/services", "Datacenter == dc1") == (
        'Selector "Datacenter" is not valid'
    )
    assert bad_filter(http, "/v1/agent/services", "Port == abc").startswith(
        'Failed to coerce value "abc" for selector "Port"'
    )
    assert keys("/v1/agent/services", 'Meta.env == "qa"') == ["web-1"]
    assert keys("/v1/agent/services", "Weights.Passing == 5") == ["db"]
    assert keys("/v1/agent/services", "Port == 5432 or Service == web") == ["db", "web-1"]
    assert keys("/v1/agent/services", 'Kind == ""') == ["db", "web-1"]

    assert bad_filter(http, "/v1/agent/checks", "Foo == bar") == 'Selector "Foo" is not valid'
    assert bad_filter(http, "/v1/agent/checks", 'Status matches "("').startswith(
        "Failed to compile regular expression"
    )
    assert keys("/v1/agent/checks", "Status == critical and ServiceName == web") == [
        "service:web-1"
    ]
    assert keys("/v1/agent/checks", "Status == passing") == []

    assert bad_filter(http, "/v1/agent/members", "Role == consul") == (
        'Selector "Role" is not valid'
    )
    assert bad_filter(http, "/v1/agent/members", 'Addr == "127.0.0.1"') == (
        'Invalid match operator "Equal" for selector "Addr"'
    )
    members = http.get(
        "/v1/agent/members", params={"filter": "Tags.role == consul and Status == 1"}
    )
    assert [m["Name"] for m in members.json()] == ["test-node"]
    members = http.get("/v1/agent/members", params={"filter": 'Tags["dc"] == dc2'})
    assert members.json() == []


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
