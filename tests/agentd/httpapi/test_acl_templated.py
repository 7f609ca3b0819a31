from __future__ import annotations

from typing import Any

import httpx

from tests.agents import AgentThread

SERVICE_API = {"TemplateName": "builtin/service", "TemplateVariables": {"Name": "api"}}


def _root(agent: AgentThread) -> dict[str, str]:
    r = httpx.put(agent.url + "/v1/acl/bootstrap")
    assert r.status_code == 200, r.text
    return {"X-Consul-Token": r.json()["SecretID"]}


def _token(agent: AgentThread, h: dict[str, str], **body: Any) -> dict[str, Any]:
    r = httpx.put(agent.url + "/v1/acl/token", headers=h, json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def _as(secret: str) -> dict[str, str]:
    return {"X-Consul-Token": secret}


def _service_grants(agent: AgentThread, secret: str) -> None:
    url, h = agent.url, _as(secret)
    r = httpx.put(url + "/v1/agent/service/register", headers=h, json={"Name": "api"})
    assert r.status_code == 200, r.text
    r = httpx.put(url + "/v1/agent/service/register", headers=h, json={"Name": "web"})
    assert r.status_code == 403
    assert httpx.get(url + "/v1/catalog/nodes", headers=h).json() != []
    assert httpx.get(url + "/v1/catalog/service/api", headers=h).status_code == 200
    assert httpx.put(url + "/v1/kv/x", headers=h, content=b"v").status_code == 403


def test_token_with_builtin_service(acl_agent: AgentThread) -> None:
    h = _root(acl_agent)
    t = _token(acl_agent, h, TemplatedPolicies=[SERVICE_API])
    assert t["TemplatedPolicies"] == [SERVICE_API]
    _service_grants(acl_agent, t["SecretID"])
    read = httpx.get(acl_agent.url + f"/v1/acl/token/{t['AccessorID']}?expanded", headers=h)
    body = read.json()
    assert body["TemplatedPolicies"] == [SERVICE_API]
    [syn] = body["ExpandedPolicies"]
    assert syn["Description"] == "synthetic policy generated from templated policy: builtin/service"
    assert syn["Name"] == "synthetic-policy-" + syn["ID"]
    assert syn["Rules"].startswith('\nservice "api" {\n\tpolicy = "write"\n}')
    clone = httpx.put(acl_agent.url + f"/v1/acl/token/{t['AccessorID']}/clone", headers=h)
    assert clone.json()["TemplatedPolicies"] == [SERVICE_API]


def test_token_with_builtin_dns(acl_agent: AgentThread) -> None:
    h = _root(acl_agent)
    httpx.put(acl_agent.url + "/v1/agent/service/register", headers=h, json={"Name": "db"})
    t = _token(acl_agent, h, TemplatedPolicies=[{"TemplateName": "builtin/dns"}])
    assert t["TemplatedPolicies"] == [{"TemplateName": "builtin/dns"}]
    s = _as(t["SecretID"])
    assert "db" in httpx.get(acl_agent.url + "/v1/catalog/services", headers=s).json()
    r = httpx.put(acl_agent.url + "/v1/agent/service/register", headers=s, json={"Name": "db"})
    assert r.status_code == 403
    assert httpx.put(acl_agent.url + "/v1/kv/x", headers=s, content=b"v").status_code == 403


def test_role_with_templated_policy(acl_agent: AgentThread) -> None:
    h = _root(acl_agent)
    r = httpx.put(
        acl_agent.url + "/v1/acl/role",
        headers=h,
        json={"Name": "api-role", "TemplatedPolicies": [SERVICE_API]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["TemplatedPolicies"] == [SERVICE_API]
    t = _token(acl_agent, h, Roles=[{"Name": "api-role"}])
    _service_grants(acl_agent, t["SecretID"])


def test_validation_and_dedup(acl_agent: AgentThread) -> None:
    h = _root(acl_agent)
    url = acl_agent.url + "/v1/acl/token"
    cases = [
        ({"TemplateName": "builtin/nope"}, "acl templated policy does not exist: builtin/nope"),
        ({"TemplateName": "builtin/service"}, "name is required"),
        (
            {"TemplateName": "builtin/service", "TemplateVariables": {"Name": "Bad"}},
            'service identity "Bad" has an invalid name.',
        ),
    ]
    for tp, message in cases:
        r = httpx.put(url, headers=h, json={"TemplatedPolicies": [tp]})
        assert r.status_code == 400 and message in r.text, r.text
    dns = {"TemplateName": "builtin/dns"}
    t = _token(acl_agent, h, TemplatedPolicies=[SERVICE_API, dns, SERVICE_API, dns])
    assert t["TemplatedPolicies"] == [SERVICE_API, dns]
    with_dcs = {**SERVICE_API, "Datacenters": ["dc1"]}
    assert _token(acl_agent, h, TemplatedPolicies=[with_dcs])["TemplatedPolicies"] == [with_dcs]
    other = {**SERVICE_API, "Datacenters": ["elsewhere"]}
    t = _token(acl_agent, h, TemplatedPolicies=[other])
    r = httpx.put(
        acl_agent.url + "/v1/agent/service/register",
        headers=_as(t["SecretID"]),
        json={"Name": "api"},
    )
    assert r.status_code == 403  # valid only in the datacenters listed


def test_templated_policy_endpoints(acl_agent: AgentThread) -> None:
    h = _root(acl_agent)
    url = acl_agent.url + "/v1/acl/templated-polic"
    listing = httpx.get(url + "ies", headers=h).json()
    assert {
        "builtin/service",
        "builtin/node",
        "builtin/dns",
        "builtin/nomad-server",
        "builtin/nomad-client",
        "builtin/api-gateway",
        "builtin/workload-identity",
    } <= set(listing)
    assert set(listing["builtin/dns"]) == {"TemplateName", "Schema", "Template", "Description"}
    assert listing["builtin/dns"]["Schema"] == ""
    one = httpx.get(url + "y/name/builtin/service", headers=h).json()
    assert one == listing["builtin/service"]
    assert one["Template"].startswith('\nservice "{{.Name}}" {')
    assert '"required": ["name"]' in one["Schema"]
    missing = httpx.get(url + "y/name/builtin/nope", headers=h)
    assert (missing.status_code, missing.text) == (
        404,
        "Invalid templated policy Name: builtin/nope",
    )
    preview = httpx.post(url + "y/preview/builtin/service", headers=h, json={"Name": "api"})
    assert preview.status_code == 200, preview.text
    p = preview.json()
    assert p["Rules"].startswith('\nservice "api" {') and p["Name"] == "synthetic-policy-" + p["ID"]
    bad = httpx.post(url + "y/preview/builtin/service", headers=h, json={})
    assert bad.status_code == 400 and "name is required" in bad.text
    assert httpx.get(url + "ies").status_code == 403  # acl:read


def test_snapshot_keeps_templated_policies(acl_agent: AgentThread) -> None:
    h = _root(acl_agent)
    t = _token(acl_agent, h, TemplatedPolicies=[SERVICE_API])
    role = httpx.put(
        acl_agent.url + "/v1/acl/role",
        headers=h,
        json={"Name": "r", "TemplatedPolicies": [{"TemplateName": "builtin/dns"}]},
    ).json()
    saved = httpx.get(acl_agent.url + "/v1/snapshot", headers=h)
    assert saved.status_code == 200
    httpx.delete(acl_agent.url + f"/v1/acl/token/{t['AccessorID']}", headers=h)
    httpx.delete(acl_agent.url + f"/v1/acl/role/{role['ID']}", headers=h)
    r = httpx.put(acl_agent.url + "/v1/snapshot", headers=h, content=saved.content)
    assert r.status_code == 200, r.text
    back = httpx.get(acl_agent.url + f"/v1/acl/token/{t['AccessorID']}", headers=h).json()
    assert back["TemplatedPolicies"] == [SERVICE_API]
    back_role = httpx.get(acl_agent.url + f"/v1/acl/role/{role['ID']}", headers=h).json()
    assert back_role["TemplatedPolicies"] == [{"TemplateName": "builtin/dns"}]
    _service_grants(acl_agent, t["SecretID"])
