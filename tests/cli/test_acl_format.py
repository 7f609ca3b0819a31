"""The acl printers against Consul's formatter goldens (command/acl/*/testdata)."""

from __future__ import annotations

from cli import acl_format as fmt
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

HOBBITON = ACLLink("beb04680-815b-4d7c-9e33-3d707c24672c", "hobbiton")
BYWATER = ACLLink("18788457-584c-4812-80d3-23d403148a90", "bywater")
SHIRE = ACLLink("3b0a78fe-b9c3-40de-b8ea-7d4d6674b366", "shire")
WEST = ACLLink("6c9d1e1d-34bc-4d55-80f3-add0890ad791", "west-farthing")

BASIC = ACLToken(
    accessor_id="fbd2447f-7479-4329-ad13-b021d74f86ba",
    secret_id="869c6e91-4de9-4dab-b56e-87548435f9c6",
    description="test token",
    create_time="2020-05-22T18:52:31Z",
    hash=b"abcdefgh",
    create_index=42,
    modify_index=100,
)
COMPLEX = ACLToken(
    accessor_id="fbd2447f-7479-4329-ad13-b021d74f86ba",
    secret_id="869c6e91-4de9-4dab-b56e-87548435f9c6",
    namespace="foo",
    description="test token",
    auth_method="bar",
    auth_method_namespace="baz",
    create_time="2020-05-22T18:52:31Z",
    expiration_time="2020-05-22T19:52:31Z",
    hash=b"abcdefgh",
    create_index=5,
    modify_index=10,
    policies=(HOBBITON, BYWATER),
    roles=(SHIRE, WEST),
    service_identities=(ServiceIdentity("gardener", ("middleearth-northwest",)),),
    node_identities=(NodeIdentity("bagend", "middleearth-northwest"),),
    templated_policies=(
        TemplatedPolicy("builtin/service", "web", ("middleearth-northwest", "somewhere-east")),
        TemplatedPolicy("builtin/node", "api"),
    ),
)

BASIC_PRETTY = """\
AccessorID:       fbd2447f-7479-4329-ad13-b021d74f86ba
SecretID:         869c6e91-4de9-4dab-b56e-87548435f9c6
Description:      test token
Local:            false
Create Time:      2020-05-22 18:52:31 +0000 UTC
"""
COMPLEX_PRETTY_META = """\
AccessorID:       fbd2447f-7479-4329-ad13-b021d74f86ba
SecretID:         869c6e91-4de9-4dab-b56e-87548435f9c6
Namespace:        foo
Description:      test token
Local:            false
Auth Method:      bar (Namespace: baz)
Create Time:      2020-05-22 18:52:31 +0000 UTC
Expiration Time:  2020-05-22 19:52:31 +0000 UTC
Hash:             6162636465666768
Create Index:     5
Modify Index:     10
Policies:
   beb04680-815b-4d7c-9e33-3d707c24672c - hobbiton
   18788457-584c-4812-80d3-23d403148a90 - bywater
Roles:
   3b0a78fe-b9c3-40de-b8ea-7d4d6674b366 - shire
   6c9d1e1d-34bc-4d55-80f3-add0890ad791 - west-farthing
Service Identities:
   gardener (Datacenters: middleearth-northwest)
Node Identities:
   bagend (Datacenter: middleearth-northwest)
Templated Policies:
   builtin/service
      Name: web
      Datacenters: middleearth-northwest, somewhere-east
   builtin/node
      Name: api
      Datacenters: all
"""
COMPLEX_JSON = """\
{
    "CreateIndex": 5,
    "ModifyIndex": 10,
    "AccessorID": "fbd2447f-7479-4329-ad13-b021d74f86ba",
    "SecretID": "869c6e91-4de9-4dab-b56e-87548435f9c6",
    "Description": "test token",
    "Policies": [
        {
            "ID": "beb04680-815b-4d7c-9e33-3d707c24672c",
            "Name": "hobbiton"
        },
        {
            "ID": "18788457-584c-4812-80d3-23d403148a90",
            "Name": "bywater"
        }
    ],
    "Roles": [
        {
            "ID": "3b0a78fe-b9c3-40de-b8ea-7d4d6674b366",
            "Name": "shire"
        },
        {
            "ID": "6c9d1e1d-34bc-4d55-80f3-add0890ad791",
            "Name": "west-farthing"
        }
    ],
    "ServiceIdentities": [
        {
            "ServiceName": "gardener",
            "Datacenters": [
                "middleearth-northwest"
            ]
        }
    ],
    "NodeIdentities": [
        {
            "NodeName": "bagend",
            "Datacenter": "middleearth-northwest"
        }
    ],
    "TemplatedPolicies": [
        {
            "TemplateName": "builtin/service",
            "TemplateVariables": {
                "Name": "web"
            },
            "Datacenters": [
                "middleearth-northwest",
                "somewhere-east"
            ]
        },
        {
            "TemplateName": "builtin/node",
            "TemplateVariables": {
                "Name": "api"
            }
        }
    ],
    "Local": false,
    "AuthMethod": "bar",
    "ExpirationTime": "2020-05-22T19:52:31Z",
    "CreateTime": "2020-05-22T18:52:31Z",
    "Hash": "YWJjZGVmZ2g=",
    "Namespace": "foo",
    "AuthMethodNamespace": "baz"
}"""


