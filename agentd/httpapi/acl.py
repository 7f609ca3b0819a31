"""``/v1/acl/*`` (bootstrap, tokens, policies, roles) and ``/v1/agent/token/<kind>``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from typing import TYPE_CHECKING, Any

import orjson

from agentd.acl.identities import IdentityError, SyntheticPolicy
from agentd.endpoints import acl as endpoint
from agentd.errors import AgentError, BadRequest, NotFound, PermissionDenied
from agentd.httpapi.app import json_response, token
from agentd.httpapi.decode import field_str, fold, object_body
from agentd.httpapi.need import require
from agentd.httpapi.request import Request, Response
from agentd.structs.acl import (
    NodeIdentity,
    Policy,
    Role,
    ServiceIdentity,
    TemplatedPolicy,
    Token,
)

if TYPE_CHECKING:
    from agentd.agent import Agent


class Unauthorized(AgentError):
    status = 401


def require_enabled(agent: Agent) -> None:
    if not agent.acl.settings.enabled:
        raise Unauthorized("ACL support disabled")


async def replication(agent: Agent, req: Request) -> Response:
    """``/v1/acl/replication``: this datacenter is the primary (the only one), so nothing
    replicates; Consul's shape with its zero times. Needs no token, as in Consul."""
    require_enabled(agent)
    never = "0001-01-01T00:00:00Z"
    return json_response(
        {
            "Enabled": False,
            "Running": False,
            "SourceDatacenter": agent.config.datacenter,
            "ReplicationType": "",
            "ReplicatedIndex": 0,
            "ReplicatedRoleIndex": 0,
            "ReplicatedTokenIndex": 0,
            "LastSuccess": never,
            "LastError": never,
            "LastErrorMessage": "",
        }
    )


