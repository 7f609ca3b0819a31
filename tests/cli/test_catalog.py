"""cnsl catalog without an agent: table layouts, flags and what is asked of the agent."""

from __future__ import annotations

import json

from cli import catalog
from cnslkit.api.models import Node
from tests.cli.runner import FakeHttp, run

NODES = [
    Node(
        "node-1",
        "40e4a748-2192-161a-0510-9bf59fe950b5",
        "10.0.0.1",
        "dc1",
        {"wan": "1.2.3.4", "lan": "10.0.0.1"},
        {"rack": "r1", "consul-version": "1.18.0"},
    ),
    Node("n2", "", "10.0.0.22", "dc1"),
]
NODE_JSON = [
    {
        "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
        "Node": "node-1",
        "Address": "10.0.0.1",
        "Datacenter": "dc1",
        "TaggedAddresses": {"lan": "10.0.0.1"},
        "Meta": {"rack": "r1"},
        "CreateIndex": 5,
        "ModifyIndex": 7,
    }
]


def test_nodes_table_shortens_ids() -> None:
    assert catalog.format_nodes(NODES, detailed=False) == (
        "Node    ID        Address    DC\n"
        "node-1  40e4a748  10.0.0.1   dc1\n"
        "n2                10.0.0.22  dc1"
    )


def test_detailed_nodes_table() -> None:
    assert catalog.format_nodes(NODES, detailed=True).splitlines() == [
        "Node    ID                                    Address    DC   "
        "TaggedAddresses            Meta",
        "node-1  40e4a748-2192-161a-0510-9bf59fe950b5  10.0.0.1   dc1  "
        "lan=10.0.0.1, wan=1.2.3.4  consul-version=1.18.0, rack=r1",
        "n2                                            10.0.0.22  dc1  " + " " * 25 + "  ",
    ]


def test_service_tags_layout() -> None:
    services = {"web": ["v2", "a"], "consul": [], "redis-cache": ["primary"]}
    assert catalog.format_service_tags(services) == (
        "consul           \nredis-cache      primary\nweb              a,v2"
    )


def test_datacenters() -> None:
    http = FakeHttp((200, b'["dc1","dc2"]'))
    assert run(catalog.COMMANDS["datacenters"], [], http) == (0, "dc1\ndc2\n", "")
    assert http.calls == [("GET", "/v1/catalog/datacenters", [], None)]
    assert run(catalog.COMMANDS["datacenters"], ["extra"], FakeHttp()) == (
        2,
        "",
        "Too many arguments (expected 0, got 1)\n",
    )
    failed = run(catalog.COMMANDS["datacenters"], [], FakeHttp((500, b"boom")))
    assert failed == (1, "", "Error listing datacenters: Unexpected response code: 500 (boom)\n")


def test_nodes_sends_near_filter_and_node_meta() -> None:
    http = FakeHttp((200, json.dumps(NODE_JSON).encode()))
    argv = ["-near=_agent", "-node-meta", "rack=r1", "-node-meta=os=linux=x", "-filter", "x"]
    code, out, err = run(catalog.COMMANDS["nodes"], argv, http)
    assert (code, err) == (0, "")
    assert out == "Node    ID        Address   DC\nnode-1  40e4a748  10.0.0.1  dc1\n"
    method, path, params, _ = http.calls[0]
    assert (method, path) == ("GET", "/v1/catalog/nodes")
    assert params == [
        ("near", "_agent"),
        ("filter", "x"),
        ("node-meta", "rack:r1"),
        ("node-meta", "os:linux=x"),
    ]


def test_nodes_of_a_service_come_from_its_instances() -> None:
    instance = {
        "ID": "40e4a748-2192",
        "Node": "node-1",
        "Address": "10.0.0.1",
        "Datacenter": "dc1",
        "NodeMeta": {"rack": "r1"},
        "ServiceID": "web-1",
        "ServiceName": "web",
        "ServiceTags": ["a"],
    }
    http = FakeHttp((200, json.dumps([instance]).encode()))
    code, out, _ = run(catalog.COMMANDS["nodes"], ["-service=web", "-detailed"], http)
    assert code == 0 and "rack=r1" in out
    assert http.calls[0][1] == "/v1/catalog/service/web"


def test_nodes_none_match_and_bad_meta() -> None:
    http = FakeHttp((200, b"[]"))
    assert run(catalog.COMMANDS["nodes"], [], http) == (
        0,
        "",
        "No nodes match the given query - try expanding your search.\n",
    )
    assert run(catalog.COMMANDS["nodes"], ["-node-meta=bare"], FakeHttp()) == (
        2,
        "",
        'invalid value "bare" for flag -node-meta: Missing "=" value in argument: bare\n',
    )
    failed = run(catalog.COMMANDS["nodes"], ["-service=web"], FakeHttp((500, b"x")))
    assert failed[0] == 1 and failed[2].startswith("Error listing nodes for service: ")


def test_services_names_and_tags() -> None:
    body = b'{"web":["v2","a"],"consul":[]}'
    assert run(catalog.COMMANDS["services"], [], FakeHttp((200, body))) == (
        0,
        "consul\nweb\n",
        "",
    )
    assert run(catalog.COMMANDS["services"], ["-tags"], FakeHttp((200, body))) == (
        0,
        "consul      \nweb         a,v2\n",
        "",
    )
    empty = run(catalog.COMMANDS["services"], [], FakeHttp((200, b"{}")))
    assert empty == (0, "", "No services match the given query - try expanding your search.\n")


def test_services_of_a_node_merge_instances() -> None:
    node = {
        "Node": {"Node": "n1"},
        "Services": {
            "web-1": {"ID": "web-1", "Service": "web", "Tags": ["b"]},
            "web-2": {"ID": "web-2", "Service": "web", "Tags": ["a"]},
            "db": {"ID": "db", "Service": "db", "Tags": []},
        },
    }
    http = FakeHttp((200, json.dumps(node).encode()))
    code, out, _ = run(catalog.COMMANDS["services"], ["-node=n1", "-tags"], http)
    assert (code, out) == (0, "db       \nweb      a,b\n")
    assert http.calls[0][1] == "/v1/catalog/node/n1"
    unknown = run(catalog.COMMANDS["services"], ["-node=zz"], FakeHttp((200, b"null")))
    assert unknown[0] == 0 and "No services match" in unknown[2]
