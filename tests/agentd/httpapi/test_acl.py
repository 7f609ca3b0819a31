from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.agents import AgentThread, wait_for


def test_acl_endpoints_answer_401_when_disabled(agent: AgentThread) -> None:
    r = httpx.put(agent.url + "/v1/acl/bootstrap")
    assert (r.status_code, r.text) == (401, "ACL support disabled")
    assert httpx.get(agent.url + "/v1/acl/policies").status_code == 401


def test_bootstrap_once_then_reset(acl_agent: AgentThread, tmp_path: Path) -> None:
    url = acl_agent.url
    r = httpx.get(url + "/v1/kv/x")
    assert r.status_code == 403
    assert r.text.startswith("ACL system must be bootstrapped") or "Permission denied" in r.text
    first = httpx.put(url + "/v1/acl/bootstrap")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["ID"] == body["SecretID"]
    assert body["Policies"] == [
        {"ID": "00000000-0000-0000-0000-000000000001", "Name": "global-management"}
    ]
    assert body["Description"] == "Bootstrap Token (Global Management)"
    again = httpx.put(url + "/v1/acl/bootstrap")
    assert again.status_code == 403
    assert again.text.startswith(
        "Permission denied: ACL bootstrap no longer allowed (reset index: "
    )
    index = again.text.rsplit(" ", 1)[1].rstrip(")")
    (tmp_path / "acl-bootstrap-reset").write_text(index)
    reset = httpx.put(url + "/v1/acl/bootstrap")
    assert reset.status_code == 200, reset.text
    assert reset.json()["SecretID"] != body["SecretID"]
    assert not (tmp_path / "acl-bootstrap-reset").exists()


def test_tokens_policies_roles(acl_agent: AgentThread) -> None:
    url = acl_agent.url
    root = httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]
    h = {"X-Consul-Token": root}
    bad = httpx.put(url + "/v1/acl/policy", headers=h, json={"Name": "bad", "Rules": 'key "a" {'})
    assert bad.status_code == 400 and bad.text.startswith("Failed to parse ACL rules")
    pol = httpx.put(
        url + "/v1/acl/policy",
        headers=h,
        json={"Name": "web", "Rules": 'service "web" { policy = "write" }'},
    ).json()
    assert pol["Name"] == "web" and "Rules" in pol
    assert httpx.get(url + "/v1/acl/policy/name/web", headers=h).json()["ID"] == pol["ID"]
    assert all("Rules" not in p for p in httpx.get(url + "/v1/acl/policies", headers=h).json())
    role = httpx.put(
        url + "/v1/acl/role", headers=h, json={"Name": "web-role", "Policies": [{"Name": "web"}]}
    ).json()
    httpx.put(url + "/v1/acl/role", headers=h, json={"Name": "bare-role", "Description": "x"})
    by_policy = httpx.get(url + "/v1/acl/roles", params={"policy": pol["ID"]}, headers=h).json()
    assert [r["Name"] for r in by_policy] == ["web-role"]
    assert len(httpx.get(url + "/v1/acl/roles", headers=h).json()) == 2
    tok = httpx.put(
        url + "/v1/acl/token",
        headers=h,
        json={
            "Description": "svc",
            "Roles": [{"ID": role["ID"]}],
            "ServiceIdentities": [{"ServiceName": "api"}],
        },
    ).json()
    secret = tok["SecretID"]
    me = httpx.get(url + "/v1/acl/token/self", headers={"X-Consul-Token": secret}).json()
    assert me["AccessorID"] == tok["AccessorID"] and me["Roles"][0]["Name"] == "web-role"
    th = {"X-Consul-Token": secret}
    ok = httpx.put(url + "/v1/agent/service/register", headers=th, json={"Name": "web"})
    assert ok.status_code == 200, ok.text
    ok = httpx.put(url + "/v1/agent/service/register", headers=th, json={"Name": "api"})
    assert ok.status_code == 200, ok.text  # from the service identity
    denied = httpx.put(url + "/v1/agent/service/register", headers=th, json={"Name": "db"})
    assert denied.status_code == 403
    assert "lacks permission 'service:write' on \"db\"" in denied.text
    clone = httpx.put(
        url + f"/v1/acl/token/{tok['AccessorID']}/clone", headers=h, json={"Description": "copy"}
    ).json()
    assert clone["Description"] == "copy" and clone["Roles"] == tok["Roles"]
    assert httpx.delete(url + f"/v1/acl/token/{clone['AccessorID']}", headers=h).text == "true\n"
    listed = [t["AccessorID"] for t in httpx.get(url + "/v1/acl/tokens", headers=h).json()]
    assert tok["AccessorID"] in listed and clone["AccessorID"] not in listed
    r = httpx.delete(url + "/v1/acl/policy/00000000-0000-0000-0000-000000000001", headers=h)
    assert r.status_code == 400
    r = httpx.delete(url + "/v1/acl/token/00000000-0000-0000-0000-000000000002", headers=h)
    assert r.status_code == 400
    hidden = httpx.get(url + f"/v1/acl/token/{tok['AccessorID']}", headers=h).json()
    assert hidden["SecretID"] == "<hidden>"  # shown once, at creation
    assert all(
        t["SecretID"] == "<hidden>" for t in httpx.get(url + "/v1/acl/tokens", headers=h).json()
    )
    by_service = httpx.get(url + "/v1/acl/tokens?servicename=api", headers=h).json()
    assert [t["AccessorID"] for t in by_service] == [tok["AccessorID"]]