def test_token_pretty() -> None:
    assert fmt.format_token(BASIC) == BASIC_PRETTY
    assert fmt.format_token(BASIC, meta=True) == BASIC_PRETTY + (
        "Hash:             6162636465666768\nCreate Index:     42\nModify Index:     100\n"
    )
    assert fmt.format_token(COMPLEX, meta=True) == COMPLEX_PRETTY_META
    without_meta = "".join(
        line for line in COMPLEX_PRETTY_META.splitlines(True) if "Hash" not in line
    )
    without_meta = without_meta.replace("Create Index:     5\nModify Index:     10\n", "")
    assert fmt.format_token(COMPLEX) == without_meta


def test_token_json_is_go_marshal_indent() -> None:
    assert fmt.format_token(COMPLEX, json=True) == COMPLEX_JSON
    assert fmt.format_token(COMPLEX, json=True, meta=True) == COMPLEX_JSON  # -meta is pretty only


def test_token_list() -> None:
    listed = fmt.format_token_list([BASIC, BASIC])
    assert listed == BASIC_PRETTY + "\n" + BASIC_PRETTY
    assert fmt.format_token_list([]) == ""
    assert fmt.format_token_list([], json=True) == "[]"
    assert fmt.format_token_list([BASIC], json=True) == (
        "[\n"
        "    {\n"
        '        "CreateIndex": 42,\n'
        '        "ModifyIndex": 100,\n'
        '        "AccessorID": "fbd2447f-7479-4329-ad13-b021d74f86ba",\n'
        '        "SecretID": "869c6e91-4de9-4dab-b56e-87548435f9c6",\n'
        '        "Description": "test token",\n'
        '        "Local": false,\n'
        '        "CreateTime": "2020-05-22T18:52:31Z",\n'
        '        "Hash": "YWJjZGVmZ2g="\n'
        "    }\n"
        "]"
    )


def test_identities_without_datacenters_say_all() -> None:
    token = ACLToken(
        accessor_id="a",
        secret_id="s",
        service_identities=(ServiceIdentity("web"), ServiceIdentity("db", ("a", "b"))),
    )
    assert fmt.format_token(token).endswith(
        "Service Identities:\n   web (Datacenters: all)\n   db (Datacenters: a, b)\n"
    )
    assert "Create Time:      0001-01-01 00:00:00 +0000 UTC\n" in fmt.format_token(token)


POLICY = ACLPolicy(
    id="6204f4cd-4709-441c-ac1b-cb029e940263",
    name="shire-policy",
    description="policy for shire role",
    rules='operator = "write"\n',
    datacenters=("dc1", "dc2"),
    hash=b"abcdefgh",
    create_index=5,
    modify_index=10,
)


