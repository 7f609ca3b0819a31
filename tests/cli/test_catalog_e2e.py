"""``cnsl catalog`` as users run it, against a real dev agent."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.agents import AgentThread
from tests.cli.runner import Cnsl


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def _register(agent: AgentThread, body: dict[str, object]) -> None:
    resp = httpx.put(f"{agent.url}/v1/catalog/register", content=json.dumps(body))
    assert resp.status_code == 200, resp.text


def test_datacenters(cnsl: Cnsl) -> None:
    assert cnsl.ok("catalog", "datacenters") == "dc1\n"
    extra = cnsl("catalog", "datacenters", "x")
    assert extra.returncode == 2 and extra.stderr == b"Too many arguments (expected 0, got 1)\n"


def test_nodes_table(cnsl: Cnsl, agent: AgentThread) -> None:
    _register(agent, {"Node": "web-01", "Address": "10.1.2.3", "NodeMeta": {"rack": "r1"}})
    lines = cnsl.ok("catalog", "nodes").splitlines()
    assert lines[0].split() == ["Node", "ID", "Address", "DC"]
    assert lines[0].index("ID") == lines[1].index(lines[1].split()[1])  # aligned columns
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"test-node", "web-01"}
    own_id = rows["test-node"].split()[1]
    assert len(own_id) == 8  # the first octet of the node ID
    assert rows["web-01"].split() == ["web-01", "10.1.2.3", "dc1"]  # no ID registered
    detailed = cnsl.ok("catalog", "nodes", "-detailed").splitlines()
    assert detailed[0].split() == ["Node", "ID", "Address", "DC", "TaggedAddresses", "Meta"]
    assert any(line.startswith("web-01") and "rack=r1" in line for line in detailed)
    only = cnsl.ok("catalog", "nodes", "-node-meta", "rack=r1").splitlines()
    assert [line.split()[0] for line in only[1:]] == ["web-01"]
    filtered = cnsl.ok("catalog", "nodes", '-filter=Node == "test-node"').splitlines()
    assert [line.split()[0] for line in filtered[1:]] == ["test-node"]


def test_nodes_none_match_and_bad_flags(cnsl: Cnsl) -> None:
    none = cnsl("catalog", "nodes", "-node-meta=rack=nowhere")
    assert none.returncode == 0 and none.stdout == b""
    assert none.stderr == b"No nodes match the given query - try expanding your search.\n"
    bad = cnsl("catalog", "nodes", "-node-meta=bare")
    assert bad.returncode == 2 and bad.stderr.startswith(b'invalid value "bare" for flag')
    unknown = cnsl("catalog", "nodes", "-nope")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith(b"flag provided but not defined: -nope\n")


def test_nodes_of_a_service_and_services(cnsl: Cnsl, agent: AgentThread) -> None:
    service = {"Service": "web", "ID": "web-1", "Port": 80, "Tags": ["v2", "a"]}
    _register(agent, {"Node": "web-01", "Address": "10.1.2.3", "Service": service})
    other = {"Service": "web", "ID": "web-2", "Port": 81, "Tags": ["b"]}
    _register(agent, {"Node": "web-02", "Address": "10.1.2.4", "Service": other})
    nodes = cnsl.ok("catalog", "nodes", "-service", "web").splitlines()
    assert [line.split()[0] for line in nodes[1:]] == ["web-01", "web-02"]
    names = cnsl.ok("catalog", "services").splitlines()
    assert "web" in names and names == sorted(names)
    tags = {
        line.split()[0]: line.split()[1:]
        for line in cnsl.ok("catalog", "services", "-tags").splitlines()
    }
    assert tags["web"] == ["a,b,v2"]
    assert cnsl.ok("catalog", "services", "-node=web-02", "-tags") == "web      b\n"
    missing = cnsl("catalog", "services", "-node=nowhere")
    assert missing.returncode == 0 and b"No services match" in missing.stderr


def test_datacenter_flag_reaches_the_agent(cnsl: Cnsl) -> None:
    result = cnsl("catalog", "nodes", "-datacenter=nowhere")
    assert result.returncode == 1
    assert result.stderr.startswith(b"Error listing nodes: Unexpected response code: 500")
