"""Every route in the route table, with every kind of token, under default_policy = "deny".

A route added without a sample here fails this test: each new route must say how it answers a
caller without permission, one with a narrow permission, and a manager.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agentd.httpapi.routes import ROUTES
from tests.agents import AgentThread

ROOT = "root-secret-0000"
ACL_HCL = (
    f'acl {{ enabled = true  default_policy = "deny"  tokens {{ initial_management = "{ROOT}" }} }}'
)

# (route path, method) -> (concrete path, JSON body or None)
SAMPLES: dict[tuple[str, str], tuple[str, Any]] = {
    ("/v1/acl/bootstrap", "PUT"): ("/v1/acl/bootstrap", None),
    ("/v1/acl/policies", "GET"): ("/v1/acl/policies", None),
    ("/v1/acl/replication", "GET"): ("/v1/acl/replication", None),
    ("/v1/acl/policy", "PUT"): ("/v1/acl/policy", {"Name": "p-{n}", "Rules": ""}),
    ("/v1/acl/policy/", "GET"): ("/v1/acl/policy/00000000-0000-0000-0000-000000000001", None),
    ("/v1/acl/policy/", "PUT"): ("/v1/acl/policy/nope", {"Name": "x", "Rules": ""}),
    ("/v1/acl/policy/", "DELETE"): ("/v1/acl/policy/nope", None),
    ("/v1/acl/role", "PUT"): ("/v1/acl/role", {"Name": "r-{n}"}),
    ("/v1/acl/role/", "GET"): ("/v1/acl/role/nope", None),
    ("/v1/acl/role/", "PUT"): ("/v1/acl/role/nope", {"Name": "x"}),
    ("/v1/acl/role/", "DELETE"): ("/v1/acl/role/nope", None),
    ("/v1/acl/roles", "GET"): ("/v1/acl/roles", None),
    ("/v1/acl/token", "PUT"): ("/v1/acl/token", {"Description": "t"}),
    ("/v1/acl/token/", "GET"): ("/v1/acl/token/00000000-0000-0000-0000-000000000002", None),
    ("/v1/acl/token/", "PUT"): ("/v1/acl/token/nope", {"Description": "t"}),
    ("/v1/acl/token/", "DELETE"): ("/v1/acl/token/nope", None),
    ("/v1/acl/tokens", "GET"): ("/v1/acl/tokens", None),
    ("/v1/acl/templated-policies", "GET"): ("/v1/acl/templated-policies", None),
    ("/v1/acl/templated-policy/", "GET"): ("/v1/acl/templated-policy/name/builtin/dns", None),
    ("/v1/acl/templated-policy/", "POST"): (
        "/v1/acl/templated-policy/preview/builtin/service",
        {"Name": "api"},
    ),
    ("/v1/agent/token/", "PUT"): ("/v1/agent/token/default", {"Token": ""}),
    ("/v1/agent/check/deregister/", "PUT"): ("/v1/agent/check/deregister/c", None),
    ("/v1/agent/check/fail/", "PUT"): ("/v1/agent/check/fail/c", None),
    ("/v1/agent/check/pass/", "PUT"): ("/v1/agent/check/pass/c", None),
    ("/v1/agent/check/register", "PUT"): ("/v1/agent/check/register", {"Name": "c", "TTL": "9s"}),
    ("/v1/agent/check/update/", "PUT"): ("/v1/agent/check/update/c", {"Status": "passing"}),
    ("/v1/agent/check/warn/", "PUT"): ("/v1/agent/check/warn/c", None),
    ("/v1/agent/checks", "GET"): ("/v1/agent/checks", None),
    ("/v1/agent/health/service/id/", "GET"): ("/v1/agent/health/service/id/web", None),
    ("/v1/agent/health/service/name/", "GET"): ("/v1/agent/health/service/name/web", None),
    ("/v1/agent/maintenance", "PUT"): ("/v1/agent/maintenance?enable=false", None),
    ("/v1/agent/force-leave/", "PUT"): ("/v1/agent/force-leave/test-node", None),
    ("/v1/agent/join/", "PUT"): ("/v1/agent/join/127.0.0.1", None),
    ("/v1/agent/leave", "PUT"): ("/v1/agent/leave", None),
    ("/v1/agent/members", "GET"): ("/v1/agent/members", None),
    ("/v1/agent/metrics", "GET"): ("/v1/agent/metrics", None),
    # a bad level: the manager's answer is a 400, not an endless stream
    ("/v1/agent/monitor", "GET"): ("/v1/agent/monitor?loglevel=bogus", None),
    ("/v1/agent/reload", "PUT"): ("/v1/agent/reload", None),
    ("/v1/agent/self", "GET"): ("/v1/agent/self", None),
    ("/v1/agent/service/", "GET"): ("/v1/agent/service/web", None),
    ("/v1/agent/service/deregister/", "PUT"): ("/v1/agent/service/deregister/nope", None),
    ("/v1/agent/service/maintenance/", "PUT"): (
        "/v1/agent/service/maintenance/nope?enable=false",
        None,
    ),
    ("/v1/agent/service/register", "PUT"): ("/v1/agent/service/register", {"Name": "web"}),
    ("/v1/agent/services", "GET"): ("/v1/agent/services", None),
    ("/v1/catalog/connect/", "GET"): ("/v1/catalog/connect/consul", None),
    ("/v1/catalog/datacenters", "GET"): ("/v1/catalog/datacenters", None),
    ("/v1/catalog/deregister", "PUT"): ("/v1/catalog/deregister", {"Node": "ghost"}),
    ("/v1/catalog/node/", "GET"): ("/v1/catalog/node/test-node", None),
    ("/v1/catalog/node-services/", "GET"): ("/v1/catalog/node-services/test-node", None),
    ("/v1/catalog/nodes", "GET"): ("/v1/catalog/nodes", None),
    ("/v1/catalog/register", "PUT"): ("/v1/catalog/register", {"Node": "n", "Address": "1.1.1.1"}),
    ("/v1/catalog/service/", "GET"): ("/v1/catalog/service/consul", None),
    ("/v1/catalog/services", "GET"): ("/v1/catalog/services", None),
    ("/v1/coordinate/datacenters", "GET"): ("/v1/coordinate/datacenters", None),
    ("/v1/coordinate/node/", "GET"): ("/v1/coordinate/node/test-node", None),
    ("/v1/coordinate/nodes", "GET"): ("/v1/coordinate/nodes", None),
    ("/v1/coordinate/update", "PUT"): (
        "/v1/coordinate/update",
        {"Node": "test-node", "Coord": {"Vec": [0.0] * 8, "Error": 1.5, "Height": 1e-05}},
    ),
    ("/v1/event/fire/", "PUT"): ("/v1/event/fire/deploy", None),
    ("/v1/event/list", "GET"): ("/v1/event/list", None),
    ("/v1/health/checks/", "GET"): ("/v1/health/checks/consul", None),
    ("/v1/health/connect/", "GET"): ("/v1/health/connect/consul", None),
    ("/v1/health/ingress/", "GET"): ("/v1/health/ingress/consul", None),
    ("/v1/health/node/", "GET"): ("/v1/health/node/test-node", None),
    ("/v1/health/service/", "GET"): ("/v1/health/service/consul", None),
    ("/v1/health/state/", "GET"): ("/v1/health/state/any", None),
    ("/v1/kv/", "GET"): ("/v1/kv/app/config", None),
    ("/v1/kv/", "PUT"): ("/v1/kv/app/config", None),
    ("/v1/kv/", "DELETE"): ("/v1/kv/app/config", None),
    ("/v1/session/create", "PUT"): ("/v1/session/create", {}),
    ("/v1/session/destroy/", "PUT"): ("/v1/session/destroy/nope", None),
    ("/v1/session/info/", "GET"): ("/v1/session/info/nope", None),
    ("/v1/session/list", "GET"): ("/v1/session/list", None),
    ("/v1/session/node/", "GET"): ("/v1/session/node/test-node", None),
    ("/v1/session/renew/", "PUT"): ("/v1/session/renew/nope", None),
    ("/v1/snapshot", "GET"): ("/v1/snapshot", None),
    ("/v1/snapshot", "PUT"): ("/v1/snapshot", None),
    ("/v1/status/leader", "GET"): ("/v1/status/leader", None),
    ("/v1/status/peers", "GET"): ("/v1/status/peers", None),
    ("/v1/query", "GET"): ("/v1/query", None),
    ("/v1/query", "POST"): ("/v1/query", {"Name": "q-{n}", "Service": {"Service": "web"}}),
    ("/v1/query/", "GET"): ("/v1/query/nope", None),
    ("/v1/query/", "PUT"): ("/v1/query/nope", {"Name": "q", "Service": {"Service": "web"}}),
    ("/v1/query/", "DELETE"): ("/v1/query/nope", None),
    ("/v1/txn", "PUT"): ("/v1/txn", [{"KV": {"Verb": "get-tree", "Key": "app/"}}]),
}

# Routes whose answer to everyone is fixed by state rather than by permission.
ALWAYS_403 = {("/v1/acl/bootstrap", "PUT")}  # bootstrapped at start by initial_management
# Answers a reader of key_prefix "app/" gets where everyone else is refused.
APP_READER_ALLOWED = {("/v1/kv/", "GET"), ("/v1/txn", "PUT")}
# The manager's leave would stop this module's agent: its 200 is tested on an agent of its own.
ENDS_THE_AGENT = {("/v1/agent/leave", "PUT")}
# Destroying or renewing an unknown session, or deregistering an unknown service/check,
# needs no permission on anything real.
UNKNOWN_TARGET = {
    ("/v1/session/destroy/", "PUT"),
    ("/v1/session/renew/", "PUT"),
    ("/v1/query/", "GET"),
    ("/v1/query/", "DELETE"),
}


@pytest.fixture(scope="module")
def agent() -> Iterator[AgentThread]:
    handle = AgentThread("-hcl", ACL_HCL).start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def reader(agent: AgentThread) -> str:
    h = {"X-Consul-Token": ROOT}
    p = httpx.put(
        agent.url + "/v1/acl/policy",
        headers=h,
        timeout=10,
        json={"Name": "app-read", "Rules": 'key_prefix "app/" { policy = "read" }'},
    )
    assert p.status_code == 200, p.text
    t = httpx.put(
        agent.url + "/v1/acl/token",
        headers=h,
        timeout=10,
        json={"Policies": [{"Name": "app-read"}]},
    )
    assert t.status_code == 200, t.text
    httpx.put(agent.url + "/v1/kv/app/config", headers=h, content=b"v", timeout=10)
    return str(t.json()["SecretID"])


def _call(
    agent: AgentThread, route: str, method: str, secret: str | None, n: int
) -> httpx.Response:
    path, body = SAMPLES[(route, method)]
    if isinstance(body, dict):
        body = {k: v.replace("{n}", str(n)) if isinstance(v, str) else v for k, v in body.items()}
    headers = {"X-Consul-Token": secret} if secret is not None else {}
    return httpx.request(method, agent.url + path, json=body, headers=headers, timeout=10)


def _pairs() -> list[tuple[str, str]]:
    return [(r.path, m) for r in ROUTES for m in r.methods]


def test_every_route_has_a_sample() -> None:
    missing = [pair for pair in _pairs() if pair not in SAMPLES]
    assert not missing, f"routes without an ACL sample: {missing}"


@pytest.mark.parametrize(("route", "method"), _pairs())
def test_route_answers_by_permission(
    agent: AgentThread, reader: str, route: str, method: str
) -> None:
    need = next(r for r in ROUTES if r.path == route).acl[method]
    n = abs(hash((route, method))) % 10_000
    for who, secret in (("no token", None), ("anonymous", "anonymous"), ("app reader", reader)):
        r = _call(agent, route, method, secret, n)
        if (route, method) in ALWAYS_403:
            assert r.status_code == 403, (who, r.text)
        elif need.kind == "public" or (route, method) in UNKNOWN_TARGET:
            assert r.status_code != 403, (who, r.status_code, r.text)
        elif need.kind == "filtered":
            assert r.status_code in (200, 404), (who, r.status_code, r.text)
            assert "Permission denied" not in r.text
        elif who == "app reader" and (route, method) in APP_READER_ALLOWED:
            assert r.status_code == 200, (who, r.text)
        else:
            assert r.status_code == 403, (who, route, method, r.status_code, r.text)
            assert r.text.startswith("Permission denied"), r.text
    bogus = _call(agent, route, method, "not-a-real-secret", n)
    if need.kind != "public":
        assert (bogus.status_code, bogus.text) == (403, "ACL not found")
    if (route, method) in ENDS_THE_AGENT:
        return
    manager = _call(agent, route, method, ROOT, n)
    assert manager.status_code != 403 or (route, method) in ALWAYS_403, manager.text


def test_lists_are_filtered_and_say_so(agent: AgentThread, reader: str) -> None:
    h = {"X-Consul-Token": ROOT}
    httpx.put(agent.url + "/v1/kv/app/config", headers=h, content=b"v", timeout=10)
    httpx.put(agent.url + "/v1/kv/other/secret", headers=h, content=b"x", timeout=10)
    r = httpx.get(agent.url + "/v1/kv/?recurse", headers={"X-Consul-Token": reader}, timeout=10)
    assert [p["Key"] for p in r.json()] == ["app/config"]
    assert r.headers["X-Consul-Results-Filtered-By-ACLs"] == "true"
    assert int(r.headers["X-Consul-Index"]) >= 1
    r = httpx.get(agent.url + "/v1/catalog/services", headers={"X-Consul-Token": reader})
    assert r.json() == {} and r.headers["X-Consul-Results-Filtered-By-ACLs"] == "true"
    r = httpx.get(agent.url + "/v1/catalog/services", headers=h)
    assert "consul" in r.json() and "X-Consul-Results-Filtered-By-ACLs" not in r.headers
    assert r.headers["X-Consul-Default-ACL-Policy"] == "deny"


def test_denial_messages_name_the_permission(agent: AgentThread, reader: str) -> None:
    r = httpx.put(agent.url + "/v1/kv/app/config", headers={"X-Consul-Token": reader})
    assert r.status_code == 403
    assert "lacks permission 'key:write' on \"app/config\"" in r.text
    r = httpx.get(agent.url + "/v1/kv/other/secret")
    assert r.text.startswith("Permission denied: anonymous token lacks permission 'key:read'")
