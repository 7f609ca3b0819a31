from __future__ import annotations

import pytest

from agentd.acl.authorizer import (
    ALLOW_ALL,
    DENY_ALL,
    MANAGEMENT,
    Authorizer,
    Decision,
    PermissionDeniedError,
    Resource,
    build,
    chain,
)
from agentd.acl.builtin import ANONYMOUS_TOKEN_ACCESSOR_ID, GLOBAL_MANAGEMENT, GLOBAL_READ_ONLY
from agentd.acl.rules import Access, parse_rules

ALLOW, DENY, DEFAULT = Decision.ALLOW, Decision.DENY, Decision.DEFAULT


def authz(*texts: str) -> Authorizer:
    return Authorizer([parse_rules(t) for t in texts])


KEYS = """
key_prefix "" { policy = "read" }
key_prefix "foo/" { policy = "write" }
key_prefix "foo/bar/" { policy = "deny" }
key "foo/bar/exact" { policy = "write" }
key "foo/baz" { policy = "deny" }
key_prefix "lst/" { policy = "list" }
key "lst/exact" { policy = "read" }
"""


@pytest.mark.parametrize(
    ("method", "name", "expected"),
    [
        # longest prefix
        ("key_read", "other", ALLOW),
        ("key_write", "other", DENY),
        ("key_write", "foo/x", ALLOW),
        ("key_read", "foo/bar/x", DENY),
        ("key_read", "foo/bar/", DENY),  # a prefix rule matches the name itself
        # an exact rule beats any prefix
        ("key_write", "foo/bar/exact", ALLOW),
        ("key_read", "foo/baz", DENY),
        ("key_read", "foo/baz/x", ALLOW),  # exact rules are not prefixes
        # write implies read and list; list implies read; read is read only
        ("key_list", "foo/x", ALLOW),
        ("key_read", "foo/x", ALLOW),
        ("key_list", "lst/x", ALLOW),
        ("key_read", "lst/x", ALLOW),
        ("key_write", "lst/x", DENY),
        ("key_list", "lst/exact", DENY),
        ("key_list", "other", DENY),
    ],
)
def test_key_matching(method: str, name: str, expected: Decision) -> None:
    assert getattr(authz(KEYS), method)(name) is expected


def test_no_rule_is_default() -> None:
    a = authz('key_prefix "app/" { policy = "write" }')
    assert a.key_read("other") is DEFAULT
    assert a.service_read("web") is DEFAULT
    assert a.operator_read() is DEFAULT
    assert a.acl_read() is DEFAULT


@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        ("service_read", ("web",), ALLOW),
        ("service_write", ("web",), ALLOW),
        ("service_write", ("web-sidecar-proxy",), DENY),
        ("service_read", ("db",), ALLOW),
        ("service_write", ("db",), DENY),
        ("node_read", ("n1",), ALLOW),
        ("node_write", ("n1",), ALLOW),
        ("node_write", ("n2",), DENY),
        ("agent_read", ("n1",), ALLOW),
        ("agent_write", ("n1",), DENY),
        ("agent_read", ("x1",), DEFAULT),
        ("event_write", ("deploy-x",), ALLOW),
        ("event_read", ("other",), DEFAULT),
        ("query_read", ("q",), ALLOW),
        ("query_write", ("q",), DENY),
        ("session_write", ("n1",), ALLOW),
        ("session_read", ("n2",), DEFAULT),
        ("keyring_read", (), ALLOW),
        ("keyring_write", (), DENY),
        ("acl_read", (), DEFAULT),
    ],
)
def test_resource_checks(method: str, args: tuple[str, ...], expected: Decision) -> None:
    a = authz(
        """
service "web" { policy = "write" }
service_prefix "" { policy = "read" }
node "n1" { policy = "write" }
node_prefix "" { policy = "read" }
agent_prefix "n" { policy = "read" }
event_prefix "deploy-" { policy = "write" }
query_prefix "" { policy = "read" }
session "n1" { policy = "write" }
keyring = "read"
"""
    )
    assert getattr(a, method)(*args) is expected


