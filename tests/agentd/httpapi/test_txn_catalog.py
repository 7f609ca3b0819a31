"""``/v1/txn`` with Node, Service and Check operations, over real HTTP."""

from __future__ import annotations

import base64
import threading
from typing import Any

import httpx

from tests.agents import AgentThread


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def node(verb: str, name: str, **kw: Any) -> dict[str, Any]:
    return {"Node": {"Verb": verb, "Node": {"Node": name, "Address": "10.1.0.1", **kw}}}


def service(verb: str, node_name: str, **kw: Any) -> dict[str, Any]:
    return {"Service": {"Verb": verb, "Node": node_name, "Service": kw}}


def check(verb: str, **kw: Any) -> dict[str, Any]:
    return {"Check": {"Verb": verb, "Check": kw}}


def test_a_mixed_txn_applies_everything_and_reports_each_op(http: httpx.Client) -> None:
    ops = [
        {"KV": {"Verb": "set", "Key": "cfg/web", "Value": b64("on")}},
        node("set", "web-1", Meta={"rack": "r1"}),
        service("set", "web-1", ID="web-a", Service="web", Tags=["v1"], Port=8080),
        check(
            "set",
            Node="web-1",
            CheckID="web-a-http",
            Name="web http",
            Status="passing",
            ServiceID="web-a",
            Definition={"HTTP": "http://10.1.0.1:8080/", "Interval": "10s", "Timeout": 1e9},
        ),
        {"node": {"verb": "get", "node": {"node": "WEB-1"}}},  # case-insensitive, as Consul
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Errors"] is None
    kv, set_node, svc, chk, got = body["Results"]
    assert kv["KV"]["Key"] == "cfg/web" and kv["KV"]["Value"] is None
    index = kv["KV"]["ModifyIndex"]
    assert set_node == got
    assert set_node["Node"] == {
        "ID": "",
        "Node": "web-1",
        "Address": "10.1.0.1",
        "Datacenter": "dc1",
        "TaggedAddresses": {},
        "Meta": {"rack": "r1"},
        "CreateIndex": index,
        "ModifyIndex": index,
    }
    s = svc["Service"]
    assert (s["ID"], s["Service"], s["Tags"], s["Port"]) == ("web-a", "web", ["v1"], 8080)
    assert s["Weights"] == {"Passing": 0, "Warning": 0}  # what Consul's txn stores when absent
    assert s["ModifyIndex"] == index
    c = chk["Check"]
    assert (c["CheckID"], c["Status"], c["ServiceName"], c["ServiceTags"]) == (
        "web-a-http",
        "passing",
        "web",
        ["v1"],
    )
    assert c["Definition"] == {"Interval": "10s", "Timeout": "1s", "HTTP": "http://10.1.0.1:8080/"}

    listed = http.get("/v1/catalog/service/web")
    assert int(listed.headers["X-Consul-Index"]) == index
    assert [(x["Node"], x["ServiceID"]) for x in listed.json()] == [("web-1", "web-a")]
    health = http.get("/v1/health/checks/web").json()
    assert [h["CheckID"] for h in health] == ["web-a-http"]
    assert http.get("/v1/kv/cfg/web?raw").text == "on"

    # cas and delete-cas against the ModifyIndex the txn reported
    ops = [
        check("delete-cas", Node="web-1", CheckID="web-a-http", ModifyIndex=index),
        service("cas", "web-1", ID="web-a", Service="web", Port=9090, ModifyIndex=index),
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 200, r.text
    assert [list(x) for x in r.json()["Results"]] == [["Service"]]  # deletes report nothing
    assert http.get("/v1/catalog/service/web").json()[0]["ServicePort"] == 9090
    assert http.get("/v1/health/checks/web").json() == []


def test_rollback_is_409_with_every_error_and_nothing_applied(http: httpx.Client) -> None:
    http.put("/v1/txn", json=[node("set", "n1"), service("set", "n1", Service="db")])
    before = http.get("/v1/catalog/node/n1").json()
    ops = [
        {"KV": {"Verb": "set", "Key": "rb/a", "Value": b64("1")}},
        node("set", "n1", Meta={"changed": "yes"}),
        service("cas", "n1", Service="db", ModifyIndex=1),
        check("get", Node="n1", CheckID="nope"),
        node("frob", "n1"),
        service("set", "ghost", Service="x"),
        node("delete-cas", "n9", ModifyIndex=3),
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 409
    assert r.json() == {
        "Results": None,
        "Errors": [
            {"OpIndex": 2, "What": 'failed to set service "db" on node "n1", index is stale'},
            {"OpIndex": 3, "What": 'check "nope" on node "n1" doesn\'t exist'},
            {"OpIndex": 4, "What": 'unknown Node verb "frob"'},
            {"OpIndex": 5, "What": "Missing node registration"},
            {"OpIndex": 6, "What": 'failed to delete node "n9", index is stale'},
        ],
    }
    assert http.get("/v1/kv/rb/a").status_code == 404
    assert http.get("/v1/catalog/node/n1").json() == before


def test_invalid_catalog_ops_fail_before_the_log(http: httpx.Client) -> None:
    ops = [
        node("set", ""),
        node("set", "n1", ID="not-a-uuid"),
        node("set", "n1", ID="40e4a748-2192-161a-0510-9bf59fe950bg"),
        service("set", "n1", ID="only-id"),
        service("set", "n1", Service="web", Address="0.0.0.0"),
        node("get", "missing"),  # reads are not vetted: no error here
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 409
    assert r.json()["Errors"] == [
        {"OpIndex": 0, "What": "Must provide node"},
        {"OpIndex": 1, "What": "Bad node ID: uuid string is wrong length"},
        {"OpIndex": 2, "What": "Bad node ID: encoding/hex: invalid byte: U+0067 'g'"},
        {"OpIndex": 3, "What": "Must provide service name with ID"},
        {"OpIndex": 4, "What": "Invalid service address"},
    ]
    r = http.put("/v1/txn", json=[{"Session": {"Verb": "delete"}}])
    assert r.status_code == 400 and r.text.startswith("Failed to parse body:")
    r = http.put("/v1/txn", json=[service("set", "n1", Service="web", Port="80")])
    assert r.status_code == 400 and r.text.startswith("Failed to parse body:")
    r = http.put("/v1/txn", json=[check("set", Node="n", Definition={"Interval": "10 s"})])
    assert (r.status_code, r.text) == (
        400,
        'Failed to parse body: time: unknown unit " s" in duration "10 s"',
    )
    mixed = [node("get", "n"), {"KV": {"Verb": "get", "Key": "k"}}] * 64 + [check("get")]
    r = http.put("/v1/txn", json=mixed)
    assert (r.status_code, r.text) == (413, "Transaction contains too many operations (129 > 128)")


def test_a_read_only_catalog_txn_is_a_read(http: httpx.Client) -> None:
    http.put("/v1/txn", json=[node("set", "r1"), service("set", "r1", Service="api")])
    ops = [node("get", "r1"), service("get", "r1", ID="api")]
    r = http.put("/v1/txn?stale", json=ops)
    assert r.status_code == 200, r.text
    assert r.headers["X-Consul-KnownLeader"] == "true"
    assert "X-Consul-Index" not in r.headers
    assert [list(x) for x in r.json()["Results"]] == [["Node"], ["Service"]]
    r = http.put("/v1/txn?stale&consistent", json=ops)
    assert r.status_code == 400


def test_a_blocked_service_query_wakes_once_on_the_txn_that_registers_it(
    http: httpx.Client, agent: AgentThread
) -> None:
    pre = [node("set", "pre"), service("set", "pre", ID="x0", Service="x")]
    assert http.put("/v1/txn", json=pre).status_code == 200
    first = http.get("/v1/catalog/service/x")
    index = int(first.headers["X-Consul-Index"])
    got: list[httpx.Response] = []
    t = threading.Thread(
        target=lambda: got.append(
            httpx.get(f"{agent.url}/v1/catalog/service/x?index={index}&wait=20s", timeout=30)
        )
    )
    t.start()
    unrelated = [node("set", "other"), service("set", "other", Service="y")]
    assert http.put("/v1/txn", json=unrelated).status_code == 200
    t.join(0.3)
    assert not got  # another service does not wake it
    ops = [
        node("set", "xn"),
        service("set", "xn", ID="x1", Service="x"),
        service("set", "xn", ID="x2", Service="x", Port=2),
        check("set", Node="xn", CheckID="x1-alive", ServiceID="x1", Status="passing"),
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 200, r.text
    txn_index = r.json()["Results"][0]["Node"]["ModifyIndex"]
    t.join(10)
    assert len(got) == 1
    # woken after the commit, it saw the whole transaction, not part of it
    assert int(got[0].headers["X-Consul-Index"]) == txn_index
    assert [s["ServiceID"] for s in got[0].json()] == ["x0", "x1", "x2"]


def test_acl_a_key_writer_may_not_touch_the_catalog(acl_agent: AgentThread) -> None:
    url = acl_agent.url
    root = httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]
    h = {"X-Consul-Token": root}
    rules = 'key_prefix "app/" { policy = "write" }'
    httpx.put(url + "/v1/acl/policy", headers=h, json={"Name": "kv", "Rules": rules})
    token = httpx.put(url + "/v1/acl/token", headers=h, json={"Policies": [{"Name": "kv"}]}).json()
    th = {"X-Consul-Token": token["SecretID"]}
    ops = [
        {"KV": {"Verb": "set", "Key": "app/a", "Value": b64("1")}},
        service("set", "n1", Service="web"),
        node("delete", "n1"),
        check("set", Node="n1", CheckID="c", ServiceID="web", ServiceName="web"),
        check("set", Node="n1", CheckID="nodecheck"),
    ]
    r = httpx.put(url + "/v1/txn", headers=th, json=ops)
    assert r.status_code == 409, r.text
    denied = f"Permission denied: token with AccessorID '{token['AccessorID']}' lacks permission"
    assert r.json() == {
        "Results": None,
        "Errors": [
            {"OpIndex": 1, "What": f"{denied} 'service:write' on \"web\""},
            {"OpIndex": 2, "What": f"{denied} 'node:write' on \"n1\""},
            {"OpIndex": 3, "What": f"{denied} 'service:write' on \"web\""},
            {"OpIndex": 4, "What": f"{denied} 'node:write' on \"n1\""},
        ],
    }
    assert httpx.get(url + "/v1/kv/app/a", headers=h).status_code == 404  # nothing applied
    # a KV op the token may not use refuses the whole request, as before
    r = httpx.put(url + "/v1/txn", headers=th, json=[{"KV": {"Verb": "set", "Key": "other"}}])
    assert r.status_code == 403

    # the management token writes; a catalog get the token may not read is left out
    ops = [node("set", "n1"), service("set", "n1", Service="web")]
    assert httpx.put(url + "/v1/txn", headers=h, json=ops).status_code == 200
    reads = [node("get", "n1"), {"KV": {"Verb": "get-or-empty", "Key": "app/b"}}]
    r = httpx.put(url + "/v1/txn", headers=th, json=reads)
    assert r.status_code == 200, r.text
    assert [list(x) for x in r.json()["Results"]] == [["KV"]]
    r = httpx.put(url + "/v1/txn", headers=h, json=reads)
    assert [list(x) for x in r.json()["Results"]] == [["Node"], ["KV"]]


def test_a_txn_service_is_stored_with_consul_field_names(http: httpx.Client) -> None:
    op = service(
        "set",
        "tx-n",
        ID="p1",
        Service="p",
        Kind="connect-proxy",
        tagged_addresses={"lan": {"address": "10.2.0.1", "port": 5}},
        proxy={"destination_service_name": "web", "local_service_port": 8080},
    )
    r = http.put("/v1/txn", json=[node("set", "tx-n"), op])
    assert r.status_code == 200, r.text
    (inst,) = http.get("/v1/catalog/service/p").json()
    assert inst["ServiceTaggedAddresses"] == {"lan": {"Address": "10.2.0.1", "Port": 5}}
    assert inst["ServiceProxy"] == {"DestinationServiceName": "web", "LocalServicePort": 8080}
    bad = service("set", "tx-n", ID="p2", Service="p", Proxy="nope")
    r = http.put("/v1/txn", json=[bad])
    assert (r.status_code, r.text) == (400, "Failed to parse body: Proxy must be an object")