def test_expired_tokens_stop_working_and_are_removed(acl_agent: AgentThread) -> None:
    url = acl_agent.url
    root = httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]
    h = {"X-Consul-Token": root}
    tok = httpx.put(
        url + "/v1/acl/token",
        headers=h,
        json={
            "Policies": [{"Name": "global-management"}],
            "ExpirationTTL": "1s",
        },
    ).json()
    assert "ExpirationTime" in tok
    th = {"X-Consul-Token": tok["SecretID"]}
    assert httpx.get(url + "/v1/acl/tokens", headers=th).status_code == 200
    time.sleep(1.1)
    r = httpx.get(url + "/v1/acl/tokens", headers=th)
    assert (r.status_code, r.text) == (403, "ACL not found")
    acl_agent.agent.leader.token_expiry_interval = 0.1
    wait_for(
        lambda: (
            tok["AccessorID"]
            not in [t["AccessorID"] for t in httpx.get(url + "/v1/acl/tokens", headers=h).json()]
        ),
        10,
    )


def test_agent_token_default_is_used_for_requests_without_one(acl_agent: AgentThread) -> None:
    url = acl_agent.url
    root = httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]
    h = {"X-Consul-Token": root}
    assert httpx.get(url + "/v1/kv/k").status_code == 403
    r = httpx.put(url + "/v1/agent/token/default", headers=h, json={"Token": root})
    assert r.status_code == 200
    assert httpx.get(url + "/v1/kv/k").status_code == 404  # allowed now; the key is missing


def test_agent_tokens_persist_when_asked(tmp_path: Path) -> None:
    hcl = 'acl { enabled = true  default_policy = "deny"  enable_token_persistence = true }'
    first = AgentThread("-data-dir", str(tmp_path), "-hcl", hcl).start()
    try:
        root = httpx.put(first.url + "/v1/acl/bootstrap").json()["SecretID"]
        r = httpx.put(
            first.url + "/v1/agent/token/default",
            json={"Token": root},
            headers={"X-Consul-Token": root},
        )
        assert r.status_code == 200
    finally:
        first.stop()
    assert (tmp_path / "acl-tokens.json").stat().st_mode & 0o777 == 0o600
    second = AgentThread("-data-dir", str(tmp_path), "-hcl", hcl).start()
    try:
        assert httpx.get(second.url + "/v1/kv/k").status_code == 404  # default token applies
    finally:
        second.stop()


