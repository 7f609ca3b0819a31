"""``/v1/acl/*`` as :class:`~cnslkit.api.call.Call` records (Go's ``ACL``).

Send with ``await client.send(call)`` or the CLI's ``http.send(call)``. Reads by ID answer a
403/404 for an unknown object, which surfaces as a ResponseError as in the Go client; reads by
name and role reads answer None for a 404 (Go's ``requireNotFoundOrOK``). Request bodies carry
only what the caller sets: links by ``ID`` or by ``Name`` (the server resolves names), and the
fields the server fills in (indexes, hash, create time) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cnslkit.api import wire
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
from cnslkit.api.call import Call, decode_json, encode_json, expect_list, expect_object, ignore
from cnslkit.api.call import params as query_params

__all__ = [
    "ANONYMOUS_TOKEN_ID",
    "GLOBAL_MANAGEMENT_POLICY_ID",
    "bootstrap",
    "policy_body",
    "policy_create",
    "policy_delete",
    "policy_list",
    "policy_read",
    "policy_read_by_name",
    "policy_update",
    "role_body",
    "role_create",
    "role_delete",
    "role_list",
    "role_read",
    "role_read_by_name",
    "role_update",
    "token_body",
    "token_clone",
    "token_create",
    "token_delete",
    "token_list",
    "token_read",
    "token_read_expanded",
    "token_read_self",
    "token_update",
]

GLOBAL_MANAGEMENT_POLICY_ID = "00000000-0000-0000-0000-000000000001"
ANONYMOUS_TOKEN_ID = "00000000-0000-0000-0000-000000000002"


def _links(links: Sequence[ACLLink]) -> list[dict[str, str]]:
    out = []
    for link in links:
        item = {}
        if link.id:
            item["ID"] = link.id
        if link.name:
            item["Name"] = link.name
        out.append(item)
    return out


def _identities(
    body: dict[str, Any],
    services: Sequence[ServiceIdentity],
    nodes: Sequence[NodeIdentity],
    templated: Sequence[TemplatedPolicy],
) -> None:
    if services:
        body["ServiceIdentities"] = [s.to_json() for s in services]
    if nodes:
        body["NodeIdentities"] = [n.to_json() for n in nodes]
    if templated:
        body["TemplatedPolicies"] = [t.to_json() for t in templated]


def token_body(token: ACLToken) -> dict[str, Any]:
    """What a create or update sends. ``Local`` always: an update may not toggle it."""
    body: dict[str, Any] = {}
    if token.accessor_id:
        body["AccessorID"] = token.accessor_id
    if token.secret_id:
        body["SecretID"] = token.secret_id
    body["Description"] = token.description
    if token.policies:
        body["Policies"] = _links(token.policies)
    if token.roles:
        body["Roles"] = _links(token.roles)
    _identities(body, token.service_identities, token.node_identities, token.templated_policies)
    body["Local"] = token.local
    if token.expiration_ttl:
        body["ExpirationTTL"] = token.expiration_ttl  # nanoseconds, as Go's time.Duration
    if token.expiration_time:
        body["ExpirationTime"] = token.expiration_time
    return body


def policy_body(policy: ACLPolicy) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if policy.id:
        body["ID"] = policy.id
    body.update(Name=policy.name, Description=policy.description, Rules=policy.rules)
    if policy.datacenters:
        body["Datacenters"] = list(policy.datacenters)
    return body


def role_body(role: ACLRole) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if role.id:
        body["ID"] = role.id
    body.update(Name=role.name, Description=role.description)
    if role.policies:
        body["Policies"] = _links(role.policies)
    _identities(body, role.service_identities, role.node_identities, role.templated_policies)
    return body


def _token(status: int, body: bytes) -> ACLToken:
    return ACLToken.from_json(expect_object(status, body))


def _expanded(status: int, body: bytes) -> ACLTokenExpanded:
    return ACLTokenExpanded.from_json(expect_object(status, body))


def _tokens(status: int, body: bytes) -> list[ACLToken]:
    return [ACLToken.from_json(item) for item in expect_list(status, body)]


def _policy(status: int, body: bytes) -> ACLPolicy:
    return ACLPolicy.from_json(expect_object(status, body))


def _policy_or_none(status: int, body: bytes) -> ACLPolicy | None:
    obj = None if status == 404 else decode_json(status, body)
    return ACLPolicy.from_json(obj) if isinstance(obj, dict) else None


def _policies(status: int, body: bytes) -> list[ACLPolicy]:
    return [ACLPolicy.from_json(item) for item in expect_list(status, body)]


def _role(status: int, body: bytes) -> ACLRole:
    return ACLRole.from_json(expect_object(status, body))


def _role_or_none(status: int, body: bytes) -> ACLRole | None:
    obj = None if status == 404 else decode_json(status, body)
    return ACLRole.from_json(obj) if isinstance(obj, dict) else None


def _roles(status: int, body: bytes) -> list[ACLRole]:
    return [ACLRole.from_json(item) for item in expect_list(status, body)]


def _path(prefix: str, ident: str) -> str:
    return prefix + wire.quote_path(ident)


def _by_name(prefix: str, name: str) -> str:
    # Go escapes names with url.QueryEscape (a space becomes "+").
    return prefix + wire.quote_query(name)


def bootstrap(secret: str = "") -> Call[ACLToken]:
    """The one-time management token; ``secret`` chooses its SecretID (Go's
    ``BootstrapWithToken``). A second bootstrap is a 403 ResponseError."""
    body = encode_json({"BootstrapSecret": secret}) if secret else b""
    return Call("PUT", "/v1/acl/bootstrap", _token, body=body)


def token_create(token: ACLToken) -> Call[ACLToken]:
    return Call("PUT", "/v1/acl/token", _token, body=encode_json(token_body(token)))


def token_update(token: ACLToken) -> Call[ACLToken]:
    """Replace the token ``token.accessor_id`` names with ``token`` (IDs and Local are fixed)."""
    if not token.accessor_id:
        raise ValueError("Must specify an AccessorID for Token Updating")
    path = _path("/v1/acl/token/", token.accessor_id)
    return Call("PUT", path, _token, body=encode_json(token_body(token)))


def token_clone(accessor_id: str, description: str = "") -> Call[ACLToken]:
    """A new token with the same links, locality and expiry, and new IDs."""
    path = _path("/v1/acl/token/", accessor_id) + "/clone"
    return Call("PUT", path, _token, body=encode_json({"Description": description}))


def token_delete(accessor_id: str) -> Call[None]:
    return Call("DELETE", _path("/v1/acl/token/", accessor_id), ignore)


def token_read(accessor_id: str) -> Call[ACLToken]:
    return Call("GET", _path("/v1/acl/token/", accessor_id), _token)


def token_read_expanded(accessor_id: str) -> Call[ACLTokenExpanded]:
    path = _path("/v1/acl/token/", accessor_id)
    return Call("GET", path, _expanded, (("expanded", "true"),))


def token_read_self() -> Call[ACLToken]:
    """The token the request is made with (its secret is the caller's token)."""
    return Call("GET", "/v1/acl/token/self", _token)


def token_list(
    *, policy: str = "", role: str = "", auth_method: str = "", service_name: str = ""
) -> Call[list[ACLToken]]:
    """Every token, or those linking a policy/role ID, made by an auth method, or granting a
    service identity. SecretIDs read ``<hidden>`` without ``acl:write``."""
    query = query_params(("policy", policy), ("role", role), ("authmethod", auth_method))
    query += query_params(("servicename", service_name))
    return Call("GET", "/v1/acl/tokens", _tokens, query)


def policy_create(policy: ACLPolicy) -> Call[ACLPolicy]:
    if policy.id:
        raise ValueError("Cannot specify an ID in Policy Creation")
    return Call("PUT", "/v1/acl/policy", _policy, body=encode_json(policy_body(policy)))


def policy_update(policy: ACLPolicy) -> Call[ACLPolicy]:
    if not policy.id:
        raise ValueError("Must specify an ID in Policy Update")
    path = _path("/v1/acl/policy/", policy.id)
    return Call("PUT", path, _policy, body=encode_json(policy_body(policy)))


def policy_delete(policy_id: str) -> Call[None]:
    return Call("DELETE", _path("/v1/acl/policy/", policy_id), ignore)


def policy_read(policy_id: str) -> Call[ACLPolicy]:
    return Call("GET", _path("/v1/acl/policy/", policy_id), _policy)


def policy_read_by_name(name: str) -> Call[ACLPolicy | None]:
    path = _by_name("/v1/acl/policy/name/", name)
    return Call("GET", path, _policy_or_none, expect=(200, 404))


def policy_list() -> Call[list[ACLPolicy]]:
    """Every policy, without rules."""
    return Call("GET", "/v1/acl/policies", _policies)


def role_create(role: ACLRole) -> Call[ACLRole]:
    if role.id:
        raise ValueError("Cannot specify an ID in Role Creation")
    return Call("PUT", "/v1/acl/role", _role, body=encode_json(role_body(role)))


def role_update(role: ACLRole) -> Call[ACLRole]:
    if not role.id:
        raise ValueError("Must specify an ID in Role Update")
    return Call("PUT", _path("/v1/acl/role/", role.id), _role, body=encode_json(role_body(role)))


def role_delete(role_id: str) -> Call[None]:
    return Call("DELETE", _path("/v1/acl/role/", role_id), ignore)


def role_read(role_id: str) -> Call[ACLRole | None]:
    return Call("GET", _path("/v1/acl/role/", role_id), _role_or_none, expect=(200, 404))


def role_read_by_name(name: str) -> Call[ACLRole | None]:
    path = _by_name("/v1/acl/role/name/", name)
    return Call("GET", path, _role_or_none, expect=(200, 404))


def role_list() -> Call[list[ACLRole]]:
    return Call("GET", "/v1/acl/roles", _roles)