def test_policy_pretty_and_json() -> None:
    assert fmt.format_policy(POLICY) == (
        "ID:           6204f4cd-4709-441c-ac1b-cb029e940263\n"
        "Name:         shire-policy\n"
        "Description:  policy for shire role\n"
        "Datacenters:  dc1, dc2\n"
        "Rules:\n"
        'operator = "write"\n'
    )
    assert fmt.format_policy(POLICY, meta=True).splitlines()[4:7] == [
        "Hash:         6162636465666768",
        "Create Index: 5",
        "Modify Index: 10",
    ]
    assert fmt.format_policy(ACLPolicy(id="i", name="n")).endswith("Datacenters:  \nRules:\n")
    assert fmt.format_policy(POLICY, json=True) == (
        "{\n"
        '    "ID": "6204f4cd-4709-441c-ac1b-cb029e940263",\n'
        '    "Name": "shire-policy",\n'
        '    "Description": "policy for shire role",\n'
        '    "Rules": "operator = \\"write\\"\\n",\n'
        '    "Datacenters": [\n'
        '        "dc1",\n'
        '        "dc2"\n'
        "    ],\n"
        '    "Hash": "YWJjZGVmZ2g=",\n'
        '    "CreateIndex": 5,\n'
        '    "ModifyIndex": 10\n'
        "}"
    )


def test_policy_list() -> None:
    other = ACLPolicy(id="00000000-0000-0000-0000-000000000001", name="global-management")
    assert fmt.format_policy_list([other, POLICY], meta=True) == (
        "global-management:\n"
        "   ID:           00000000-0000-0000-0000-000000000001\n"
        "   Description:  \n"
        "   Datacenters:  \n"
        "   Hash:         \n"
        "   Create Index: 0\n"
        "   Modify Index: 0\n"
        "shire-policy:\n"
        "   ID:           6204f4cd-4709-441c-ac1b-cb029e940263\n"
        "   Description:  policy for shire role\n"
        "   Datacenters:  dc1, dc2\n"
        "   Hash:         6162636465666768\n"
        "   Create Index: 5\n"
        "   Modify Index: 10\n"
    )
    listed = fmt.format_policy_list([POLICY], json=True)
    assert '"Rules"' not in listed and listed.startswith('[\n    {\n        "ID": ')


ROLE = ACLRole(
    id="c29c4ee4-bca6-474e-be37-7d9606f9582a",
    name="complex",
    namespace="foo",
    description="test role complex",
    hash=b"abcdefgh",
    create_index=5,
    modify_index=10,
    policies=(HOBBITON, BYWATER),
    service_identities=(ServiceIdentity("gardener", ("middleearth-northwest",)),),
    node_identities=(NodeIdentity("bagend", "middleearth-northwest"),),
    templated_policies=(
        TemplatedPolicy("builtin/service", "gardener"),
        TemplatedPolicy("builtin/node", "bagend"),
    ),
)


def test_role_pretty() -> None:
    assert fmt.format_role(ROLE, meta=True) == (
        "ID:           c29c4ee4-bca6-474e-be37-7d9606f9582a\n"
        "Name:         complex\n"
        "Namespace:    foo\n"
        "Description:  test role complex\n"
        "Hash:         6162636465666768\n"
        "Create Index: 5\n"
        "Modify Index: 10\n"
        "Policies:\n"
        "   beb04680-815b-4d7c-9e33-3d707c24672c - hobbiton\n"
        "   18788457-584c-4812-80d3-23d403148a90 - bywater\n"
        "Service Identities:\n"
        "   gardener (Datacenters: middleearth-northwest)\n"
        "Node Identities:\n"
        "   bagend (Datacenter: middleearth-northwest)\n"
        "Templated Policies:\n"
        "   builtin/service\n"
        "      Name: gardener\n"
        "      Datacenters: all\n"
        "   builtin/node\n"
        "      Name: bagend\n"
        "      Datacenters: all\n"
    )