def test_deny_wins_across_policies() -> None:
    a = authz('key "k" { policy = "write" }', 'key "k" { policy = "deny" }')
    assert a.key_read("k") is DENY
    b = authz('service_prefix "" { policy = "write" }', 'service_prefix "" { policy = "read" }')
    assert b.service_write("x") is ALLOW  # write beats read
    c = authz('key "k" { policy = "list" }', 'key "k" { policy = "read" }')
    assert c.key_list("k") is ALLOW  # list beats read
    d = authz('operator = "write"', 'operator = "deny"')
    assert d.operator_read() is DENY


def test_exact_and_prefix_do_not_merge() -> None:
    # a deny prefix on another policy does not override an exact write on the name
    a = authz('key "k" { policy = "write" }', 'key_prefix "" { policy = "deny" }')
    assert a.key_write("k") is ALLOW
    assert a.key_read("k2") is DENY


@pytest.mark.parametrize(
    ("rules", "name", "read", "write"),
    [
        ('service "s" { policy = "write" }', "s", ALLOW, DENY),  # write implies intentions read
        ('service "s" { policy = "read" }', "s", ALLOW, DENY),
        ('service "s" { policy = "deny" }', "s", DENY, DENY),
        ('service "s" { policy = "read" intentions = "write" }', "s", ALLOW, ALLOW),
        ('service "s" { policy = "write" intentions = "deny" }', "s", DENY, DENY),
        ('service_prefix "" { policy = "read" }', "any", ALLOW, DENY),
        ('service "s" { policy = "write" }', "other", DEFAULT, DEFAULT),
    ],
)
def test_intentions_follow_service_rules(
    rules: str, name: str, read: Decision, write: Decision
) -> None:
    a = authz(rules)
    assert (a.intention_read(name), a.intention_write(name)) == (read, write)


def test_intention_wildcard_needs_any_for_read_and_all_for_write() -> None:
    a = authz('service "a" { policy = "read" intentions = "write" }')
    assert a.intention_read("*") is ALLOW
    assert a.intention_write("*") is DEFAULT
    b = authz('service_prefix "" { policy = "read" intentions = "write" }')
    assert b.intention_write("*") is ALLOW
    c = authz(
        'service_prefix "" { policy = "read" intentions = "write" }',
        'service "x" { policy = "read" }',
    )
    assert c.intention_write("*") is DENY


def test_any_and_all() -> None:
    a = authz('service "web" { policy = "write" }', 'node_prefix "" { policy = "read" }')
    assert a.service_write_any() is ALLOW
    assert a.service_read_all() is DEFAULT
    assert a.node_read_all() is ALLOW
    b = authz('node_prefix "" { policy = "read" }', 'node "secret" { policy = "deny" }')
    assert b.node_read_all() is DENY
    c = authz('service_prefix "" { policy = "deny" }')
    assert c.service_write_any() is DENY


@pytest.mark.parametrize(
    ("rules", "mesh", "peering"),
    [
        ('operator = "write"', ALLOW, ALLOW),
        ('operator = "read"', DENY, DENY),
        ('operator = "read"\nmesh = "write"', ALLOW, DENY),
        ('operator = "write"\npeering = "deny"', ALLOW, DENY),
        ('key "k" { policy = "read" }', DEFAULT, DEFAULT),
    ],
)
def test_mesh_and_peering_fall_back_to_operator(
    rules: str, mesh: Decision, peering: Decision
) -> None:
    a = authz(rules)
    assert (a.mesh_write(), a.peering_write()) == (mesh, peering)


