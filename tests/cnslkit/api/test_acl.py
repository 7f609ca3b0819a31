"""ACL records and calls: Consul's JSON shapes in, Go's JSON layout out, requests as Go sends."""

from __future__ import annotations

import json

import httpx
import pytest

from cnslkit.api import acl, agent
from cnslkit.api.aclmodels import (
    ACLLink,
    ACLPolicy,
    ACLRole,
    ACLToken,
    ACLTokenExpanded,
    NodeIdentity,
    ServiceIdentity,
    TemplatedPolicy,
)
from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import ResponseError
from cnslkit.api.gotime import go_string, rfc3339nano

TOKEN_WIRE = {
    "AccessorID": "fbd2447f-7479-4329-ad13-b021d74f86ba",
    "SecretID": "869c6e91-4de9-4dab-b56e-87548435f9c6",
    "Description": "test token",
    "Policies": [{"ID": "beb04680-815b-4d7c-9e33-3d707c24672c", "Name": "hobbiton"}],
    "Roles": [{"ID": "3b0a78fe-b9c3-40de-b8ea-7d4d6674b366", "Name": "shire"}],
    "ServiceIdentities": [{"ServiceName": "gardener", "Datacenters": ["dc1", "dc2"]}],
    "NodeIdentities": [{"NodeName": "bagend", "Datacenter": "dc1"}],
    "TemplatedPolicies": [
        {"TemplateName": "builtin/service", "TemplateVariables": {"Name": "web"}},
        {"TemplateName": "builtin/dns", "Datacenters": ["dc1"]},
    ],
    "Local": False,
    "ExpirationTime": "2020-05-22T19:52:31.120000000Z",
    "CreateTime": "2020-05-22T18:52:31Z",
    "Hash": "YWJjZGVmZ2g=",
    "CreateIndex": 5,
    "ModifyIndex": 10,
}


def test_go_time_texts() -> None:
    assert rfc3339nano("2020-05-22T18:52:31.120000000Z") == "2020-05-22T18:52:31.12Z"
    assert rfc3339nano("2020-05-22T18:52:31+00:00") == "2020-05-22T18:52:31Z"
    assert rfc3339nano("2020-05-22T18:52:31.000-07:00") == "2020-05-22T18:52:31-07:00"
    assert go_string("2020-05-22T18:52:31Z") == "2020-05-22 18:52:31 +0000 UTC"
    assert go_string("2020-05-22T18:52:31.123456789Z") == "2020-05-22 18:52:31.123456789 +0000 UTC"
    assert go_string("2020-05-22T18:52:31+02:00") == "2020-05-22 18:52:31 +0200 +0200"
    with pytest.raises(ValueError, match="not RFC 3339"):
        rfc3339nano("yesterday")


def test_token_decodes_and_marshals_like_go() -> None:
    token = ACLToken.from_json(TOKEN_WIRE)
    assert token.policies == (ACLLink("beb04680-815b-4d7c-9e33-3d707c24672c", "hobbiton"),)
    assert token.service_identities == (ServiceIdentity("gardener", ("dc1", "dc2")),)
    assert token.node_identities == (NodeIdentity("bagend", "dc1"),)
    assert token.templated_policies == (
        TemplatedPolicy("builtin/service", "web"),
        TemplatedPolicy("builtin/dns", None, ("dc1",)),
    )
    assert token.hash == b"abcdefgh"
    out = token.to_json()
    assert list(out) == [
        "CreateIndex",
        "ModifyIndex",
        "AccessorID",
        "SecretID",
        "Description",
        "Policies",
        "Roles",
        "ServiceIdentities",
        "NodeIdentities",
        "TemplatedPolicies",
        "Local",
        "ExpirationTime",
        "CreateTime",
        "Hash",
    ]
    assert out["ExpirationTime"] == "2020-05-22T19:52:31.12Z"
    assert out["TemplatedPolicies"][1] == {"TemplateName": "builtin/dns", "Datacenters": ["dc1"]}


def test_empty_token_keeps_go_zero_values() -> None:
    token = ACLToken.from_json({"AccessorID": "a", "Policies": None})
    assert token.to_json() == {
        "CreateIndex": 0,
        "ModifyIndex": 0,
        "AccessorID": "a",
        "SecretID": "",
        "Description": "",
        "Local": False,
        "CreateTime": "0001-01-01T00:00:00Z",
    }
    listed = token.to_list_json()
    assert listed["Hash"] is None and "ExpirationTTL" not in listed
    ttl = ACLToken.from_json({"ExpirationTTL": "1m30s", "AuthMethod": "k8s", "Namespace": "ns"})
    assert ttl.expiration_ttl == 90 * 10**9
    out = ttl.to_json()
    assert list(out)[-5:] == ["Local", "AuthMethod", "ExpirationTTL", "CreateTime", "Namespace"]
    assert out["ExpirationTTL"] == 90_000_000_000 and out["Namespace"] == "ns"


