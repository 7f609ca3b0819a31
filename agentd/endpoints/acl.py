"""ACL endpoint: tokens, policies, roles and bootstrap as ACL commands; reads from the store."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace
from typing import Any

from agentd.acl import builtin
from agentd.errors import AgentError, BadRequest, NotFound
from agentd.server import Server
from agentd.structs.acl import Policy, Role, TemplatedPolicy, Token, to_wire
from agentd.structs.commands import MessageType

MANAGEMENT_POLICY_ID = builtin.GLOBAL_MANAGEMENT_POLICY_ID
ANONYMOUS_ACCESSOR = builtin.ANONYMOUS_TOKEN_ACCESSOR_ID
RESERVED_PREFIX = builtin.RESERVED_ID_PREFIX
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def new_id() -> str:
    return str(uuid.uuid4())


async def _propose(srv: Server, op: str, **fields: Any) -> Any:
    result = await srv.propose({"Type": int(MessageType.ACL), "Op": op, **fields})
    if isinstance(result, Exception):
        raise result
    return result


def builtin_policies() -> list[Policy]:
    return [Policy(p.id, p.name, p.description, p.rules) for p in builtin.BUILTIN_POLICIES.values()]


async def bootstrap(
    srv: Server,
    secret: str = "",
    reset_index: int = 0,
    description: str = "Bootstrap Token (Global Management)",
) -> Token:
    token = Token(
        new_id(), secret or new_id(), description, (MANAGEMENT_POLICY_ID,), create_time=time.time()
    )
    result: Token = await _propose(
        srv,
        "bootstrap",
        Token=to_wire(token),
        ResetIndex=reset_index,
        Policies=[to_wire(p) for p in builtin_policies()],
    )
    return result


async def ensure_anonymous(srv: Server) -> None:
    acl = srv.store.acl
    if ANONYMOUS_ACCESSOR not in acl.tokens:
        token = Token(ANONYMOUS_ACCESSOR, "anonymous", "Anonymous Token", create_time=time.time())
        await _propose(srv, "token-set", Token=to_wire(token))
    for policy in builtin_policies():
        if policy.id not in acl.policies:
            await _propose(srv, "policy-set", Policy=to_wire(policy))


def resolve_links(srv: Server, links: list[dict[str, str]], kind: str) -> tuple[str, ...]:
    """Policy or role links by ID or by Name, as Consul accepts them, to IDs."""
    acl = srv.store.acl
    table = acl.policies if kind == "policy" else acl.roles
    ids = []
    for link in links:
        lid, name = link.get("id", ""), link.get("name", "")
        if lid:
            if lid not in table:
                raise BadRequest(f"{kind.capitalize()} not found: {lid}")
            ids.append(lid)
            continue
        found = acl.policy_by_name(name) if kind == "policy" else acl.role_by_name(name)
        if found is None:
            raise BadRequest(f"Cannot find {kind} {name}")
        ids.append(found.id)
    return tuple(dict.fromkeys(ids))


def checked_templated(
    policies: tuple[TemplatedPolicy, ...], *, local: bool = False
) -> tuple[TemplatedPolicy, ...]:
    """Templated policies validated against their templates and deduplicated, as Consul keeps
    them (a template without variables once, the others once per name)."""
    from agentd.acl.identities import IdentityError
    from agentd.acl.templated import check_templated_policy

    out: dict[tuple[str, str], TemplatedPolicy] = {}
    for tp in policies:
        try:
            template = check_templated_policy(tp.template_name, tp.name)
        except IdentityError as exc:
            raise BadRequest(exc.message) from None
        if local and tp.datacenters:
            raise BadRequest(
                "Local tokens cannot have templated policies with datacenters specified"
            )
        name = tp.name if template.needs_name else ""
        out.setdefault((tp.template_name, name), replace(tp, name=name))
    return tuple(out.values())


async def set_token(srv: Server, token: Token, *, create: bool) -> Token:
    acl = srv.store.acl
    if token.templated_policies:
        local = (
            token.local if create else getattr(acl.tokens.get(token.accessor_id), "local", False)
        )
        token = replace(
            token, templated_policies=checked_templated(token.templated_policies, local=local)
        )
    old = acl.tokens.get(token.accessor_id)
    if create:
        for name, value in (("AccessorID", token.accessor_id), ("SecretID", token.secret_id)):
            if not _UUID.fullmatch(value):
                raise BadRequest(f"Invalid Token: {name} is not a valid UUID")
        if old is not None:
            raise BadRequest("Invalid Token: AccessorID is already in use")
        if token.accessor_id.startswith(RESERVED_PREFIX):
            raise BadRequest("Invalid Token: AccessorID is reserved")
        token = replace(token, create_time=time.time())
    else:
        if old is None:
            raise NotFound(f"Cannot find token to update: {token.accessor_id!r}")
        if token.secret_id not in ("", "<hidden>", old.secret_id):
            raise BadRequest("Changing a token's SecretID is not permitted")
        token = replace(
            token,
            secret_id=old.secret_id,
            create_time=old.create_time,
            local=old.local,
            expiration_time=old.expiration_time,
        )
    result: Token = await _propose(srv, "token-set", Token=to_wire(token))
    return result


async def delete_token(srv: Server, accessor: str, own_accessor: str) -> None:
    if accessor == ANONYMOUS_ACCESSOR:
        raise BadRequest(builtin.ERR_DELETE_ANONYMOUS_TOKEN)
    if accessor == own_accessor:
        raise BadRequest(builtin.ERR_DELETE_OWN_TOKEN)
    await _propose(srv, "token-delete", ID=accessor)


async def set_policy(srv: Server, policy: Policy, *, create: bool) -> Policy:
    from agentd.acl import rules as rule_parser

    acl = srv.store.acl
    if create and policy.id in acl.policies:
        raise BadRequest("Invalid Policy: ID is already in use")
    if not create and policy.id not in acl.policies:
        raise NotFound(f"Cannot find policy {policy.id}")
    if policy.id == MANAGEMENT_POLICY_ID and policy.rules != acl.policies[policy.id].rules:
        raise BadRequest(
            "Changing the Rules for the builtin global-management policy is not permitted"
        )
    try:
        rule_parser.parse_rules(policy.rules)
    except rule_parser.RuleError as exc:
        raise BadRequest(str(exc)) from None
    result: Policy = await _propose(srv, "policy-set", Policy=to_wire(policy))
    return result


async def delete_policy(srv: Server, policy_id: str) -> None:
    if policy_id == MANAGEMENT_POLICY_ID:
        raise BadRequest(builtin.ERR_DELETE_GLOBAL_MANAGEMENT)
    await _propose(srv, "policy-delete", ID=policy_id)


async def set_role(srv: Server, role: Role, *, create: bool) -> Role:
    acl = srv.store.acl
    if not create and role.id not in acl.roles:
        raise NotFound(f"Cannot find role {role.id}")
    if role.templated_policies:
        role = replace(role, templated_policies=checked_templated(role.templated_policies))
    result: Role = await _propose(srv, "role-set", Role=to_wire(role))
    return result


async def delete_role(srv: Server, role_id: str) -> None:
    await _propose(srv, "role-delete", ID=role_id)


def check_reserved(value: str, what: str) -> None:
    if value.startswith(RESERVED_PREFIX):
        raise AgentError(f"Invalid {what}: reserved ID")


async def establish(srv: Server, initial_management: str) -> None:
    """What a new leader does when ACLs are on: the anonymous token, the builtin policies, and
    the configured initial management token (through bootstrap while that is still allowed)."""
    acl = srv.store.acl
    if initial_management and acl.token_by_secret(initial_management) is None:
        if not acl.bootstrap_index:
            await bootstrap(
                srv, initial_management, description=builtin.INITIAL_MANAGEMENT_TOKEN_DESCRIPTION
            )
        else:
            token = Token(
                new_id(),
                initial_management,
                builtin.INITIAL_MANAGEMENT_TOKEN_DESCRIPTION,
                (MANAGEMENT_POLICY_ID,),
                create_time=time.time(),
            )
            await _propose(srv, "token-set", Token=to_wire(token))
    await ensure_anonymous(srv)