def _time(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def content_hash(obj: dict[str, Any]) -> str:
    return base64.b64encode(hashlib.sha256(orjson.dumps(obj)).digest()).decode()


# ---- shapes ------------------------------------------------------------------------------------


def _links(agent: Agent, ids: tuple[str, ...], kind: str) -> list[dict[str, str]]:
    acl = agent.store.acl
    table: dict[str, Any] = acl.policies if kind == "policy" else acl.roles
    return [{"ID": i, "Name": table[i].name} for i in ids if i in table]


def _identities(
    sids: tuple[ServiceIdentity, ...],
    nids: tuple[NodeIdentity, ...],
    out: dict[str, Any],
    tps: tuple[TemplatedPolicy, ...] = (),
) -> None:
    if sids:
        out["ServiceIdentities"] = [
            {
                "ServiceName": s.service_name,
                **({"Datacenters": list(s.datacenters)} if s.datacenters else {}),
            }
            for s in sids
        ]
    if nids:
        out["NodeIdentities"] = [
            {"NodeName": n.node_name, "Datacenter": n.datacenter} for n in nids
        ]
    if tps:
        out["TemplatedPolicies"] = [
            {
                "TemplateName": tp.template_name,
                **({"TemplateVariables": {"Name": tp.name}} if tp.name else {}),
                **({"Datacenters": list(tp.datacenters)} if tp.datacenters else {}),
            }
            for tp in tps
        ]


def token_json(agent: Agent, t: Token, *, show_secret: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AccessorID": t.accessor_id,
        "SecretID": t.secret_id if show_secret else "<hidden>",
        "Description": t.description,
    }
    if t.policies:
        out["Policies"] = _links(agent, t.policies, "policy")
    if t.roles:
        out["Roles"] = _links(agent, t.roles, "role")
    _identities(t.service_identities, t.node_identities, out, t.templated_policies)
    out["Local"] = t.local
    if t.expiration_time:
        out["ExpirationTime"] = _time(t.expiration_time)
    out["CreateTime"] = _time(t.create_time)
    out["Hash"] = content_hash({k: v for k, v in out.items() if k != "SecretID"})
    out["CreateIndex"], out["ModifyIndex"] = t.create_index, t.modify_index
    return out


def policy_json(p: Policy, *, rules: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": p.id, "Name": p.name, "Description": p.description}
    if rules:
        out["Rules"] = p.rules
    if p.datacenters:
        out["Datacenters"] = list(p.datacenters)
    out["Hash"] = content_hash({"Name": p.name, "Rules": p.rules, "Description": p.description})
    out["CreateIndex"], out["ModifyIndex"] = p.create_index, p.modify_index
    return out


def role_json(agent: Agent, r: Role) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": r.id, "Name": r.name, "Description": r.description}
    if r.policies:
        out["Policies"] = _links(agent, r.policies, "policy")
    _identities(r.service_identities, r.node_identities, out, r.templated_policies)
    out["Hash"] = content_hash(out)
    out["CreateIndex"], out["ModifyIndex"] = r.create_index, r.modify_index
    return out


def synthetic_json(syn: SyntheticPolicy) -> dict[str, Any]:
    return {
        "ID": syn.id,
        "Name": syn.name,
        "Description": syn.description,
        "Rules": syn.rules,
        "Datacenters": list(syn.datacenters),
    }


def _expansion(agent: Agent, t: Token) -> dict[str, Any]:
    """``?expanded=true``: the policies and roles behind the token, and the agent's policies."""
    from agentd.acl import identities, templated

    acl = agent.store.acl
    roles = [acl.roles[r] for r in t.roles if r in acl.roles]
    policy_ids = list(t.policies) + [p for r in roles for p in r.policies]
    policies = [
        policy_json(acl.policies[p]) for p in dict.fromkeys(policy_ids) if p in acl.policies
    ]
    for sid in t.service_identities:
        syn = identities.service_identity_policy(sid.service_name, sid.datacenters)
        policies.append(
            {
                "ID": syn.id,
                "Name": syn.name,
                "Description": syn.description,
                "Rules": syn.rules,
                "Datacenters": list(syn.datacenters),
            }
        )
    for nid in t.node_identities:
        syn = identities.node_identity_policy(nid.node_name, nid.datacenter)
        policies.append(
            {
                "ID": syn.id,
                "Name": syn.name,
                "Description": syn.description,
                "Rules": syn.rules,
                "Datacenters": list(syn.datacenters),
            }
        )
    for tp in t.templated_policies:
        try:
            syn = templated.templated_policy(tp.template_name, tp.name, tp.datacenters)
        except IdentityError:
            continue
        policies.append(synthetic_json(syn))
    settings = agent.acl.settings
    return {
        "ExpandedPolicies": policies,
        "ExpandedRoles": [role_json(agent, r) for r in roles],
        "NamespaceDefaultPolicyIDs": None,
        "NamespaceDefaultRoleIDs": None,
        "AgentACLDefaultPolicy": settings.default_policy,
        "AgentACLDownPolicy": settings.down_policy,
        "ResolvedByAgent": agent.config.node_name,
    }


# ---- decoding ----------------------------------------------------------------------------------


def _link_list(f: dict[str, Any], key: str) -> list[dict[str, str]]:
    raw = f.get(key) or []
    if not isinstance(raw, list):
        raise BadRequest(f"Request decode failed: {key} must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest(f"Request decode failed: {key} entries must be objects")
        g = fold(item)
        out.append({"id": str(g.get("id") or ""), "name": str(g.get("name") or "")})
    return out


def _decode_identities(
    f: dict[str, Any],
) -> tuple[tuple[ServiceIdentity, ...], tuple[NodeIdentity, ...]]:
    sids = []
    for item in f.get("serviceidentities") or []:
        g = fold(item)
        name = str(g.get("servicename") or "")
        if not name:
            raise BadRequest("Service identity is missing the service name field on this token")
        sids.append(ServiceIdentity(name, tuple(g.get("datacenters") or ())))
    nids = []
    for item in f.get("nodeidentities") or []:
        g = fold(item)
        name, dc = str(g.get("nodename") or ""), str(g.get("datacenter") or "")
        if not name or not dc:
            raise BadRequest("Node identity is missing the node name or datacenter")
        nids.append(NodeIdentity(name, dc))
    return tuple(sids), tuple(nids)


def _decode_templated(f: dict[str, Any]) -> tuple[TemplatedPolicy, ...]:
    raw = f.get("templatedpolicies") or []
    if not isinstance(raw, list):
        raise BadRequest("Request decode failed: TemplatedPolicies must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("Request decode failed: TemplatedPolicies entries must be objects")
        g = fold(item)
        variables = g.get("templatevariables") or {}
        name = str(fold(variables).get("name") or "") if isinstance(variables, dict) else ""
        dcs = g.get("datacenters") or ()
        if not isinstance(dcs, list | tuple):
            raise BadRequest("Request decode failed: Datacenters must be a list")
        out.append(
            TemplatedPolicy(str(g.get("templatename") or ""), name, tuple(str(d) for d in dcs))
        )
    return tuple(out)


def _decode_token(agent: Agent, f: dict[str, Any], accessor: str = "") -> Token:
    import time

    from cnslkit.duration import parse_duration

    sids, nids = _decode_identities(f)
    expires = 0.0
    ttl = f.get("expirationttl")
    if ttl:
        try:
            expires = time.time() + (parse_duration(ttl) if isinstance(ttl, str) else ttl / 1e9)
        except ValueError as exc:
            raise BadRequest(f"Invalid ExpirationTTL: {exc}") from None
    return Token(
        accessor_id=accessor or field_str(f, "accessorid") or endpoint.new_id(),
        secret_id=field_str(f, "secretid") or (endpoint.new_id() if not accessor else ""),
        description=field_str(f, "description"),
        policies=endpoint.resolve_links(agent.server, _link_list(f, "policies"), "policy"),
        roles=endpoint.resolve_links(agent.server, _link_list(f, "roles"), "role"),
        service_identities=sids,
        node_identities=nids,
        local=bool(f.get("local")),
        expiration_time=expires,
        templated_policies=_decode_templated(f),
    )


# ---- bootstrap and agent tokens -----------------------------------------------------------------


async def bootstrap(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    reset = 0
    data_dir = agent.config.data_dir
    reset_file = os.path.join(data_dir, "acl-bootstrap-reset") if data_dir else ""
    if reset_file and os.path.exists(reset_file):
        try:
            with open(reset_file) as fh:
                reset = int(fh.read().strip() or "0")
        except ValueError:
            reset = -1
    t = await endpoint.bootstrap(agent.server, reset_index=reset)
    if reset and reset_file:
        os.unlink(reset_file)
    body = token_json(agent, t)
    body["ID"] = t.secret_id
    return json_response(body)


async def agent_token(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    kind = req.path.removeprefix("/v1/agent/token/")
    kinds = {
        "default",
        "agent",
        "agent_recovery",
        "agent_master",
        "replication",
        "dns",
        "config_file_service_registration",
        "acl_token",
        "acl_agent_token",
    }
    if kind not in kinds:
        raise NotFound(f'Token "{kind}" is unknown')
    f = object_body(req.body)
    agent.acl.set_agent_token(kind, field_str(f, "token"), agent.config.data_dir)
    return Response(200, b"", None)


# ---- tokens ------------------------------------------------------------------------------------


async def token_create(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    t = _decode_token(agent, object_body(req.body))
    if not (t.policies or t.roles or t.service_identities or t.node_identities):
        pass  # Consul allows a token with no links (it gets the default policy)
    return json_response(token_json(agent, await endpoint.set_token(agent.server, t, create=True)))


async def token_item(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    rest = req.path.removeprefix("/v1/acl/token/")
    acl = agent.store.acl
    if rest == "self" and req.method == "GET":
        t = acl.token_by_secret(token(req))
        if t is None:
            raise PermissionDenied("ACL not found")
        return json_response(token_json(agent, t))
    if req.method == "GET":
        require(req, "acl", "read")
        t = acl.tokens.get(rest)
        if t is None:
            raise PermissionDenied("ACL not found")
        # Secrets are shown once, at creation (and to their own holder via token/self).
        body = token_json(agent, t, show_secret=False)
        if req.has("expanded") and (req.arg("expanded") or "true").lower() != "false":
            body = {**_expansion(agent, t), **body}
        return json_response(body)
    if rest.endswith("/clone"):
        src = acl.tokens.get(rest.removesuffix("/clone"))
        if src is None:
            raise NotFound("Cannot find token to clone")
        f = object_body(req.body) if req.body else {}
        clone = Token(
            endpoint.new_id(),
            endpoint.new_id(),
            field_str(f, "description") or src.description,
            src.policies,
            src.roles,
            src.service_identities,
            src.node_identities,
            src.local,
            src.expiration_time,
            templated_policies=src.templated_policies,
        )
        made = await endpoint.set_token(agent.server, clone, create=True)
        return json_response(token_json(agent, made))
    if req.method == "PUT":
        t = _decode_token(agent, object_body(req.body), accessor=rest)
        made = await endpoint.set_token(agent.server, t, create=False)
        return json_response(token_json(agent, made))
    own = getattr(req.identity, "accessor_id", "")
    await endpoint.delete_token(agent.server, rest, own)
    return Response(200, b"true")


async def token_list(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    policy, role, service = req.arg("policy"), req.arg("role"), req.arg("servicename")
    if req.arg("authmethod"):
        return json_response([])  # no auth methods: no token was made by one
    out = []
    for t in sorted(agent.store.acl.tokens.values(), key=lambda t: t.create_index):
        if (policy and policy not in t.policies) or (role and role not in t.roles):
            continue
        if service and service not in {i.service_name for i in t.service_identities}:
            continue
        entry = token_json(agent, t, show_secret=False)
        entry["Legacy"] = False
        out.append(entry)
    return json_response(out)


# ---- policies ----------------------------------------------------------------------------------


def _decode_policy(f: dict[str, Any], policy_id: str) -> Policy:
    name = field_str(f, "name")
    import re

    if not re.fullmatch(r"[A-Za-z0-9\-_/]{1,128}", name):
        raise BadRequest(f"Invalid Policy: invalid Name {name!r}")
    return Policy(
        policy_id,
        name,
        field_str(f, "description"),
        field_str(f, "rules"),
        tuple(f.get("datacenters") or ()),
    )


async def policy_create(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    f = object_body(req.body)
    if field_str(f, "id"):
        raise BadRequest("Cannot specify an ID when creating a policy")
    p = await endpoint.set_policy(agent.server, _decode_policy(f, endpoint.new_id()), create=True)
    return json_response(policy_json(p))


async def policy_item(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    rest = req.path.removeprefix("/v1/acl/policy/")
    acl = agent.store.acl
    if req.method == "GET":
        p = acl.policy_by_name(rest[5:]) if rest.startswith("name/") else acl.policies.get(rest)
        if p is None:
            raise NotFound("ACL not found")
        return json_response(policy_json(p))
    if req.method == "PUT":
        p = await endpoint.set_policy(
            agent.server, _decode_policy(object_body(req.body), rest), create=False
        )
        return json_response(policy_json(p))
    await endpoint.delete_policy(agent.server, rest)
    return Response(200, b"true")


async def policy_list(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    policies = sorted(agent.store.acl.policies.values(), key=lambda p: p.create_index)
    return json_response([policy_json(p, rules=False) for p in policies])


# ---- roles -------------------------------------------------------------------------------------


def _decode_role(agent: Agent, f: dict[str, Any], role_id: str) -> Role:
    name = field_str(f, "name")
    if not name:
        raise BadRequest("Invalid Role: no Name is set")
    sids, nids = _decode_identities(f)
    policies = endpoint.resolve_links(agent.server, _link_list(f, "policies"), "policy")
    return Role(
        role_id,
        name,
        field_str(f, "description"),
        policies,
        sids,
        nids,
        templated_policies=_decode_templated(f),
    )


async def role_create(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    role = _decode_role(agent, object_body(req.body), endpoint.new_id())
    return json_response(role_json(agent, await endpoint.set_role(agent.server, role, create=True)))


async def role_item(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    rest = req.path.removeprefix("/v1/acl/role/")
    acl = agent.store.acl
    if req.method == "GET":
        r = acl.role_by_name(rest[5:]) if rest.startswith("name/") else acl.roles.get(rest)
        if r is None:
            raise NotFound("ACL not found")
        return json_response(role_json(agent, r))
    if req.method == "PUT":
        role = _decode_role(agent, object_body(req.body), rest)
        return json_response(
            role_json(agent, await endpoint.set_role(agent.server, role, create=False))
        )
    await endpoint.delete_role(agent.server, rest)
    return Response(200, b"true")


async def role_list(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    roles = sorted(agent.store.acl.roles.values(), key=lambda r: r.create_index)
    policy = req.arg("policy")  # the roles linking that policy ID
    if policy:
        roles = [r for r in roles if policy in r.policies]
    return json_response([role_json(agent, r) for r in roles])
