"""cnsl acl without an agent: flags, what is sent, messages and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from cli import acl, acl_policy, acl_role, acl_token
from cli.command import UsageProblem
from cli.goflags import parse
from tests.cli.runner import FakeHttp, run

ACCESSOR = "fbd2447f-7479-4329-ad13-b021d74f86ba"
SECRET = "869c6e91-4de9-4dab-b56e-87548435f9c6"
POLICY_ID = "beb04680-815b-4d7c-9e33-3d707c24672c"
ROLE_ID = "3b0a78fe-b9c3-40de-b8ea-7d4d6674b366"


def body(obj: Any) -> tuple[int, bytes]:
    return 200, json.dumps(obj).encode()


def token(**fields: Any) -> dict[str, Any]:
    return {
        "AccessorID": ACCESSOR,
        "SecretID": SECRET,
        "Description": "",
        "Local": False,
        "CreateTime": "2024-01-02T03:04:05.5Z",
        "Hash": "YWJj",
        "CreateIndex": 7,
        "ModifyIndex": 7,
        **fields,
    }


def sent(http: FakeHttp, i: int = -1) -> Any:
    payload = http.calls[i][3]
    return json.loads(payload) if payload else None


PRETTY = (
    f"AccessorID:       {ACCESSOR}\n"
    f"SecretID:         {SECRET}\n"
    "Description:      \n"
    "Local:            false\n"
    "Create Time:      2024-01-02 03:04:05.5 +0000 UTC\n"
)


def test_bootstrap_prints_the_management_token() -> None:
    reply = token(
        Description="Bootstrap Token (Global Management)",
        Policies=[{"ID": "00000000-0000-0000-0000-000000000001", "Name": "global-management"}],
        ID=SECRET,
    )
    http = FakeHttp(body(reply))
    code, out, err = run(acl.COMMANDS["bootstrap"], [], http)
    assert (code, err) == (0, "")
    assert out == PRETTY.replace(
        "Description:      \n", "Description:      Bootstrap Token (Global Management)\n"
    ) + ("Policies:\n   00000000-0000-0000-0000-000000000001 - global-management\n\n")
    assert http.calls == [("PUT", "/v1/acl/bootstrap", [], b"")]
    code, out, _ = run(acl.COMMANDS["bootstrap"], ["-format=json"], FakeHttp(body(reply)))
    assert (
        code == 0
        and f'"ID": "{SECRET}"' not in out
        and out.startswith('{\n    "CreateIndex": 7,\n')
    )
    denied = b"Permission denied: ACL bootstrap no longer allowed (reset index: 13)"
    assert run(acl.COMMANDS["bootstrap"], [], FakeHttp((403, denied))) == (
        1,
        "",
        f"Failed ACL bootstrapping: Unexpected response code: 403 ({denied.decode()})\n",
    )


def test_bootstrap_secret_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    http = FakeHttp(body(token()))
    assert run(acl.COMMANDS["bootstrap"], [str(secret_file)], http)[0] == 0
    assert sent(http) == {"BootstrapSecret": SECRET}
    missing = run(acl.COMMANDS["bootstrap"], [str(tmp_path / "nope")], FakeHttp())
    assert missing[0] == 1 and missing[2].startswith(
        f"Error reading provided token: Failed to read file: open {tmp_path / 'nope'}: no such"
    )
    assert run(acl.COMMANDS["bootstrap"], ["a", "b"], FakeHttp()) == (
        2,
        "",
        "This command takes up to one argument\n",
    )


def test_set_agent_token() -> None:
    http = FakeHttp((200, b""))
    assert run(acl.COMMANDS["set-agent-token"], ["default", SECRET], http) == (
        0,
        'ACL token "default" set successfully\n',
        "",
    )
    assert http.calls == [
        ("PUT", "/v1/agent/token/default", [], b'{"Token":"%s"}' % SECRET.encode())
    ]
    legacy = FakeHttp((404, b""), (200, b""))
    assert run(acl.COMMANDS["set-agent-token"], ["recovery", "x"], legacy)[0] == 0
    assert [c[1] for c in legacy.calls] == [
        "/v1/agent/token/agent_recovery",
        "/v1/agent/token/agent_master",
    ]
    failed = run(acl.COMMANDS["set-agent-token"], ["agent", "x"], FakeHttp((403, b"denied")))
    assert failed == (
        1,
        "",
        'Failed to set ACL token "agent": Unexpected response code: 403 (denied)\n',
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "Error! Missing TYPE and TOKEN arguments"),
        (["default"], "Error! Missing TOKEN argument"),
        (["secret-only"], "Error! MISSING TYPE argument"),
        (["a", "b", "c"], "Error! Too many arguments: expected 2 got 3"),
        (["master", "x"], "Unknown token type"),
    ],
)
def test_set_agent_token_usage(argv: list[str], message: str) -> None:
    assert run(acl.COMMANDS["set-agent-token"], argv, FakeHttp()) == (2, "", message + "\n")


def test_identity_flags() -> None:
    idents = acl.service_identities(["web", "db:dc1,dc2", "x:"])
    assert [(i.service_name, i.datacenters) for i in idents] == [
        ("web", ()),
        ("db", ("dc1", "dc2")),
        ("x", ("",)),  # as Go's strings.Split gives it
    ]
    assert acl.node_identities(["n1:dc1"])[0].datacenter == "dc1"
    with pytest.raises(UsageProblem, match='Malformed -node-identity argument: "n1"'):
        acl.node_identities(["n1"])
    with pytest.raises(UsageProblem, match='Malformed -service-identity argument: "a:b:c"'):
        acl.service_identities(["a:b:c"])
    assert acl.templated_policies("builtin/service", ["Name:api"])[0].name == "api"
    assert acl.templated_policies("builtin/dns", [])[0].name is None
    with pytest.raises(UsageProblem, match="expecting VariableName:Value"):
        acl.templated_policies("builtin/service", ["api"])


def test_token_create_needs_a_link() -> None:
    assert run(acl_token.COMMANDS["create"], ["-description=x"], FakeHttp()) == (
        2,
        "",
        "Cannot create a token without specifying -policy-name, -policy-id, -role-name, "
        "-role-id, -service-identity, -node-identity, or -templated-policy at least once\n",
    )
    bad_format = run(acl_token.COMMANDS["create"], ["-policy-name=a", "-format=yaml"], FakeHttp())
    assert bad_format == (2, "", "Unknown format: yaml\n")


def test_token_create_sends_names_and_resolved_ids() -> None:
    policies = [{"ID": POLICY_ID, "Name": "web"}, {"ID": "c0ffee00-0000-0000-0000-000000000000"}]
    http = FakeHttp(body(policies), body(token(Description="d")))
    argv = [
        "-description=d",
        "-policy-id=beb0",
        "-policy-name=db",
        f"-role-id={ROLE_ID}",
        "-role-name=ops",
        "-service-identity=web:dc1,dc2",
        "-node-identity=n1:dc1",
        "-templated-policy=builtin/service",
        "-var=name:api",
        "-expires-ttl=1h",
        "-local",
        f"-accessor={ACCESSOR}",
        f"-secret={SECRET}",
    ]
    code, out, err = run(acl_token.COMMANDS["create"], argv, http)
    assert (code, err) == (0, "")
    assert out == PRETTY.replace("Description:      \n", "Description:      d\n") + "\n"
    assert http.calls[0][:2] == ("GET", "/v1/acl/policies")
    assert http.calls[1][:2] == ("PUT", "/v1/acl/token")
    assert sent(http) == {
        "AccessorID": ACCESSOR,
        "SecretID": SECRET,
        "Description": "d",
        "Policies": [{"Name": "db"}, {"ID": POLICY_ID}],
        "Roles": [{"Name": "ops"}, {"ID": ROLE_ID}],
        "ServiceIdentities": [{"ServiceName": "web", "Datacenters": ["dc1", "dc2"]}],
        "NodeIdentities": [{"NodeName": "n1", "Datacenter": "dc1"}],
        "TemplatedPolicies": [
            {"TemplateName": "builtin/service", "TemplateVariables": {"Name": "api"}}
        ],
        "Local": True,
        "ExpirationTTL": 3600 * 10**9,
    }


def test_token_create_failures() -> None:
    unknown = run(acl_token.COMMANDS["create"], ["-policy-id=zz"], FakeHttp(body([])))
    assert unknown == (1, "", "Error resolving policy ID zz: No such policy ID with prefix: zz\n")
    two = body([{"ID": "ab1"}, {"ID": "ab2"}])
    ambiguous = run(acl_token.COMMANDS["create"], ["-role-id=ab"], FakeHttp(two))
    assert ambiguous[2] == "Error resolving role ID ab: Partial role ID is not unique\n"
    refused = run(acl_token.COMMANDS["create"], ["-policy-name=x"], FakeHttp((403, b"no")))
    assert refused == (1, "", "Failed to create new token: Unexpected response code: 403 (no)\n")
    builtin = FakeHttp(body(token()))
    assert run(acl_token.COMMANDS["create"], ["-policy-id=global-management"], builtin)[0] == 0
    assert sent(builtin)["Policies"] == [{"ID": "00000000-0000-0000-0000-000000000001"}]


def test_token_read_variants() -> None:
    listing = body(
        [{"AccessorID": ACCESSOR}, {"AccessorID": "00000000-0000-0000-0000-000000000002"}]
    )
    http = FakeHttp(listing, body(token()))
    assert run(acl_token.COMMANDS["read"], ["-accessor-id=fbd2"], http) == (0, PRETTY + "\n", "")
    assert http.calls[1][:2] == ("GET", f"/v1/acl/token/{ACCESSOR}")
    deprecated = run(acl_token.COMMANDS["read"], [f"-id={ACCESSOR}"], FakeHttp(body(token())))
    assert deprecated == (
        0,
        PRETTY + "\n",
        "Use the -accessor-id parameter to specify token by Accessor ID\n",
    )
    anon = FakeHttp(body(token()))
    run(acl_token.COMMANDS["read"], ["-accessor-id=anonymous"], anon)
    assert anon.calls[0][1] == "/v1/acl/token/00000000-0000-0000-0000-000000000002"
    self_http = FakeHttp(body(token()))
    assert run(acl_token.COMMANDS["read"], ["-self", "-meta"], self_http)[1].endswith(
        "Hash:             616263\nCreate Index:     7\nModify Index:     7\n\n"
    )
    assert self_http.calls[0][1] == "/v1/acl/token/self"
    expanded = FakeHttp(body({**token(), "AgentACLDefaultPolicy": "deny"}))
    code, out, _ = run(
        acl_token.COMMANDS["read"], [f"-accessor-id={ACCESSOR}", "-expanded"], expanded
    )
    assert code == 0 and "Default Policy: deny\n" in out
    assert expanded.calls[0][2] == [("expanded", "true")]


def test_token_read_errors() -> None:
    read = acl_token.COMMANDS["read"]
    assert run(read, [], FakeHttp()) == (2, "", "Must specify the -accessor-id parameter\n")
    assert run(read, ["-self", "-expanded"], FakeHttp())[0] == 2
    missing = run(read, ["-accessor-id=ab"], FakeHttp(body([])))
    assert missing == (1, "", "Error determining token ID: No such token ID with prefix: ab\n")
    gone = run(read, [f"-accessor-id={ACCESSOR}"], FakeHttp((403, b"ACL not found")))
    assert gone[2] == (
        f'Error reading token "{ACCESSOR}": Unexpected response code: 403 (ACL not found)\n'
    )
    assert run(read, ["-self"], FakeHttp((403, b"x")))[2].startswith("Error reading token: ")
    assert run(read, ["-self", "extra"], FakeHttp())[0] == 2


def test_token_update_replaces_and_appends() -> None:
    current = token(
        Description="old",
        Policies=[{"ID": POLICY_ID, "Name": "web"}],
        ServiceIdentities=[{"ServiceName": "api"}],
    )
    http = FakeHttp(body(current), body(current))
    argv = [f"-accessor-id={ACCESSOR}", "-append-policy-name=db", "-append-policy-name=web"]
    assert run(acl_token.COMMANDS["update"], [*argv, "-description=new"], http)[0] == 0
    update = sent(http)
    assert http.calls[1][:2] == ("PUT", f"/v1/acl/token/{ACCESSOR}")
    assert update["Description"] == "new"
    assert update["Policies"] == [{"ID": POLICY_ID, "Name": "web"}, {"Name": "db"}]
    assert update["ServiceIdentities"] == [{"ServiceName": "api"}]  # kept
    assert update["SecretID"] == SECRET and update["Local"] is False
    replace = FakeHttp(body(current), body(current))
    argv = [f"-accessor-id={ACCESSOR}", "-policy-name=db", "-append-service-identity=api:dc2"]
    run(acl_token.COMMANDS["update"], [*argv, "-append-node-identity=n:dc1"], replace)
    update = sent(replace)
    assert update["Policies"] == [{"Name": "db"}] and update["Description"] == "old"
    assert update["ServiceIdentities"] == [{"ServiceName": "api", "Datacenters": ["dc2"]}]
    assert update["NodeIdentities"] == [{"NodeName": "n", "Datacenter": "dc1"}]


def test_token_update_errors() -> None:
    update = acl_token.COMMANDS["update"]
    assert run(update, [], FakeHttp()) == (
        2,
        "",
        "Cannot update a token without specifying the -accessor-id parameter\n",
    )
    both = run(update, ["-accessor-id=a", "-policy-id=x", "-append-policy-name=y"], FakeHttp())
    assert both[0] == 2 and both[2].startswith(
        "Cannot combine the use of policy-id/policy-name flags with append- variants. "
        "To set or overwrite existing policies, use -policy-id or -policy-name."
    )
    idents = run(
        update, ["-accessor-id=a", "-node-identity=a:b", "-append-node-identity=c:d"], FakeHttp()
    )
    assert idents[2] == (
        "Cannot combine the use of node-identity flag with append-node-identity. "
        "To set or overwrite existing node identities, use -node-identity. "
        "To append to existing node identities, use -append-node-identity.\n"
    )
    gone = run(update, [f"-accessor-id={ACCESSOR}"], FakeHttp((403, b"ACL not found")))
    assert gone[2].startswith("Error when retrieving current token: ")
    refused = run(update, [f"-accessor-id={ACCESSOR}"], FakeHttp(body(token()), (400, b"bad")))
    assert refused[2] == f"Failed to update token {ACCESSOR}: Unexpected response code: 400 (bad)\n"


def test_token_delete_list_clone() -> None:
    http = FakeHttp((200, b"true"))
    assert run(acl_token.COMMANDS["delete"], [f"-accessor-id={ACCESSOR}"], http) == (
        0,
        f'Token "{ACCESSOR}" deleted successfully\n',
        "",
    )
    assert http.calls == [("DELETE", f"/v1/acl/token/{ACCESSOR}", [], None)]
    failed = run(acl_token.COMMANDS["delete"], [f"-id={ACCESSOR}"], FakeHttp((403, b"no")))
    assert failed[2] == (
        "Use the -accessor-id parameter to specify token by Accessor ID.\n"
        f'Error deleting token "{ACCESSOR}": Unexpected response code: 403 (no)\n'
    )
    listed = run(acl_token.COMMANDS["list"], [], FakeHttp(body([token(), token()])))
    assert listed == (0, PRETTY + "\n" + PRETTY + "\n", "")
    assert run(acl_token.COMMANDS["list"], [], FakeHttp(body([]))) == (0, "", "")
    assert run(acl_token.COMMANDS["list"], ["-format=json"], FakeHttp(body([])))[1] == "[]\n"
    clone = FakeHttp(body(token(Description="copy")))
    code, out, _ = run(acl_token.COMMANDS["clone"], [f"-id={ACCESSOR}", "-description=copy"], clone)
    assert code == 0 and "Description:      copy\n" in out
    assert clone.calls[0][:2] == ("PUT", f"/v1/acl/token/{ACCESSOR}/clone")
    assert sent(clone) == {"Description": "copy"}
    assert run(acl_token.COMMANDS["clone"], [], FakeHttp())[2] == (
        "Cannot update a token without specifying the -accessor-id parameter\n"
    )


POLICY = {
    "ID": POLICY_ID,
    "Name": "web",
    "Description": "",
    "Rules": 'service "web" { policy = "write" }',
    "Datacenters": None,
    "Hash": "YWJj",
    "CreateIndex": 9,
    "ModifyIndex": 9,
}
POLICY_PRETTY = (
    f"ID:           {POLICY_ID}\n"
    "Name:         web\n"
    "Description:  \n"
    "Datacenters:  \n"
    "Rules:\n"
    'service "web" { policy = "write" }\n'
)


def test_policy_create_rules_from_text_file_and_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create = acl_policy.COMMANDS["create"]
    http = FakeHttp(body(POLICY))
    argv = ["-name=web", "-rules", POLICY["Rules"], "-valid-datacenter=dc1"]
    assert run(create, argv, http) == (0, POLICY_PRETTY, "")
    assert http.calls[0][:2] == ("PUT", "/v1/acl/policy")
    assert sent(http) == {
        "Name": "web",
        "Description": "",
        "Rules": POLICY["Rules"],
        "Datacenters": ["dc1"],
    }
    rules = tmp_path / "rules.hcl"
    rules.write_text('key_prefix "" { policy = "read" }\n')
    from_file = FakeHttp(body(POLICY))
    run(create, ["-name=web", f"-rules=@{rules}"], from_file)
    assert sent(from_file)["Rules"] == 'key_prefix "" { policy = "read" }\n'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"acl = 'read'")))
    from_stdin = FakeHttp(body(POLICY))
    run(create, ["-name=web", "-rules=-"], from_stdin)
    assert sent(from_stdin)["Rules"] == "acl = 'read'"
    missing = run(create, ["-name=web", f"-rules=@{tmp_path / 'nope'}"], FakeHttp())
    assert missing[0] == 1 and missing[2].startswith("Error loading rules: Failed to read file: ")
    assert run(create, [], FakeHttp()) == (2, "", "Missing require '-name' flag\n")
    refused = run(create, ["-name=x"], FakeHttp((400, b"Invalid Policy")))
    assert (
        refused[2]
        == "Failed to create new policy: Unexpected response code: 400 (Invalid Policy)\n"
    )


def test_policy_read() -> None:
    read = acl_policy.COMMANDS["read"]
    by_id = FakeHttp(body([POLICY]), body(POLICY))
    assert run(read, ["-id=beb"], by_id) == (0, POLICY_PRETTY, "")
    assert [c[1] for c in by_id.calls] == ["/v1/acl/policies", f"/v1/acl/policy/{POLICY_ID}"]
    by_name = FakeHttp(body(POLICY))
    assert run(read, ["-name=web", "-format=json"], by_name)[1].startswith('{\n    "ID": ')
    assert by_name.calls[0][1] == "/v1/acl/policy/name/web"
    assert run(read, ["-name=none"], FakeHttp((404, b""))) == (
        1,
        "",
        "Error policy not found: none\n",
    )
    assert run(read, [], FakeHttp()) == (2, "", "Must specify either the -id or -name parameters\n")
    denied = run(read, [f"-id={POLICY_ID}"], FakeHttp((403, b"no")))
    assert (
        denied[2] == f'Error reading policy "id:{POLICY_ID}": Unexpected response code: 403 (no)\n'
    )


def test_policy_update_merges_unless_told_not_to() -> None:
    update = acl_policy.COMMANDS["update"]
    http = FakeHttp(body(POLICY), body(POLICY), body(POLICY))
    assert run(update, ["-name=web", "-description=", "-valid-datacenter=dc2"], http)[0] == 0
    assert [c[1] for c in http.calls] == [
        "/v1/acl/policy/name/web",
        f"/v1/acl/policy/{POLICY_ID}",
        f"/v1/acl/policy/{POLICY_ID}",
    ]
    assert sent(http) == {
        "ID": POLICY_ID,
        "Name": "web",
        "Description": "",
        "Rules": POLICY["Rules"],
        "Datacenters": ["dc2"],
    }
    no_merge = FakeHttp(body(POLICY))
    run(update, [f"-id={POLICY_ID}", "-no-merge", "-name=renamed"], no_merge)
    assert sent(no_merge) == {"ID": POLICY_ID, "Name": "renamed", "Description": "", "Rules": ""}
    unknown = run(update, ["-name=none"], FakeHttp((404, b"")))
    assert unknown == (1, "", "Error determining policy ID: No such policy with name none\n")


def test_policy_delete_and_list() -> None:
    http = FakeHttp(body(POLICY), (200, b"true"))
    assert run(acl_policy.COMMANDS["delete"], ["-name=web"], http) == (
        0,
        f'Policy "{POLICY_ID}" deleted successfully\n',
        "",
    )
    assert http.calls[1][:2] == ("DELETE", f"/v1/acl/policy/{POLICY_ID}")
    listing = {k: v for k, v in POLICY.items() if k != "Rules"}
    code, out, _ = run(acl_policy.COMMANDS["list"], [], FakeHttp(body([listing])))
    assert (code, out) == (
        0,
        f"web:\n   ID:           {POLICY_ID}\n   Description:  \n   Datacenters:  \n\n",
    )
    builtin_denied = run(
        acl_policy.COMMANDS["delete"], ["-id=global-management"], FakeHttp((403, b"no"))
    )
    assert builtin_denied[2].startswith(
        'Error deleting policy "00000000-0000-0000-0000-000000000001": '
    )


ROLE = {
    "ID": ROLE_ID,
    "Name": "db",
    "Description": "",
    "Policies": [{"ID": POLICY_ID, "Name": "web"}],
    "NodeIdentities": [{"NodeName": "n1", "Datacenter": "dc1"}],
    "Hash": "YWJj",
    "CreateIndex": 3,
    "ModifyIndex": 3,
}


def test_role_create_and_read() -> None:
    create = acl_role.COMMANDS["create"]
    http = FakeHttp(body(ROLE))
    code, out, _ = run(create, ["-name=db", "-policy-name=web", "-node-identity=n1:dc1"], http)
    assert code == 0 and out == (
        f"ID:           {ROLE_ID}\nName:         db\nDescription:  \n"
        f"Policies:\n   {POLICY_ID} - web\nNode Identities:\n   n1 (Datacenter: dc1)\n\n"
    )
    assert sent(http) == {
        "Name": "db",
        "Description": "",
        "Policies": [{"Name": "web"}],
        "NodeIdentities": [{"NodeName": "n1", "Datacenter": "dc1"}],
    }
    assert run(create, ["-name=db"], FakeHttp()) == (
        2,
        "",
        "Cannot create a role without specifying -policy-name, -policy-id, -service-identity, "
        "or -node-identity at least once\n",
    )
    read = acl_role.COMMANDS["read"]
    assert run(read, ["-name=db"], FakeHttp(body(ROLE)))[0] == 0
    assert run(read, ["-name=none"], FakeHttp((404, b""))) == (
        1,
        "",
        'Role not found with name "none"\n',
    )
    assert run(read, [f"-id={ROLE_ID}"], FakeHttp((404, b""))) == (
        1,
        "",
        f'Role not found with ID "{ROLE_ID}"\n',
    )


def test_role_update_merges_and_role_delete() -> None:
    update = acl_role.COMMANDS["update"]
    http = FakeHttp(body(ROLE), body(ROLE))
    argv = [f"-id={ROLE_ID}", "-policy-name=web", "-policy-name=ops", "-node-identity=n1:dc1"]
    assert run(update, [*argv, "-service-identity=api"], http)[0] == 0
    assert sent(http) == {
        "ID": ROLE_ID,
        "Name": "db",
        "Description": "",
        "Policies": [{"ID": POLICY_ID, "Name": "web"}, {"Name": "ops"}],
        "ServiceIdentities": [{"ServiceName": "api"}],
        "NodeIdentities": [{"NodeName": "n1", "Datacenter": "dc1"}],
    }
    replaced = FakeHttp(body(ROLE), body(ROLE))
    run(update, [f"-id={ROLE_ID}", "-no-merge", "-name=db2"], replaced)
    assert sent(replaced) == {"ID": ROLE_ID, "Name": "db2", "Description": ""}
    assert run(update, [], FakeHttp())[2] == (
        "Cannot update a role without specifying the -id parameter\n"
    )
    delete = FakeHttp(body([ROLE]), (200, b"true"))
    assert run(acl_role.COMMANDS["delete"], ["-name=db"], delete) == (
        0,
        f'Role "{ROLE_ID}" deleted successfully\n',
        "",
    )
    none = run(acl_role.COMMANDS["delete"], ["-name=x"], FakeHttp(body([])))
    assert none == (1, "", "Error determining role ID: No such role with name x\n")
    listed = run(acl_role.COMMANDS["list"], [], FakeHttp(body([ROLE])))
    assert listed[1].startswith(
        f"db:\n   ID:           {ROLE_ID}\n   Description:  \n   Policies:\n"
    )


def test_every_acl_command_takes_the_http_flags() -> None:
    tables = [acl.COMMANDS, acl_token.COMMANDS, acl_policy.COMMANDS, acl_role.COMMANDS]
    for table in tables:
        for command in table.values():
            names = {f.name for f in command.flags}
            assert {"http-addr", "token", "token-file", "datacenter", "stale"} <= names
            parse(["-token=abc", "-http-addr=127.0.0.1:1"], command.flags)


def test_acl_groups_nest_in_the_typer_app(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from cli.app import build, run

    assert run(["acl", "token", "create", "-h"]) == 0
    assert run(["acl", "policy", "read", "-nope"]) == 2
    out, err = capfd.readouterr()
    assert "Usage: cnsl acl token create [options]" in out and "-policy-name NAME" in out
    assert err == (
        "flag provided but not defined: -nope\nRun 'cnsl acl policy read -h' for usage.\n"
    )
    monkeypatch.setattr(acl, "GROUPS", (*acl.GROUPS, ("bootstrap", "x", "cli.acl_role")))
    with pytest.raises(ValueError, match="'bootstrap' is both a command and a group"):
        build()
