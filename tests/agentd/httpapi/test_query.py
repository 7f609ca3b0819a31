from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.examples import EXAMPLES


def register(http: httpx.Client, node: str, addr: str, status: str, tags: list[str]) -> None:
    body = {
        "Node": node,
        "Address": addr,
        "Service": {"Service": "front-end-eCommerce", "Tags": tags, "Port": 8080},
        "Check": {"Name": "alive", "ServiceID": "front-end-eCommerce", "Status": status},
    }
    r = http.put("/v1/catalog/register", json=body)
    assert r.text == "true\n", r.text


@pytest.fixture
def shop(http: httpx.Client) -> str:
    """The example query over three instances: healthy+tagged, critical+tagged, healthy+untagged."""
    register(http, "web1", "10.0.0.1", "passing", ["v7.05", "production"])
    register(http, "web2", "10.0.0.2", "critical", ["v7.05", "production"])
    register(http, "web3", "10.0.0.3", "passing", ["v7.04"])
    r = http.post("/v1/query", content=(EXAMPLES / "prepared-query.json").read_bytes())
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["ID"]
    return str(r.json()["ID"])


def test_example_query_round_trip(http: httpx.Client, shop: str) -> None:
    listed = http.get("/v1/query")
    assert listed.status_code == 200 and int(listed.headers["X-Consul-Index"]) >= 1
    [q] = listed.json()
    assert q["ID"] == shop and q["Name"] == "Commerce"
    assert q["Service"]["Service"] == "front-end-eCommerce"
    assert q["Service"]["Tags"] == ["v7.05", "production"]
    assert q["Service"]["Failover"] == {"NearestN": 0, "Datacenters": None, "Targets": None}
    assert q["Template"] == {"Type": "", "Regexp": "", "RemoveEmptyTags": False}
    assert q["DNS"] == {"TTL": ""} and q["CreateIndex"] == q["ModifyIndex"] > 0
    assert set(q) == {
        "ID", "Name", "Session", "Token", "Template", "Service", "DNS", "CreateIndex",
        "ModifyIndex",
    }  # fmt: skip
    assert http.get(f"/v1/query/{shop}").json() == [q]


def test_execute(http: httpx.Client, shop: str) -> None:
    for name in (shop, "Commerce", "commerce"):
        r = http.get(f"/v1/query/{name}/execute")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["Service"] == "front-end-eCommerce"
        assert [n["Node"]["Node"] for n in body["Nodes"]] == ["web1"]
        assert body["Nodes"][0]["Service"]["Port"] == 8080
        assert [c["Status"] for c in body["Nodes"][0]["Checks"]] == ["passing"]
        assert (body["DNS"], body["Datacenter"], body["Failovers"]) == ({"TTL": ""}, "dc1", 0)
    missing = http.get("/v1/query/nope/execute")
    assert (missing.status_code, missing.text) == (404, "Query not found")
    bad = http.get(f"/v1/query/{shop}/execute?limit=x")
    assert bad.status_code == 500 and bad.text.startswith("Bad limit: ")
    wrong = http.put(f"/v1/query/{shop}/execute")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "OPTIONS,GET"


def test_near_and_limit(http: httpx.Client) -> None:
    for i in range(1, 6):
        register(http, f"n{i}", f"10.0.1.{i}", "passing", [])
    r = http.post("/v1/query", json={"Name": "all", "Service": {"Service": "front-end-eCommerce"}})
    assert r.status_code == 200, r.text
    for _ in range(5):
        nodes = http.get("/v1/query/all/execute?near=n4").json()["Nodes"]
        assert nodes[0]["Node"]["Node"] == "n4" and len(nodes) == 5
    assert len(http.get("/v1/query/all/execute?limit=2").json()["Nodes"]) == 2


