from __future__ import annotations

import pytest

from agentd.acl.rules import (
    Access,
    LabelledRules,
    PolicyRules,
    Rule,
    RuleError,
    go_quote,
    merge_rules,
    parse_rules,
)

R, L, W, D = Access.READ, Access.LIST, Access.WRITE, Access.DENY

# The same policy in both syntaxes Consul accepts (the reference's examples).
HCL = """
# comments are fine
key_prefix "foo/" {
  policy = "read"
}
key_prefix "foo/private/" { policy = "deny" }
key "foo/bar" { policy = "list" }
service "web" {
  policy     = "write"
  intentions = "read"
}
service_prefix "" { policy = "read" }
node_prefix "" { policy = "read" }
agent "n1" { policy = "write" }
event_prefix "deploy-" { policy = "write" }
query_prefix "" { policy = "read" }
session "n1" { policy = "write" }
operator = "read"
keyring = "write"
acl = "read"
mesh = "write"
peering = "deny"
"""

JSON = """{
  "key_prefix": {"foo/": {"policy": "read"}, "foo/private/": {"policy": "deny"}},
  "key": {"foo/bar": {"policy": "list"}},
  "service": {"web": {"policy": "write", "intentions": "read"}},
  "service_prefix": {"": {"policy": "read"}},
  "node_prefix": {"": {"policy": "read"}},
  "agent": [{"n1": {"policy": "write"}}],
  "event_prefix": {"deploy-": {"policy": "write"}},
  "query_prefix": {"": {"policy": "read"}},
  "session": {"n1": {"policy": "write"}},
  "operator": "read", "keyring": "write", "acl": "read", "mesh": "write", "peering": "deny"
}"""

EXPECTED = PolicyRules(
    key=LabelledRules(
        exact={"foo/bar": Rule(L)}, prefix={"foo/": Rule(R), "foo/private/": Rule(D)}
    ),
    service=LabelledRules(exact={"web": Rule(W, R)}, prefix={"": Rule(R)}),
    node=LabelledRules(prefix={"": Rule(R)}),
    agent=LabelledRules(exact={"n1": Rule(W)}),
    event=LabelledRules(prefix={"deploy-": Rule(W)}),
    query=LabelledRules(prefix={"": Rule(R)}),
    session=LabelledRules(exact={"n1": Rule(W)}),
    operator=R,
    keyring=W,
    acl=R,
    mesh=W,
    peering=D,
)


def test_hcl_and_json_forms_parse_to_the_same_rules() -> None:
    assert parse_rules(HCL) == EXPECTED
    assert parse_rules(JSON) == EXPECTED


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_rules(text: str) -> None:
    assert parse_rules(text) == PolicyRules()


def test_levels_are_case_insensitive_like_consul() -> None:
    assert parse_rules('key "a" { policy = "WRITE" }\noperator = "Read"') == PolicyRules(
        key=LabelledRules(exact={"a": Rule(W)}), operator=R
    )


def test_empty_scalar_means_no_rule() -> None:
    assert parse_rules('acl = ""') == PolicyRules()


def test_string_escapes_and_heredocs() -> None:
    rules = parse_rules('key "a\\"b" { policy = <<EOF\nread\nEOF\n}')
    assert rules.key.exact == {'a"b': Rule(R)}


def test_duplicate_blocks_merge_strongest_wins() -> None:
    text = """
key "k" { policy = "read" }
key "k" { policy = "write" }
key "k" { policy = "list" }
node "n" { policy = "write" }
node "n" { policy = "deny" }
service "s" { policy = "write" }
service "s" { policy = "read" intentions = "write" }
"""
    rules = parse_rules(text)
    assert rules.key.exact == {"k": Rule(W)}
    assert rules.node.exact == {"n": Rule(D)}
    # policy and intentions merge separately, as Consul's policy merger does
    assert rules.service.exact == {"s": Rule(W, W)}


def test_merge_rules_across_policies() -> None:
    a = parse_rules('key_prefix "x" { policy = "write" }\noperator = "write"')
    b = parse_rules('key_prefix "x" { policy = "deny" }\nkey "y" { policy = "read" }')
    c = parse_rules('operator = "read"\nmesh = "read"')
    merged = merge_rules([a, b, c])
    assert merged.key == LabelledRules(exact={"y": Rule(R)}, prefix={"x": Rule(D)})
    assert (merged.operator, merged.mesh, merged.acl) == (W, R, None)


