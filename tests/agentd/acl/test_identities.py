from __future__ import annotations

import pytest

from agentd.acl.authorizer import Authorizer, Decision, chain
from agentd.acl.identities import (
    is_valid_auth_method_name,
    is_valid_node_identity_name,
    is_valid_policy_name,
    is_valid_role_name,
    is_valid_service_identity_name,
    node_identity_policy,
    node_identity_rules,
    service_identity_policy,
    service_identity_rules,
    synthetic_policy_id,
)
from agentd.acl.rules import Access, LabelledRules, PolicyRules, Rule, parse_rules

R, W = Access.READ, Access.WRITE

SERVICE_WEB = (
    '\nservice "web" {\n\tpolicy = "write"\n}\nservice "web-sidecar-proxy" {\n\tpolicy = "write"\n}'
    '\nservice_prefix "" {\n\tpolicy = "read"\n}\nnode_prefix "" {\n\tpolicy = "read"\n}'
)
NODE_N1 = '\nnode "n1" {\n\tpolicy = "write"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}'


def test_service_identity_rules_are_consuls_template() -> None:
    assert service_identity_rules("web") == SERVICE_WEB
    assert parse_rules(SERVICE_WEB) == PolicyRules(
        service=LabelledRules(
            exact={"web": Rule(W), "web-sidecar-proxy": Rule(W)}, prefix={"": Rule(R)}
        ),
        node=LabelledRules(prefix={"": Rule(R)}),
    )


def test_node_identity_rules_are_consuls_template() -> None:
    assert node_identity_rules("n1") == NODE_N1
    assert parse_rules(NODE_N1) == PolicyRules(
        node=LabelledRules(exact={"n1": Rule(W)}),
        service=LabelledRules(prefix={"": Rule(R)}),
    )


def test_service_identity_grants() -> None:
    c = chain(Authorizer([parse_rules(service_identity_rules("web"))]), default="deny")
    assert c.service_write("web") and c.service_write("web-sidecar-proxy")
    assert not c.service_write("db") and c.service_read("db") and c.node_read("any")
    assert not c.node_write("any") and c.intention_read("web") and not c.intention_write("web")
    assert not c.key_read("k")


def test_node_identity_grants() -> None:
    a = Authorizer([parse_rules(node_identity_rules("n1"))])
    assert a.node_write("n1") is Decision.ALLOW
    assert a.node_read("n2") is Decision.DEFAULT
    assert a.service_read("anything") is Decision.ALLOW


def test_synthetic_policy_id_matches_go_fnv_sum_quirk() -> None:
    # hex(rules) + FNV-128a offset basis: what fmt.Sprintf("%x", fnv.New128a().Sum(rules)) gives
    assert synthetic_policy_id("") == "6c62272e07bb014262b821756295c58d"
    assert synthetic_policy_id("ab") == "6162" + "6c62272e07bb014262b821756295c58d"


def test_synthetic_policies() -> None:
    p = service_identity_policy("web", ["dc1", "dc2"])
    assert p.rules == SERVICE_WEB
    assert p.id == synthetic_policy_id(SERVICE_WEB)
    assert p.name == f"synthetic-policy-{p.id}"
    assert p.description == 'synthetic policy for service identity "web"'
    assert p.datacenters == ("dc1", "dc2")
    assert service_identity_policy("web").datacenters == ()
    n = node_identity_policy("n1", "dc1")
    assert (n.rules, n.description, n.datacenters) == (
        NODE_N1,
        'synthetic policy for node identity "n1"',
        ("dc1",),
    )


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("web", True),
        ("a", True),
        ("web-1_x", True),
        ("1web", True),
        ("", False),
        ("Web", False),
        ("web-", False),
        ("-web", False),
        ("web.api", False),
        ("web\n", False),
        ("a" * 256, True),
        ("a" * 257, False),
    ],
)
def test_identity_names(name: str, valid: bool) -> None:
    assert is_valid_service_identity_name(name) is valid
    assert is_valid_node_identity_name(name) is valid


def test_object_names() -> None:
    assert is_valid_policy_name("My-policy_1") and not is_valid_policy_name("a b")
    assert is_valid_policy_name("a" * 128) and not is_valid_policy_name("a" * 129)
    assert not is_valid_policy_name("") and not is_valid_policy_name("x\n")
    assert is_valid_role_name("r" * 256) and not is_valid_role_name("r" * 257)
    assert is_valid_auth_method_name("k8s-auth") and not is_valid_auth_method_name("k8s/auth")