@pytest.mark.parametrize(
    ("rules", "prefix", "expected"),
    [
        ('key_prefix "" { policy = "write" }', "a/", ALLOW),
        ('key_prefix "a/" { policy = "write" }', "a/", ALLOW),
        ('key_prefix "a/" { policy = "write" }', "a/b/", ALLOW),
        ('key_prefix "a/" { policy = "write" }', "", DEFAULT),  # no rule covers "" itself
        ('key_prefix "a/" { policy = "read" }', "a/", DENY),
        ('key_prefix "a/" { policy = "list" }', "a/", DENY),
        # a weaker rule anywhere under the prefix blocks the recursive delete
        ('key_prefix "a/" { policy = "write" }\nkey "a/b" { policy = "read" }', "a/", DENY),
        ('key_prefix "a/" { policy = "write" }\nkey_prefix "a/b/" { policy = "deny" }', "a/", DENY),
        ('key_prefix "" { policy = "write" }\nkey "a/" { policy = "read" }', "a/", DENY),
        # ... but not one outside it
        ('key_prefix "a/" { policy = "write" }\nkey "b" { policy = "read" }', "a/", ALLOW),
        # rules under the prefix that all grant write, without a covering prefix: no opinion
        ('key "a/b" { policy = "write" }', "a/", DEFAULT),
        ('key "a/b" { policy = "deny" }', "a/", DENY),
        # exact rule on the prefix itself does not cover keys under it
        ('key "a/" { policy = "write" }', "a/", DEFAULT),
    ],
)
def test_key_write_prefix(rules: str, prefix: str, expected: Decision) -> None:
    assert authz(rules).key_write_prefix(prefix) is expected


def test_builtin_policies() -> None:
    mgmt = authz(GLOBAL_MANAGEMENT.rules)
    assert all(
        d is ALLOW
        for d in (
            mgmt.acl_write(),
            mgmt.key_write_prefix(""),
            mgmt.intention_write("*"),
            mgmt.mesh_write(),
            mgmt.peering_write(),
            mgmt.session_write("n"),
        )
    )
    ro = authz(GLOBAL_READ_ONLY.rules)
    assert (ro.acl_read(), ro.acl_write(), ro.key_list("x"), ro.intention_read("s")) == (
        ALLOW,
        DENY,
        DENY,
        ALLOW,
    )


# --- chains --------------------------------------------------------------------------------


def test_chain_falls_through_to_default_policy() -> None:
    a = authz('key_prefix "app/" { policy = "read" }')
    allow, deny = chain(a, default="allow"), chain(a, default="deny")
    assert allow.key_read("app/x") and deny.key_read("app/x")
    assert not allow.key_write("app/x") and not deny.key_write("app/x")  # explicit answer
    assert allow.key_write("other") and not deny.key_write("other")  # default policy
    assert allow.service_write_any() and not deny.service_write_any()


def test_default_allow_still_denies_acl_management() -> None:
    allow = chain(default="allow")
    assert allow.operator_write() and allow.key_write_prefix("")
    assert not allow.acl_read() and not allow.acl_write()
    assert chain(authz('acl = "read"'), default="allow").acl_read()


def test_first_non_default_answer_wins() -> None:
    first = authz('key "k" { policy = "deny" }')
    second = authz('key_prefix "" { policy = "write" }')
    c = chain(first, second, default="allow")
    assert not c.key_read("k")
    assert c.key_write("other")


def test_static_authorizers() -> None:
    assert ALLOW_ALL.key_write("k") is ALLOW and ALLOW_ALL.acl_write() is DENY
    assert DENY_ALL.key_read("k") is DENY and DENY_ALL.acl_read() is DENY
    assert MANAGEMENT.acl_write() is ALLOW and MANAGEMENT.intention_write("*") is ALLOW
    assert chain(MANAGEMENT, default="deny").acl_write()


def test_intention_default_allow_is_the_default_policy() -> None:
    a = authz('service_prefix "" { policy = "write" }')
    assert chain(a, default="allow").intention_default_allow()
    assert not chain(a, default="deny").intention_default_allow()


def test_chain_accepts_bools_and_rejects_other_policies() -> None:
    assert chain(default=True).key_read("k")
    assert not chain(default=False).key_read("k")
    with pytest.raises(ValueError):
        chain(default="extend-cache")