@pytest.mark.parametrize("kind", ["key", "key_prefix"])
def test_list_is_accepted_on_keys(kind: str) -> None:
    rules = parse_rules(f'{kind} "a" {{ policy = "list" }}')
    assert Rule(L) in (*rules.key.exact.values(), *rules.key.prefix.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'service_prefix "" { policy = "list" }',
            'Invalid service_prefix policy: &acl.ServiceRule{Name:"", Policy:"list", '
            'Intentions:"", EnterpriseRule:acl.EnterpriseRule{}}',
        ),
        (
            'service "web" { policy = "read" intentions = "list" }',
            'Invalid service intentions policy: &acl.ServiceRule{Name:"web", Policy:"read", '
            'Intentions:"list", EnterpriseRule:acl.EnterpriseRule{}}',
        ),
        ('node "n" { policy = "list" }', 'Invalid node policy: &acl.NodeRule{Name:"n", '),
        (
            'agent_prefix "" { policy = "list" }',
            'Invalid agent_prefix policy: &acl.AgentRule{Node:""',
        ),
        ('session "n" { policy = "list" }', 'Invalid session policy: &acl.SessionRule{Node:"n"'),
        ('event "e" { policy = "list" }', 'Invalid event policy: &acl.EventRule{Event:"e"'),
        (
            'query "q" { policy = "list" }',
            'Invalid query policy: &acl.PreparedQueryRule{Prefix:"q"',
        ),
        (
            'key "k" { policy = "bogus" }',
            'Invalid key policy: &acl.KeyRule{Prefix:"k", Policy:"bogus"',
        ),
        ('key "k" {}', 'Invalid key policy: &acl.KeyRule{Prefix:"k", Policy:""'),
        ('acl = "list"', 'Invalid acl policy: "list"'),
        ('operator = "list"', 'Invalid operator policy: "list"'),
        ('keyring = "sudo"', 'Invalid keyring policy: "sudo"'),
        ('mesh = "list"', 'Invalid mesh policy: "list"'),
        ('peering = "list"', 'Invalid peering policy: "list"'),
        ('{"service": {"s": {"policy": "list"}}}', "Invalid service policy: "),
    ],
)
def test_invalid_levels_use_consuls_messages(text: str, message: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rules(text)
    assert info.value.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a missing closing brace: the error names the line and column
        ('key_prefix "" {\n  policy = "read"\n', "Failed to parse ACL rules: At 3:1: "),
        ('key "a" {\n  policy "read"\n}\n', "Failed to parse ACL rules: At 3:1: "),
        ('key "a" { policy = "read" }\n@\n', "Failed to parse ACL rules: At 2:1: "),
        ('{"key": {"a": ', "Failed to parse ACL rules: At 1:15: "),
        (
            'key "a" {\n  policy = "read"\n  policy = "write"\n}',
            'Failed to parse ACL rules: The argument "policy" at 3:3 was already set. '
            "Each argument can only be defined once",
        ),
        ('operator = "read"\noperator = "write"', 'The argument "operator" at 2:1 was already set'),
    ],
)
def test_syntax_errors_name_the_position(text: str, message: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rules(text)
    assert message in info.value.message
    assert info.value.message.startswith("Failed to parse ACL rules: ")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('banana "foo" { policy = "read" }', 'unknown resource "banana"'),
        ('keys "foo" { policy = "read" }', 'unknown resource "keys"'),
        ('key "a" { policy = "read" intentions = "read" }', 'unexpected attribute "intentions"'),
        ('key { policy = "read" }', "expected a block with one label"),
        ('key = "read"', "key: expected a labelled block"),
        ("[1]", "Failed to parse ACL rules"),
    ],
)
def test_structural_errors(text: str, fragment: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rules(text)
    assert fragment in info.value.message


def test_enterprise_only_resources_are_ignored_as_in_consul_ce() -> None:
    text = 'namespace_prefix "" { key_prefix "" { policy = "read" } }\noperator = "read"'
    assert parse_rules(text) == PolicyRules(operator=R)


def test_go_quote() -> None:
    assert go_quote('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert go_quote("\x01é") == '"\\x01é"'