def test_update_and_delete(http: httpx.Client, shop: str) -> None:
    body = {"ID": "ignored", "Name": "Commerce", "Service": {"Service": "front-end-eCommerce"}}
    body["DNS"] = {"TTL": "15s"}
    r = http.put(f"/v1/query/{shop}", json=body)
    assert (r.status_code, r.text) == (200, "")
    [q] = http.get(f"/v1/query/{shop}").json()
    assert q["ID"] == shop and q["DNS"] == {"TTL": "15s"} and q["Service"]["Tags"] is None
    assert q["ModifyIndex"] > q["CreateIndex"]
    nodes = http.get("/v1/query/Commerce/execute").json()["Nodes"]
    assert sorted(n["Node"]["Node"] for n in nodes) == ["web1", "web3"]
    r = http.delete(f"/v1/query/{shop}")
    assert (r.status_code, r.text) == (200, "")
    gone = http.get(f"/v1/query/{shop}")
    assert (gone.status_code, gone.text) == (404, "Query not found")
    assert http.get("/v1/query").json() == []
    missing = http.put(f"/v1/query/{shop}", json=body)
    assert missing.status_code == 500 and "non-existent prepared query" in missing.text


def test_templates_and_explain(http: httpx.Client) -> None:
    register(http, "web1", "10.0.0.1", "passing", ["v7.05"])
    body: dict[str, Any] = {
        "Name": "shop-",
        "Template": {"Type": "name_prefix_match", "Regexp": "^shop-(.*)$"},
        "Service": {"Service": "${match(1)}", "Tags": ["${name.suffix}", ""]},
    }
    body["Template"]["RemoveEmptyTags"] = True
    assert http.post("/v1/query", json=body).status_code == 200
    explained = http.get("/v1/query/shop-front-end-eCommerce/explain").json()["Query"]
    assert explained["Service"]["Service"] == "front-end-eCommerce"
    assert explained["Service"]["Tags"] == ["front-end-eCommerce"]
    body["Name"] = "other-"
    body["Template"]["Regexp"] = "^other-(.*)$"
    body["Service"]["Tags"] = []
    assert http.post("/v1/query", json=body).status_code == 200
    nodes = http.get("/v1/query/other-front-end-eCommerce/execute").json()["Nodes"]
    assert [n["Node"]["Node"] for n in nodes] == ["web1"]
    assert http.get("/v1/query/zzz/explain").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"Name": "x"}, 500, "Must provide a Service name to query"),
        ({"Service": {"Service": "w"}}, 500, "Must be bound to a session"),
        ({"Name": "x", "Service": {"Service": "w"}, "DNS": {"TTL": "x"}}, 500, "Bad DNS TTL"),
        ({"Name": "x", "Service": {"Service": 5}}, 400, "Request decode failed"),
        ({"ID": "abc", "Name": "x", "Service": {"Service": "w"}}, 500, "ID must be empty"),
    ],
)
def test_validation(http: httpx.Client, body: dict[str, Any], status: int, text: str) -> None:
    r = http.post("/v1/query", content=json.dumps(body))
    assert r.status_code == status and text in r.text, r.text


def test_duplicate_name(http: httpx.Client, shop: str) -> None:
    r = http.post("/v1/query", content=(EXAMPLES / "prepared-query.json").read_bytes())
    assert r.status_code == 500 and "aliases an existing query name" in r.text


def test_session_bound_query_dies_with_its_session(http: httpx.Client) -> None:
    session = http.put("/v1/session/create", json={}).json()["ID"]
    r = http.post("/v1/query", json={"Session": session, "Service": {"Service": "web"}})
    assert r.status_code == 200, r.text
    qid = r.json()["ID"]
    assert http.get(f"/v1/query/{qid}").status_code == 200
    bad = http.post("/v1/query", json={"Session": "nope", "Service": {"Service": "web"}})
    assert bad.status_code == 500 and "invalid session" in bad.text
    assert http.put(f"/v1/session/destroy/{session}").text == "true\n"
    assert http.get(f"/v1/query/{qid}").status_code == 404