def test_role_list_matches_consul_golden() -> None:
    # command/acl/role/testdata/FormatRoleList/complex.pretty-meta.golden
    assert fmt.format_role_list([ROLE], meta=True) == (
        "complex:\n"
        "   ID:           c29c4ee4-bca6-474e-be37-7d9606f9582a\n"
        "   Namespace:    foo\n"
        "   Description:  test role complex\n"
        "   Hash:         6162636465666768\n"
        "   Create Index: 5\n"
        "   Modify Index: 10\n"
        "   Policies:\n"
        "      beb04680-815b-4d7c-9e33-3d707c24672c - hobbiton\n"
        "      18788457-584c-4812-80d3-23d403148a90 - bywater\n"
        "   Service Identities:\n"
        "      gardener (Datacenters: middleearth-northwest)\n"
        "   Node Identities:\n"
        "      bagend (Datacenter: middleearth-northwest)\n"
        "   Templated Policies:\n"
        "      builtin/service\n"
        "         Name: gardener\n"
        "         Datacenters: all\n"
        "      builtin/node\n"
        "         Name: bagend\n"
        "         Datacenters: all\n"
    )


def test_role_json() -> None:
    plain = ACLRole(id="r", name="n", policies=(HOBBITON,))
    assert fmt.format_role(plain, json=True) == (
        "{\n"
        '    "ID": "r",\n'
        '    "Name": "n",\n'
        '    "Description": "",\n'
        '    "Policies": [\n'
        "        {\n"
        '            "ID": "beb04680-815b-4d7c-9e33-3d707c24672c",\n'
        '            "Name": "hobbiton"\n'
        "        }\n"
        "    ],\n"
        '    "Hash": null,\n'
        '    "CreateIndex": 0,\n'
        '    "ModifyIndex": 0\n'
        "}"
    )
    assert fmt.format_role_list([plain], json=True).startswith("[\n    {\n")