def test_require_raises_with_the_chain_identity() -> None:
    c = chain(authz('key "k" { policy = "read" }'), default="deny", accessor_id="abc")
    c.require(Resource.KEY, Access.READ, "k")
    with pytest.raises(PermissionDeniedError) as info:
        c.require(Resource.KEY, Access.WRITE, "k")
    assert str(info.value) == (
        "Permission denied: token with AccessorID 'abc' lacks permission 'key:write' on \"k\""
    )
    with pytest.raises(PermissionDeniedError) as info:
        chain(default="allow").require(Resource.ACL, Access.READ)
    assert str(info.value) == "Permission denied: provided token lacks permission 'acl:read'"


def test_require_key_write_prefix() -> None:
    c = chain(authz('key_prefix "a/" { policy = "write" }\nkey "a/b" { policy = "read" }'))
    with pytest.raises(PermissionDeniedError) as info:
        c.require_key_write_prefix("a/")
    assert (info.value.resource, info.value.level, info.value.name) == (
        Resource.KEY,
        Access.WRITE,
        "a/",
    )


# --- messages ------------------------------------------------------------------------------

ANON_SUFFIX = ". The anonymous token is used implicitly when a request does not specify a token."


@pytest.mark.parametrize(
    ("err", "accessor", "anonymous", "expected"),
    [
        (
            PermissionDeniedError(Resource.KEY, Access.READ, "foo"),
            "6a1253d2-1785-24fd-91c2-f8e78c745511",
            False,
            "Permission denied: token with AccessorID '6a1253d2-1785-24fd-91c2-f8e78c745511' "
            "lacks permission 'key:read' on \"foo\"",
        ),
        (
            PermissionDeniedError(Resource.KEY, Access.READ, "foo"),
            None,
            True,
            "Permission denied: anonymous token lacks permission 'key:read' on \"foo\""
            + ANON_SUFFIX,
        ),
        (
            PermissionDeniedError(Resource.ACL, Access.READ),
            ANONYMOUS_TOKEN_ACCESSOR_ID,
            False,
            "Permission denied: anonymous token lacks permission 'acl:read'" + ANON_SUFFIX,
        ),
        (
            PermissionDeniedError(Resource.OPERATOR, Access.WRITE),
            "abc",
            False,
            "Permission denied: token with AccessorID 'abc' lacks permission 'operator:write'",
        ),
        (
            PermissionDeniedError(Resource.SERVICE, Access.READ, "foobar"),
            None,
            False,
            "Permission denied: provided token lacks permission 'service:read' on \"foobar\"",
        ),
        (
            PermissionDeniedError(Resource.KEY, Access.LIST, 'a"b'),
            "",
            False,
            "Permission denied: token with AccessorID '' lacks permission 'key:list' on \"a\\\"b\"",
        ),
        (PermissionDeniedError(None), "x", False, "Permission denied"),
        (
            PermissionDeniedError.because("ACL bootstrap no longer allowed (reset index: 7)"),
            "x",
            True,
            "Permission denied: ACL bootstrap no longer allowed (reset index: 7)",
        ),
    ],
)
def test_messages(
    err: PermissionDeniedError, accessor: str | None, anonymous: bool, expected: str
) -> None:
    assert err.message(accessor, anonymous) == expected


def test_build_takes_parsed_rules_and_texts_and_plain_strings() -> None:
    c = build(
        [parse_rules('key_prefix "app/" { policy = "read" }'), 'node "n1" { policy = "write" }'],
        default="deny",
        accessor_id="abc",
    )
    assert c.allowed("key", "read", "app/x") and c.allowed(Resource.NODE, "write", "n1")
    assert not c.allowed("key", "write", "app/x")
    with pytest.raises(PermissionDeniedError) as info:
        c.require("key", "list", "app/")
    assert str(info.value) == (
        "Permission denied: token with AccessorID 'abc' lacks permission 'key:list' on \"app/\""
    )
    with pytest.raises(ValueError):
        c.allowed("keys", "read", "x")
