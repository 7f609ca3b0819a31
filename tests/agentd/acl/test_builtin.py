from __future__ import annotations

from agentd.acl.builtin import (
    ANONYMOUS_TOKEN_ACCESSOR_ID,
    ANONYMOUS_TOKEN_SECRET_ID,
    BUILTIN_POLICIES,
    GLOBAL_MANAGEMENT,
    GLOBAL_MANAGEMENT_POLICY_ID,
    GLOBAL_READ_ONLY,
    is_reserved_id,
)
from agentd.acl.rules import Access, LabelledRules, PolicyRules, Rule, parse_rules


def everything(level: Access) -> PolicyRules:
    every = LabelledRules(prefix={"": Rule(level)})
    return PolicyRules(
        agent=every,
        event=every,
        key=every,
        node=every,
        query=every,
        service=LabelledRules(prefix={"": Rule(level, level)}),
        session=every,
        acl=level,
        keyring=level,
        operator=level,
        mesh=level,
        peering=level,
    )


def test_builtin_policies() -> None:
    assert GLOBAL_MANAGEMENT.id == GLOBAL_MANAGEMENT_POLICY_ID
    assert GLOBAL_MANAGEMENT.name == "global-management"
    assert GLOBAL_MANAGEMENT.description == "Builtin Policy that grants unlimited access"
    assert parse_rules(GLOBAL_MANAGEMENT.rules) == everything(Access.WRITE)
    assert GLOBAL_READ_ONLY.id == "00000000-0000-0000-0000-000000000002"
    assert GLOBAL_READ_ONLY.name == "builtin/global-read-only"
    assert parse_rules(GLOBAL_READ_ONLY.rules) == everything(Access.READ)
    assert set(BUILTIN_POLICIES) == {GLOBAL_MANAGEMENT.id, GLOBAL_READ_ONLY.id}


def test_management_rules_text_is_consuls() -> None:
    assert GLOBAL_MANAGEMENT.rules.startswith('\nacl = "write"\nagent_prefix "" {\n\tpolicy')
    assert GLOBAL_MANAGEMENT.rules.endswith('session_prefix "" {\n\tpolicy = "write"\n}')


def test_anonymous_token_and_reserved_ids() -> None:
    assert ANONYMOUS_TOKEN_ACCESSOR_ID == "00000000-0000-0000-0000-000000000002"
    assert ANONYMOUS_TOKEN_SECRET_ID == "anonymous"
    assert is_reserved_id(ANONYMOUS_TOKEN_ACCESSOR_ID)
    assert is_reserved_id("00000000-0000-0000-0000-000000000099")
    assert not is_reserved_id("00000000-0000-0000-0000-000000000100")
    assert not is_reserved_id("6a1253d2-1785-24fd-91c2-f8e78c745511")