def test_policy_and_role_layouts() -> None:
    policy = ACLPolicy.from_json(
        {"ID": "p1", "Name": "web", "Rules": 'key "" {}', "Datacenters": None, "CreateIndex": 3}
    )
    assert policy.to_json() == {
        "ID": "p1",
        "Name": "web",
        "Description": "",
        "Rules": 'key "" {}',
        "Datacenters": None,
        "Hash": None,
        "CreateIndex": 3,
        "ModifyIndex": 0,
    }
    assert "Rules" not in policy.to_list_json()
    assert ACLPolicy.from_json({"Datacenters": []}).to_json()["Datacenters"] == []
    role = ACLRole.from_json(
        {"ID": "r1", "Name": "db", "Policies": [{"ID": "p1", "Name": "web"}], "Hash": "YQ=="}
    )
    assert role.to_json() == {
        "ID": "r1",
        "Name": "db",
        "Description": "",
        "Policies": [{"ID": "p1", "Name": "web"}],
        "Hash": "YQ==",
        "CreateIndex": 0,
        "ModifyIndex": 0,
    }


def test_expanded_token_puts_its_own_fields_first() -> None:
    wire = {
        **TOKEN_WIRE,
        "ExpandedPolicies": [{"ID": "p", "Name": "n", "Rules": "r"}],
        "ExpandedRoles": None,
        "AgentACLDefaultPolicy": "deny",
        "AgentACLDownPolicy": "extend-cache",
        "ResolvedByAgent": "node-1",
    }
    expanded = ACLTokenExpanded.from_json(wire)
    out = expanded.to_json()
    assert list(out)[:8] == [
        "ExpandedPolicies",
        "ExpandedRoles",
        "NamespaceDefaultPolicyIDs",
        "NamespaceDefaultRoleIDs",
        "AgentACLDefaultPolicy",
        "AgentACLDownPolicy",
        "ResolvedByAgent",
        "CreateIndex",
    ]
    assert out["ExpandedRoles"] is None and out["ExpandedPolicies"][0]["Rules"] == "r"
    assert expanded.token.accessor_id == TOKEN_WIRE["AccessorID"]


def test_request_bodies_carry_only_what_is_set() -> None:
    token = ACLToken(
        description="d",
        policies=(ACLLink(name="web"), ACLLink(id="p1")),
        service_identities=(ServiceIdentity("api"),),
        expiration_ttl=60 * 10**9,
    )
    create = acl.token_create(token)
    assert (create.method, create.path) == ("PUT", "/v1/acl/token")
    assert json.loads(create.body or b"") == {
        "Description": "d",
        "Policies": [{"Name": "web"}, {"ID": "p1"}],
        "ServiceIdentities": [{"ServiceName": "api"}],
        "Local": False,
        "ExpirationTTL": 60_000_000_000,
    }
    read = ACLToken.from_json(TOKEN_WIRE)
    update = acl.token_update(read)
    assert update.path == "/v1/acl/token/" + read.accessor_id
    body = json.loads(update.body or b"")
    assert "CreateTime" not in body and "Hash" not in body and body["Local"] is False
    assert body["SecretID"] == read.secret_id
    with pytest.raises(ValueError, match="AccessorID"):
        acl.token_update(ACLToken())
    policy = acl.policy_create(ACLPolicy(name="p", rules="r", datacenters=("dc1",)))
    assert json.loads(policy.body or b"") == {
        "Name": "p",
        "Description": "",
        "Rules": "r",
        "Datacenters": ["dc1"],
    }
    assert acl.policy_update(ACLPolicy(id="x", name="p")).path == "/v1/acl/policy/x"
    with pytest.raises(ValueError):
        acl.policy_create(ACLPolicy(id="x"))
    role = acl.role_update(ACLRole(id="r", name="n", node_identities=(NodeIdentity("a", "b"),)))
    assert json.loads(role.body or b"") == {
        "ID": "r",
        "Name": "n",
        "Description": "",
        "NodeIdentities": [{"NodeName": "a", "Datacenter": "b"}],
    }


def test_paths_queries_and_not_found() -> None:
    assert acl.bootstrap().body == b""
    assert json.loads(acl.bootstrap("s3cret").body or b"") == {"BootstrapSecret": "s3cret"}
    assert acl.token_clone("a b").path == "/v1/acl/token/a%20b/clone"
    assert acl.token_read_expanded("t").params == (("expanded", "true"),)
    assert acl.token_list(policy="p", service_name="web").params == (
        ("policy", "p"),
        ("servicename", "web"),
    )
    assert acl.token_delete("t").method == "DELETE"
    assert acl.policy_read_by_name("a b").path == "/v1/acl/policy/name/a+b"
    assert acl.policy_read_by_name("x").finish(404, b"ACL not found") is None
    assert acl.role_read("r").finish(404, b"") is None
    role = acl.role_read_by_name("db").finish(200, b'{"ID": "r1", "Name": "db"}')
    assert role is not None and role.id == "r1"
    with pytest.raises(ResponseError, match="403"):
        acl.token_read("t").finish(403, b"ACL not found")
    assert acl.policy_list().finish(200, b'[{"ID": "p", "Name": "n"}]')[0].name == "n"
    set_token = agent.update_acl_token("default", "s")
    assert (set_token.path, set_token.body) == ("/v1/agent/token/default", b'{"Token":"s"}')
    assert set_token.finish(200, b"") is True and set_token.finish(404, b"") is False


async def test_the_async_client_sends_acl_calls() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=TOKEN_WIRE)

    cfg = ClientConfig(token="mgmt")
    async with Client(cfg, transport=httpx.MockTransport(handler)) as client:
        token = await client.send(acl.token_read_self())
    assert token.description == "test token"
    assert seen[0].url.path == "/v1/acl/token/self"
    assert seen[0].headers["X-Consul-Token"] == "mgmt"