def test_recursive_delete_needs_write_on_everything_under_the_prefix(
    acl_agent: AgentThread,
) -> None:
    url = acl_agent.url
    root = httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]
    h = {"X-Consul-Token": root}
    rules = 'key_prefix "app/" { policy = "write" }\nkey "app/locked" { policy = "read" }'
    httpx.put(url + "/v1/acl/policy", headers=h, json={"Name": "app", "Rules": rules})
    secret = httpx.put(
        url + "/v1/acl/token", headers=h, json={"Policies": [{"Name": "app"}]}
    ).json()["SecretID"]
    th = {"X-Consul-Token": secret}
    assert httpx.put(url + "/v1/kv/app/a", headers=th, content=b"1").text == "true\n"
    assert httpx.put(url + "/v1/kv/app/locked", headers=th, content=b"1").status_code == 403
    r = httpx.delete(url + "/v1/kv/app/?recurse", headers=th)
    assert r.status_code == 403 and "key:write" in r.text
    assert httpx.delete(url + "/v1/kv/app/a?recurse", headers=th).text == "true\n"
    txn = [{"KV": {"Verb": "delete-tree", "Key": "app/"}}]
    assert httpx.put(url + "/v1/txn", headers=th, json=txn).status_code == 403


def test_reload_applies_config_tokens_but_not_over_api_ones(tmp_path: Path) -> None:
    conf = tmp_path / "acl.hcl"
    base = 'acl { enabled = true  default_policy = "deny"  %s }'
    conf.write_text(base % "")
    agent = AgentThread("-data-dir", str(tmp_path / "data"), "-config-file", str(conf)).start()
    try:
        url = agent.url
        root = httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]
        h = {"X-Consul-Token": root}
        assert httpx.get(url + "/v1/kv/k").status_code == 403

        conf.write_text(base % f'tokens {{ default = "{root}" }}')
        assert httpx.put(url + "/v1/agent/reload", headers=h).status_code == 200
        assert httpx.get(url + "/v1/kv/k").status_code == 404  # the new default token applies

        conf.write_text(base.replace('"deny"', '"allow"') % "")  # policy: only after a restart
        assert httpx.put(url + "/v1/agent/reload", headers=h).status_code == 200
        assert httpx.get(url + "/v1/kv/k").status_code == 403  # token gone, policy still deny

        r = httpx.put(url + "/v1/agent/token/default", headers=h, json={"Token": root})
        assert r.status_code == 200
        conf.write_text(base % 'tokens { default = "00000000-0000-0000-0000-00000000dead" }')
        assert httpx.put(url + "/v1/agent/reload", headers=h).status_code == 200
        assert httpx.get(url + "/v1/kv/k").status_code == 404  # the API's token stays
    finally:
        agent.stop()


def test_token_ids_must_be_uuids_and_missing_tokens_are_403(acl_agent: AgentThread) -> None:
    url = acl_agent.url
    h = {"X-Consul-Token": httpx.put(url + "/v1/acl/bootstrap").json()["SecretID"]}
    for field in ("AccessorID", "SecretID"):
        r = httpx.put(url + "/v1/acl/token", headers=h, json={field: "not-a-uuid"})
        assert (r.status_code, r.text) == (400, f"Invalid Token: {field} is not a valid UUID")
    given = {"AccessorID": "6b0a4a56-8f5e-4c1d-9d3e-2f1a0b9c8d7e",
             "SecretID": "0f6e5d4c-3b2a-4190-8877-665544332211"}  # fmt: skip
    r = httpx.put(url + "/v1/acl/token", headers=h, json=given)
    assert r.status_code == 200 and r.json()["SecretID"] == given["SecretID"]
    missing = httpx.get(url + "/v1/acl/token/11111111-2222-3333-4444-555555555555", headers=h)
    assert (missing.status_code, missing.text) == (403, "ACL not found")
    no_token = httpx.get(url + "/v1/acl/token/self")
    assert (no_token.status_code, no_token.text) == (403, "ACL not found")


def test_replication_status_of_the_only_datacenter(
    acl_agent: AgentThread, agent: AgentThread
) -> None:
    r = httpx.get(acl_agent.url + "/v1/acl/replication")  # no token needed
    assert r.status_code == 200
    body = r.json()
    assert (body["Enabled"], body["Running"], body["SourceDatacenter"]) == (False, False, "dc1")
    assert body["LastSuccess"] == "0001-01-01T00:00:00Z"
    off = httpx.get(agent.url + "/v1/acl/replication")
    assert (off.status_code, off.text) == (401, "ACL support disabled")