EXPANDED = ACLTokenExpanded(
    token=ACLToken(
        accessor_id="fbd2447f-7479-4329-ad13-b021d74f86ba",
        secret_id="869c6e91-4de9-4dab-b56e-87548435f9c6",
        description="test token",
        create_time="2020-05-22T18:52:31Z",
        policies=(HOBBITON,),
        roles=(SHIRE,),
        service_identities=(ServiceIdentity("gardener", ("dc1",)),),
        node_identities=(NodeIdentity("bagend", "dc1"),),
        templated_policies=(TemplatedPolicy("builtin/dns"),),
    ),
    expanded_policies=(
        ACLPolicy(
            HOBBITON.id, "hobbiton", "user policy", 'service_prefix "" {\n  policy = "read"\n}'
        ),
        ACLPolicy("6204", "shire-policy", "for shire", 'operator = "write"'),
    ),
    expanded_roles=(
        ACLRole(
            SHIRE.id,
            "shire",
            "shire role",
            policies=(ACLLink("6204", "shire-policy"),),
            node_identities=(NodeIdentity("bar", "dc2"),),
        ),
    ),
    agent_acl_default_policy="deny",
    agent_acl_down_policy="extend-cache",
    resolved_by_agent="server-1",
)
EXPANDED_PRETTY = """\
AccessorID:       fbd2447f-7479-4329-ad13-b021d74f86ba
SecretID:         869c6e91-4de9-4dab-b56e-87548435f9c6
Description:      test token
Local:            false
Create Time:      2020-05-22 18:52:31 +0000 UTC
Policies:
\tPolicy Name: hobbiton
\t\tID: beb04680-815b-4d7c-9e33-3d707c24672c
\t\tDescription: user policy
\t\tRules:
\t\t\tservice_prefix "" {
\t\t\t  policy = "read"
\t\t\t}

Service Identities:
\tName: gardener (Datacenters: dc1)
\t\tDescription: synthetic policy generated from templated policy: builtin/service
\t\tRules:
\t\t\tservice "gardener" {
\t\t\t\tpolicy = "write"
\t\t\t}
\t\t\tservice "gardener-sidecar-proxy" {
\t\t\t\tpolicy = "write"
\t\t\t}
\t\t\tservice_prefix "" {
\t\t\t\tpolicy = "read"
\t\t\t}
\t\t\tnode_prefix "" {
\t\t\t\tpolicy = "read"
\t\t\t}

Node Identities:
\tName: bagend (Datacenter: dc1)
\t\tDescription: synthetic policy generated from templated policy: builtin/node
\t\tRules:
\t\t\tnode "bagend" {
\t\t\t\tpolicy = "write"
\t\t\t}
\t\t\tservice_prefix "" {
\t\t\t\tpolicy = "read"
\t\t\t}

Templated Policies:
\tbuiltin/dns
\t\tDatacenters: all
\t\tDescription: synthetic policy generated from templated policy: builtin/dns
\t\tRules:
\t\t\tnode_prefix "" {
\t\t\t\tpolicy = "read"
\t\t\t}
\t\t\tservice_prefix "" {
\t\t\t\tpolicy = "read"
\t\t\t}
\t\t\tquery_prefix "" {
\t\t\t\tpolicy = "read"
\t\t\t}

Roles:
\tRole Name: shire
\t\tID: 3b0a78fe-b9c3-40de-b8ea-7d4d6674b366
\t\tDescription: shire role
\t\tPolicies:
\t\t\tPolicy Name: shire-policy
\t\t\t\tID: 6204
\t\t\t\tDescription: for shire
\t\t\t\tRules:
\t\t\t\t\toperator = "write"

\t\tNode Identities:
\t\t\tName: bar (Datacenter: dc2)
\t\t\t\tDescription: synthetic policy generated from templated policy: builtin/node
\t\t\t\tRules:
\t\t\t\t\tnode "bar" {
\t\t\t\t\t\tpolicy = "write"
\t\t\t\t\t}
\t\t\t\t\tservice_prefix "" {
\t\t\t\t\t\tpolicy = "read"
\t\t\t\t\t}

=== End of Authorizer Layer 0: Token ===
=== Start of Authorizer Layer 2: Agent Configuration Defaults (Inherited) ===
Description: Defined at request-time by the agent that resolves the ACL token; \
other agents may have different configuration defaults
Resolved By Agent: "server-1"

Default Policy: deny
\tDescription: Backstop rule used if no preceding layer has a matching rule \
(refer to default_policy option in agent configuration)

Down Policy: extend-cache
\tDescription: Defines what to do if this Token's information cannot be read \
from the primary_datacenter (refer to down_policy option in agent configuration)

"""


def test_expanded_token_pretty() -> None:
    assert fmt.format_token_expanded(EXPANDED) == EXPANDED_PRETTY


def test_expanded_token_namespace_layer_and_json() -> None:
    import dataclasses

    with_defaults = dataclasses.replace(
        EXPANDED,
        token=dataclasses.replace(EXPANDED.token, namespace="foo", policies=(), roles=()),
        namespace_default_policy_ids=("6204",),
        namespace_default_role_ids=(),
    )
    text = fmt.format_token_expanded(with_defaults)
    assert (
        "=== End of Authorizer Layer 0: Token ===\n"
        "=== Start of Authorizer Layer 1: Token Namespace\u2019s Defaults (Inherited) ===\n"
        'Description: ACL Roles inherited by all Tokens in Namespace "foo"\n\n'
        "Namespace Policy Defaults:\n"
        "\tPolicy Name: shire-policy\n"
    ) in text
    assert "Namespace Role Defaults:\n=== End of Authorizer Layer 1" in text
    as_json = fmt.format_token_expanded(EXPANDED, json=True)
    assert as_json.startswith('{\n    "ExpandedPolicies": [\n        {\n            "ID": ')
    assert '    "ResolvedByAgent": "server-1",\n    "CreateIndex": 0,\n' in as_json
