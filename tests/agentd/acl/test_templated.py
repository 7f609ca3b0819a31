from __future__ import annotations

import pytest

from agentd.acl.authorizer import Authorizer, Decision
from agentd.acl.identities import IdentityError, synthetic_policy_id
from agentd.acl.rules import Access, LabelledRules, PolicyRules, Rule, parse_rules
from agentd.acl.templated import (
    TEMPLATED_POLICIES,
    check_templated_policy,
    templated_policy,
    templated_policy_rules,
)

R, W = Access.READ, Access.WRITE

SERVICE_API = (
    '\nservice "api" {\n\tpolicy = "write"\n}\nservice "api-sidecar-proxy" {\n\tpolicy = "write"\n}'
    '\nservice_prefix "" {\n\tpolicy = "read"\n}\nnode_prefix "" {\n\tpolicy = "read"\n}'
)
NODE_N1 = '\nnode "n1" {\n\tpolicy = "write"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}'
DNS = (
    '\nnode_prefix "" {\n\tpolicy = "read"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}'
    '\nquery_prefix "" {\n\tpolicy = "read"\n}'
)
NOMAD_SERVER = (
    '\nacl = "write"\nagent_prefix "" {\n  policy = "read"\n}\nnode_prefix "" {\n'
    '  policy = "read"\n}\nservice_prefix "" {\n  policy = "write"\n}'
)
NOMAD_CLIENT = (
    'agent "n1" {\n  policy = "read"\n}\nnode "n1" {\n  policy = "write"\n}\n'
    'service_prefix "" {\n  policy = "write"\n}\n'
)
API_GATEWAY = (
    'mesh = "read"\nnode_prefix "" {\n\tpolicy = "read"\n}\nservice_prefix "" {\n'
    '\tpolicy = "read"\n}\nservice "gw" {\n\tpolicy = "write"\n}'
)
WORKLOAD = 'identity "w1" {\n\tpolicy = "write"\n}'


def test_builtin_set_and_ids() -> None:
    assert {n: t.id[-2:] for n, t in TEMPLATED_POLICIES.items()} == {
        "builtin/service": "03",
        "builtin/node": "04",
        "builtin/dns": "05",
        "builtin/nomad-server": "06",
        "builtin/workload-identity": "07",
        "builtin/api-gateway": "08",
        "builtin/nomad-client": "09",
    }
    needs = {n for n, t in TEMPLATED_POLICIES.items() if t.needs_name}
    assert needs == {
        "builtin/service",
        "builtin/node",
        "builtin/workload-identity",
        "builtin/api-gateway",
    }
    assert TEMPLATED_POLICIES["builtin/service"].template.startswith('\nservice "{{.Name}}" {')


@pytest.mark.parametrize(
    ("template", "name", "rules"),
    [
        ("builtin/service", "api", SERVICE_API),
        ("builtin/node", "n1", NODE_N1),
        ("builtin/dns", "", DNS),
        ("builtin/nomad-server", "", NOMAD_SERVER),
        ("builtin/nomad-client", "n1", NOMAD_CLIENT),
        ("builtin/api-gateway", "gw", API_GATEWAY),
        ("builtin/workload-identity", "w1", WORKLOAD),
    ],
)
def test_rules_text_is_consuls(template: str, name: str, rules: str) -> None:
    assert templated_policy_rules(template, name) == rules
    parse_rules(rules)  # every template parses


def test_parsed_rules() -> None:
    assert parse_rules(DNS) == PolicyRules(
        node=LabelledRules(prefix={"": Rule(R)}),
        service=LabelledRules(prefix={"": Rule(R)}),
        query=LabelledRules(prefix={"": Rule(R)}),
    )
    authz = Authorizer([parse_rules(templated_policy_rules("builtin/service", "api"))])
    assert authz.service_write("api") is Decision.ALLOW
    assert authz.service_write("web") is not Decision.ALLOW


def test_synthetic_policy() -> None:
    p = templated_policy("builtin/node", "n1", ["dc1"])
    assert p.description == "synthetic policy generated from templated policy: builtin/node"
    assert p.id == synthetic_policy_id(NODE_N1) and p.datacenters == ("dc1",)
    assert p.name == f"synthetic-policy-{p.id}"


def test_templates_without_schema_ignore_variables() -> None:
    assert templated_policy_rules("builtin/dns", "whatever") == DNS
    assert not check_templated_policy("builtin/nomad-server", "x").needs_name


@pytest.mark.parametrize(
    ("template", "name", "message"),
    [
        ("builtin/nope", "x", "acl templated policy does not exist: builtin/nope"),
        ("builtin/service", "", "name is required"),
        ("builtin/api-gateway", "", "name is required"),
        ("builtin/workload-identity", "", "name is required"),
        (
            "builtin/service",
            "Bad Name",
            'service identity "Bad Name" has an invalid name. Only lowercase alphanumeric'
            " characters, '-' and '_' are allowed",
        ),
        (
            "builtin/node",
            "n_",
            'node identity "n_"  has an invalid name. Only lowercase alphanumeric'
            " characters, '-' and '_' are allowed",
        ),
    ],
)
def test_validation_errors(template: str, name: str, message: str) -> None:
    with pytest.raises(IdentityError) as info:
        templated_policy_rules(template, name)
    assert info.value.message == message
