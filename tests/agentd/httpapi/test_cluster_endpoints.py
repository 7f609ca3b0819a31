"""Membership (join, leave, force-leave), network coordinates and the Connect health/catalog
endpoints, against a real agent."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from cnslkit import snapshot
from tests.agents import AgentProcess, AgentThread, wait_for

ORIGIN = {"Vec": [0.0] * 8, "Error": 1.5, "Adjustment": 0.0, "Height": 1e-05}
NO_GOSSIP = "this agent is a single-node cluster and has no gossip pool to join"


def _register(http: httpx.Client, body: dict[str, Any]) -> None:
    r = http.put("/v1/catalog/register", json=body)
    assert (r.status_code, r.json()) == (200, True), r.text


def _coord(x: float) -> dict[str, Any]:
    return {"Vec": [x] + [0.0] * 7, "Error": 0.2, "Adjustment": 0.0, "Height": 1e-05}


# ---- join -------------------------------------------------------------------------------------


def test_join_own_address_succeeds(http: httpx.Client) -> None:
    for addr in ("127.0.0.1", "127.0.0.1:8301", "test-node/127.0.0.1:8301", "[::1]:8301"):
        r = http.put(f"/v1/agent/join/{addr}")
        assert (r.status_code, r.text) == (200, ""), (addr, r.text)
        assert "X-Consul-Index" not in r.headers
    assert http.put("/v1/agent/join/127.0.0.1?wan=1").status_code == 200  # WAN port 8302
    assert http.put("/v1/agent/join/localhost").status_code == 200


def test_join_elsewhere_fails_as_consul_does(http: httpx.Client) -> None:
    r = http.put("/v1/agent/join/10.255.255.1")
    assert r.status_code == 500
    assert r.text == f"1 error occurred:\n\t* Failed to join 10.255.255.1:8301: {NO_GOSSIP}\n\n"
    r = http.put("/v1/agent/join/127.0.0.1:8302")  # the WAN port, in a LAN join
    assert r.text == f"1 error occurred:\n\t* Failed to join 127.0.0.1:8302: {NO_GOSSIP}\n\n"
    assert http.put("/v1/agent/join/127.0.0.1:8301?wan=1").status_code == 500
    r = http.put("/v1/agent/join/127.0.0.1:http")
    assert r.status_code == 500
    assert r.text == (
        "1 error occurred:\n\t* Failed to resolve 127.0.0.1:http: "
        'strconv.ParseUint: parsing "http": invalid syntax\n\n'
    )
    r = http.put("/v1/agent/join//127.0.0.1")
    assert r.status_code in (301, 500)  # Go's mux cleans "//" before routing


# ---- force-leave ------------------------------------------------------------------------------


def test_force_leave(http: httpx.Client) -> None:
    r = http.put("/v1/agent/force-leave/ghost")
    assert (r.status_code, r.text) == (500, "agent: No node found with name 'ghost'")
    for path in (
        "/v1/agent/force-leave/test-node",
        "/v1/agent/force-leave/test-node?prune",
        "/v1/agent/force-leave/test-node.dc1",  # the WAN member name
        "/v1/agent/force-leave/test-node.dc1?wan",
    ):
        r = http.put(path)
        assert (r.status_code, r.text) == (200, ""), path
    # With ?wan the name must be the WAN one, and Consul's error names no node.
    r = http.put("/v1/agent/force-leave/test-node?wan")
    assert (r.status_code, r.text) == (500, "agent: No node found with name ''")
    assert http.put("/v1/agent/force-leave/TEST-NODE").status_code == 500  # serf names are exact
    members = http.get("/v1/agent/members").json()
    assert [(m["Name"], m["Status"]) for m in members] == [("test-node", 1)]


# ---- leave ------------------------------------------------------------------------------------


def test_leave_answers_then_the_process_exits_0() -> None:
    proc = AgentProcess("-dev", "-node", "leaver", "-http-port", "0", "-dns-port", "-1").start()
    try:
        with httpx.Client(base_url=proc.url, timeout=10) as client:
            assert client.put("/v1/kv/kept", content=b"v").is_success
            r = client.put("/v1/agent/leave")
            assert (r.status_code, r.text) == (200, "")
        assert proc.wait(15) == 0
        assert "graceful leave" in "".join(proc.lines)
    finally:
        proc.stop()


def test_leave_needs_put(http: httpx.Client) -> None:
    assert http.get("/v1/agent/leave").status_code == 405
    assert http.get("/v1/agent/self").status_code == 200


# ---- coordinates ------------------------------------------------------------------------------


def test_this_agent_has_the_origin_coordinate(http: httpx.Client) -> None:
    r = http.get("/v1/coordinate/nodes")
    assert r.status_code == 200 and int(r.headers["X-Consul-Index"]) >= 1
    assert r.json() == [{"Node": "test-node", "Segment": "", "Coord": ORIGIN}]
    r = http.get("/v1/coordinate/node/test-node")
    assert r.json() == [{"Node": "test-node", "Segment": "", "Coord": ORIGIN}]
    assert http.get("/v1/coordinate/node/TEST-NODE").status_code == 200
    dcs = http.get("/v1/coordinate/datacenters")
    assert dcs.json() == [
        {
            "Datacenter": "dc1",
            "AreaID": "wan",
            "Coordinates": [{"Node": "test-node", "Segment": "", "Coord": ORIGIN}],
        }
    ]
    assert "X-Consul-Index" not in dcs.headers
    assert http.get("/v1/coordinate/nodes?segment=alpha").json() == []
    assert len(http.get("/v1/coordinate/nodes?segment=").json()) == 1


def test_node_without_coordinate_is_404(http: httpx.Client) -> None:
    r = http.get("/v1/coordinate/node/ghost")
    assert (r.status_code, r.content) == (404, b"")
    assert int(r.headers["X-Consul-Index"]) >= 1
    assert http.get("/v1/coordinate/node/test-node?segment=alpha").status_code == 404


def test_update_round_trip_and_validation(http: httpx.Client) -> None:
    _register(http, {"Node": "n1", "Address": "10.0.0.1"})
    r = http.put("/v1/coordinate/update", json={"Node": "n1", "Coord": _coord(0.25)})
    assert (r.status_code, r.text) == (200, "")
    assert http.get("/v1/coordinate/node/n1").json() == [
        {"Node": "n1", "Segment": "", "Coord": _coord(0.25)}
    ]
    assert [c["Node"] for c in http.get("/v1/coordinate/nodes").json()] == ["n1", "test-node"]
    # A node the catalog does not know: accepted, dropped (nothing would ever delete it).
    r = http.put("/v1/coordinate/update", json={"Node": "ghost", "Coord": _coord(1)})
    assert r.status_code == 200
    assert http.get("/v1/coordinate/node/ghost").status_code == 404
    bad = {"Node": "n1", "Coord": {"Vec": [0, 0, 0], "Error": 1.5, "Height": 1e-05}}
    r = http.put("/v1/coordinate/update", json=bad)
    assert (r.status_code, r.text) == (500, "incompatible coordinate")
    r = http.put("/v1/coordinate/update", json={"Node": "n1"})
    assert (r.status_code, r.text) == (500, "invalid coordinate")
    r = http.put("/v1/coordinate/update", json={"Node": "n1", "Coord": {"Vec": "x"}})
    assert r.status_code == 400 and r.text.startswith("Request decode failed")
    assert http.put("/v1/coordinate/update", content=b"{").status_code == 400
    # Deregistering the node deletes its coordinates.
    http.put("/v1/catalog/deregister", json={"Node": "n1"})
    assert http.get("/v1/coordinate/node/n1").status_code == 404


def test_blocked_read_wakes_on_update(http: httpx.Client, agent: AgentThread) -> None:
    _register(http, {"Node": "n1", "Address": "10.0.0.1"})
    index = int(http.get("/v1/coordinate/nodes").headers["X-Consul-Index"])
    out: dict[str, Any] = {}

    def block() -> None:
        with httpx.Client(base_url=agent.url, timeout=30) as c:
            started = time.monotonic()
            r = c.get(f"/v1/coordinate/nodes?index={index}&wait=20s")
            out["elapsed"], out["r"] = time.monotonic() - started, r

    t = threading.Thread(target=block)
    t.start()
    time.sleep(0.3)
    assert http.put("/v1/coordinate/update", json={"Node": "n1", "Coord": _coord(0.1)}).is_success
    t.join(10)
    assert out["elapsed"] < 5
    assert int(out["r"].headers["X-Consul-Index"]) > index
    assert "n1" in [c["Node"] for c in out["r"].json()]
    # the single-node read wakes too, and answers at once without ?index
    r = http.get(f"/v1/coordinate/node/n1?index={index}&wait=1s")
    assert r.json()[0]["Coord"] == _coord(0.1)


def test_coordinates_survive_snapshot_restore(http: httpx.Client) -> None:
    _register(http, {"Node": "n1", "Address": "10.0.0.1"})
    http.put("/v1/coordinate/update", json={"Node": "n1", "Segment": "", "Coord": _coord(0.5)})
    saved = http.get("/v1/snapshot")
    _, state = snapshot.read_archive(saved.content)
    names = {s.name: s.count for s in snapshot.inspect(state)}
    assert names["CoordinateBatchUpdate"] == 2  # this agent's and n1's
    http.put("/v1/catalog/deregister", json={"Node": "n1"})
    assert http.get("/v1/coordinate/node/n1").status_code == 404
    assert http.put("/v1/snapshot", content=saved.content).status_code == 200
    assert http.get("/v1/coordinate/node/n1").json()[0]["Coord"] == _coord(0.5)
    assert len(http.get("/v1/coordinate/nodes").json()) == 2


def test_near_sorts_by_estimated_rtt(http: httpx.Client) -> None:
    for name, addr in (("far", "10.0.0.1"), ("near", "10.0.0.2"), ("none", "10.0.0.3")):
        _register(http, {"Node": name, "Address": addr, "Service": {"Service": "web", "Port": 80}})
    http.put("/v1/coordinate/update", json={"Node": "far", "Coord": _coord(0.9)})
    http.put("/v1/coordinate/update", json={"Node": "near", "Coord": _coord(0.01)})
    nodes = [n["Node"] for n in http.get("/v1/catalog/nodes?near=_agent").json()]
    assert nodes == ["test-node", "near", "far", "none"]
    assert [n["Node"] for n in http.get("/v1/catalog/nodes").json()] == sorted(nodes)
    web = [s["Node"] for s in http.get("/v1/catalog/service/web?near=far").json()]
    assert web == ["far", "near", "none"]
    health = http.get("/v1/health/service/web?near=near").json()
    assert [e["Node"]["Node"] for e in health] == ["near", "far", "none"]
    # an origin without a coordinate: Consul does not sort
    assert [s["Node"] for s in http.get("/v1/catalog/service/web?near=none").json()] == [
        "far",
        "near",
        "none",
    ]


def test_disabled_coordinates() -> None:
    agent = AgentThread("-hcl", "disable_coordinates = true").start()
    try:
        with httpx.Client(base_url=agent.url, timeout=10) as c:
            for path in ("/v1/coordinate/nodes", "/v1/coordinate/datacenters"):
                r = c.get(path)
                assert (r.status_code, r.text) == (401, "Coordinate support disabled")
            assert c.put("/v1/coordinate/update", json={}).status_code == 401
            assert agent.agent.store.coordinates.coords == {}
    finally:
        agent.stop()


# ---- Connect ----------------------------------------------------------------------------------


def _sidecar(http: httpx.Client) -> None:
    r = http.put(
        "/v1/agent/service/register",
        json={"Name": "web", "Port": 8080, "Connect": {"SidecarService": {}}},
    )
    assert r.status_code == 200, r.text
    wait_for(lambda: http.get("/v1/catalog/service/web-sidecar-proxy").json())


def test_connect_endpoints_list_the_sidecar(http: httpx.Client) -> None:
    assert http.get("/v1/catalog/connect/web").json() == []
    _sidecar(http)
    found = http.get("/v1/catalog/connect/web")
    assert int(found.headers["X-Consul-Index"]) >= 1
    [proxy] = found.json()
    assert proxy["ServiceKind"] == "connect-proxy"
    assert proxy["ServiceName"] == "web-sidecar-proxy" and proxy["Node"] == "test-node"
    assert proxy["ServiceProxy"]["DestinationServiceName"] == "web"
    assert http.get("/v1/catalog/connect/WEB").json() == [proxy]
    assert http.get("/v1/catalog/service/web-sidecar-proxy").json() == [proxy]
    [entry] = http.get("/v1/health/connect/web").json()
    assert entry["Service"]["Kind"] == "connect-proxy"
    assert entry["Node"]["Node"] == "test-node"
    assert "serfHealth" in [c["CheckID"] for c in entry["Checks"]]
    assert http.get("/v1/catalog/connect/web-sidecar-proxy").json() == []
    filtered = http.get("/v1/catalog/connect/web", params={"filter": "ServicePort == 1"})
    assert filtered.json() == []
    bad = http.get("/v1/health/connect/web", params={"filter": "Nope == 1"})
    assert bad.status_code == 400
    # the sidecar's TCP check finds no proxy listening: ?passing drops the instance
    assert "critical" in [c["Status"] for c in entry["Checks"]]
    assert http.get("/v1/health/connect/web?passing").json() == []


def test_connect_native_and_blocking(http: httpx.Client, agent: AgentThread) -> None:
    index = int(http.get("/v1/health/connect/api").headers["X-Consul-Index"])
    out: dict[str, Any] = {}

    def block() -> None:
        with httpx.Client(base_url=agent.url, timeout=30) as c:
            out["r"] = c.get(f"/v1/health/connect/api?index={index}&wait=20s")

    t = threading.Thread(target=block)
    t.start()
    time.sleep(0.3)
    _register(
        http,
        {
            "Node": "n1",
            "Address": "10.0.0.1",
            "Service": {"Service": "api", "Port": 81, "Connect": {"Native": True}},
        },
    )
    t.join(10)
    assert [e["Service"]["Service"] for e in out["r"].json()] == ["api"]
    assert int(out["r"].headers["X-Consul-Index"]) > index
    _register(
        http, {"Node": "n2", "Address": "10.0.0.2", "Service": {"Service": "api", "Port": 81}}
    )
    native = http.get("/v1/catalog/connect/api").json()
    assert [(s["Node"], s["ServiceConnect"]) for s in native] == [("n1", {"Native": True})]


def test_ingress_is_always_empty(http: httpx.Client) -> None:
    r = http.get("/v1/health/ingress/web")
    assert (r.status_code, r.json()) == (200, [])
    assert r.headers["X-Consul-Index"] == "1" and r.headers["X-Consul-KnownLeader"] == "true"
    assert http.get("/v1/health/ingress/web?passing=maybe").status_code == 400
    assert http.get("/v1/health/ingress/").status_code == 400
    started = time.monotonic()
    assert http.get("/v1/health/ingress/web?index=1&wait=300ms").json() == []
    assert time.monotonic() - started >= 0.25


def test_leave_needs_agent_write() -> None:
    root = "root-secret-0000"
    tokens = f'tokens {{ initial_management = "{root}" }}'
    hcl = f'acl {{ enabled = true  default_policy = "deny"  {tokens} }}'
    agent = AgentThread("-hcl", hcl).start()
    try:
        with httpx.Client(base_url=agent.url, timeout=10) as c:
            denied = c.put("/v1/agent/leave")
            assert denied.status_code == 403 and "agent:write" in denied.text
            assert c.put("/v1/agent/force-leave/test-node").status_code == 403
            assert c.put("/v1/agent/join/127.0.0.1").status_code == 403
            r = c.put("/v1/agent/leave", headers={"X-Consul-Token": root})
            assert (r.status_code, r.text) == (200, "")
        agent._thread.join(15)
        assert not agent._thread.is_alive() and agent.error is None
    finally:
        agent.stop()
