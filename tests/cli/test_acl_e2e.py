"""``cnsl acl`` as users run it, against a real dev agent with ACLs enabled (default deny)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import AgentThread
from tests.cli.runner import Cnsl

ACL_HCL = 'acl { enabled = true  default_policy = "deny" }'
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def field(text: str, label: str) -> str:
    """The value of a ``Label:   value`` line of a pretty printout."""
    m = re.search(rf"^{label}:\s+(.*)$", text, re.M)
    assert m, f"no {label} in:\n{text}"
    return m.group(1)


@pytest.fixture(scope="module")
def acl_agent() -> Iterator[AgentThread]:
    handle = AgentThread("-hcl", ACL_HCL).start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def management(acl_agent: AgentThread) -> str:
    """Bootstraps the module's agent once; the SecretID of the management token."""
    out = Cnsl(acl_agent.http_addr).ok("acl", "bootstrap")
    assert field(out, "Description") == "Bootstrap Token (Global Management)"
    assert "00000000-0000-0000-0000-000000000001 - global-management" in out
    return field(out, "SecretID")


@pytest.fixture
def cnsl(acl_agent: AgentThread, management: str) -> Cnsl:
    runner = Cnsl(acl_agent.http_addr)
    runner.env["CONSUL_HTTP_TOKEN"] = management
    return runner


def test_bootstrap_once(acl_agent: AgentThread, management: str) -> None:
    again = Cnsl(acl_agent.http_addr)("acl", "bootstrap")
    assert again.returncode == 1 and again.stdout == b""
    assert again.stderr.startswith(
        b"Failed ACL bootstrapping: Unexpected response code: 403 (Permission denied: "
        b"ACL bootstrap no longer allowed (reset index: "
    )


def test_pretty_layout_of_a_token(cnsl: Cnsl, management: str) -> None:
    out = cnsl.ok("acl", "token", "read", "-self")
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:5]] == [
        "AccessorID",
        "SecretID",
        "Description",
        "Local",
        "Create Time",
    ]
    assert lines[1] == f"SecretID:         {management}"
    assert re.fullmatch(rf"AccessorID:       {UUID}", lines[0])
    assert re.fullmatch(
        r"Create Time:      \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC", lines[4]
    )
    assert out.endswith("global-management\n\n")  # Consul's UI.Info adds a newline to the text


def test_policy_lifecycle(cnsl: Cnsl, tmp_path: Path) -> None:
    rules = tmp_path / "rules.hcl"
    rules.write_text('key_prefix "app/" {\n  policy = "write"\n}\n')
    out = cnsl.ok(
        "acl", "policy", "create", "-name=app-rw", "-description=app keys", f"-rules=@{rules}"
    )
    policy_id = field(out, "ID")
    assert out.endswith('Rules:\nkey_prefix "app/" {\n  policy = "write"\n}\n\n')
    assert field(out, "Name") == "app-rw" and field(out, "Description") == "app keys"
    by_prefix = cnsl.ok("acl", "policy", "read", f"-id={policy_id[:8]}")
    assert field(by_prefix, "ID") == policy_id
    as_json = json.loads(cnsl.ok("acl", "policy", "read", "-name=app-rw", "-format=json"))
    assert as_json["ID"] == policy_id and as_json["Rules"] == rules.read_text()
    updated = cnsl.ok("acl", "policy", "update", "-name=app-rw", "-description=changed")
    assert field(updated, "Description") == "changed" and "key_prefix" in updated
    listed = cnsl.ok("acl", "policy", "list")
    assert f"app-rw:\n   ID:           {policy_id}\n   Description:  changed\n" in listed
    assert "global-management:\n" in listed
    gone = cnsl.ok("acl", "policy", "delete", "-name=app-rw")
    assert gone == f'Policy "{policy_id}" deleted successfully\n'
    missing = cnsl("acl", "policy", "read", "-name=app-rw")
    assert missing.returncode == 1 and missing.stderr == b"Error policy not found: app-rw\n"


def test_rules_from_stdin_and_usage_errors(cnsl: Cnsl) -> None:
    out = cnsl.ok("acl", "policy", "create", "-name=stdin-rules", "-rules=-", stdin=b'acl = "read"')
    assert out.endswith('Rules:\nacl = "read"\n')
    no_name = cnsl("acl", "policy", "create")
    assert no_name.returncode == 2 and no_name.stderr == b"Missing require '-name' flag\n"
    no_link = cnsl("acl", "token", "create", "-description=x")
    assert no_link.returncode == 2 and no_link.stderr.startswith(
        b"Cannot create a token without specifying -policy-name, -policy-id, -role-name"
    )
    bad_flag = cnsl("acl", "token", "create", "-nope")
    assert bad_flag.returncode == 2
    assert bad_flag.stderr.startswith(b"flag provided but not defined: -nope\n")


def test_token_lifecycle_and_enforcement(cnsl: Cnsl) -> None:
    cnsl.ok("acl", "policy", "create", "-name=kv-rw", '-rules=key_prefix "t/" { policy = "write" }')
    cnsl.ok("acl", "policy", "create", "-name=kv-ro", '-rules=key_prefix "" { policy = "read" }')
    out = cnsl.ok("acl", "token", "create", "-description=app", "-policy-name=kv-ro")
    accessor, secret = field(out, "AccessorID"), field(out, "SecretID")
    assert re.search(rf"^Policies:\n   {UUID} - kv-ro$", out, re.M)

    denied = cnsl("kv", "put", f"-token={secret}", "t/x", "1")
    assert denied.returncode == 1 and b"403" in denied.stderr
    updated = cnsl.ok(
        "acl", "token", "update", f"-accessor-id={accessor[:10]}", "-append-policy-name=kv-rw"
    )
    assert "- kv-ro\n" in updated and "- kv-rw\n" in updated
    assert field(updated, "Description") == "app"
    assert cnsl.ok("kv", "put", f"-token={secret}", "t/x", "1") == "Success! Data written to: t/x\n"

    read = json.loads(cnsl.ok("acl", "token", "read", f"-accessor-id={accessor}", "-format=json"))
    assert read["AccessorID"] == accessor and [p["Name"] for p in read["Policies"]] == [
        "kv-ro",
        "kv-rw",
    ]
    own = cnsl.ok("acl", "token", "read", "-self", f"-token={secret}")
    assert field(own, "AccessorID") == accessor

    clone = cnsl.ok("acl", "token", "clone", f"-accessor-id={accessor}", "-description=copy")
    assert field(clone, "Description") == "copy" and field(clone, "AccessorID") != accessor
    listed = cnsl.ok("acl", "token", "list")
    assert f"AccessorID:       {accessor}\n" in listed
    assert "AccessorID:       00000000-0000-0000-0000-000000000002\n" in listed  # anonymous
    assert cnsl.ok("acl", "token", "delete", f"-accessor-id={accessor}") == (
        f'Token "{accessor}" deleted successfully\n'
    )
    after = cnsl("acl", "token", "read", f"-accessor-id={accessor}")
    assert after.returncode == 1 and after.stderr.startswith(
        f'Error reading token "{accessor}"'.encode()
    )


def test_token_with_identities_expiry_and_json(cnsl: Cnsl) -> None:
    out = cnsl.ok(
        "acl",
        "token",
        "create",
        "-service-identity=web:dc1",
        "-service-identity=db",
        "-node-identity=node-1:dc1",
        "-expires-ttl=1h",
        "-local",
    )
    assert "Service Identities:\n   web (Datacenters: dc1)\n   db (Datacenters: all)\n" in out
    assert "Node Identities:\n   node-1 (Datacenter: dc1)\n" in out
    assert field(out, "Local") == "true" and "Expiration Time:  " in out
    as_json = json.loads(
        cnsl.ok("acl", "token", "create", "-node-identity=node-2:dc1", "-format=json")
    )
    assert as_json["NodeIdentities"] == [{"NodeName": "node-2", "Datacenter": "dc1"}]
    assert list(as_json)[:5] == [
        "CreateIndex",
        "ModifyIndex",
        "AccessorID",
        "SecretID",
        "Description",
    ]


def test_role_lifecycle(cnsl: Cnsl) -> None:
    cnsl.ok(
        "acl", "policy", "create", "-name=role-pol", '-rules=node_prefix "" { policy = "read" }'
    )
    out = cnsl.ok(
        "acl", "role", "create", "-name=ops", "-policy-name=role-pol", "-service-identity=api"
    )
    role_id = field(out, "ID")
    assert re.search(rf"^Policies:\n   {UUID} - role-pol$", out, re.M)
    assert "Service Identities:\n   api (Datacenters: all)\n" in out
    token = cnsl.ok("acl", "token", "create", "-role-name=ops")
    assert f"Roles:\n   {role_id} - ops\n" in token
    assert field(cnsl.ok("acl", "role", "read", "-name=ops"), "ID") == role_id
    updated = cnsl.ok("acl", "role", "update", f"-id={role_id[:8]}", "-node-identity=n9:dc1")
    assert (
        "Node Identities:\n   n9 (Datacenter: dc1)\n" in updated and "api (Datacenters" in updated
    )
    assert f"ops:\n   ID:           {role_id}\n" in cnsl.ok("acl", "role", "list")
    assert (
        cnsl.ok("acl", "role", "delete", "-name=ops") == f'Role "{role_id}" deleted successfully\n'
    )


def test_without_acl_write_the_agent_refuses(cnsl: Cnsl, acl_agent: AgentThread) -> None:
    cnsl.ok("acl", "policy", "create", "-name=reader", '-rules=key_prefix "" { policy = "read" }')
    secret = field(cnsl.ok("acl", "token", "create", "-policy-name=reader"), "SecretID")
    plain = Cnsl(acl_agent.http_addr)
    refused = plain("acl", "policy", "create", "-name=nope", f"-token={secret}")
    assert refused.returncode == 1
    assert refused.stderr.startswith(b"Failed to create new policy: Unexpected response code: 403")
    anonymous = plain("acl", "token", "list")
    assert anonymous.returncode == 1
    assert anonymous.stderr.startswith(b"Failed to retrieve the token list: Unexpected response")


def test_token_file_flag_and_set_agent_token(cnsl: Cnsl, management: str, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(management + "\n")
    plain = Cnsl(cnsl.env["CONSUL_HTTP_ADDR"])
    out = plain("acl", "token", "read", "-self", f"-token-file={token_file}")
    assert out.returncode == 0 and field(out.stdout.decode(), "SecretID") == management
    assert cnsl.ok("acl", "set-agent-token", "agent", management) == (
        'ACL token "agent" set successfully\n'
    )
    missing = cnsl("acl", "set-agent-token", "default")
    assert missing.returncode == 2 and missing.stderr == b"Error! Missing TOKEN argument\n"


def test_expanded_read_shows_rules(cnsl: Cnsl) -> None:
    cnsl.ok("acl", "policy", "create", "-name=exp-pol", '-rules=operator = "read"')
    out = cnsl.ok("acl", "token", "create", "-policy-name=exp-pol", "-node-identity=n1:dc1")
    accessor = field(out, "AccessorID")
    expanded = cnsl.ok("acl", "token", "read", f"-accessor-id={accessor}", "-expanded")
    assert "Policies:\n\tPolicy Name: exp-pol\n" in expanded
    assert '\t\tRules:\n\t\t\toperator = "read"\n\n' in expanded
    assert "\tName: n1 (Datacenter: dc1)\n" in expanded
    assert "Default Policy: deny\n" in expanded
