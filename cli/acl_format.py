"""The ``-format=pretty|json`` printers of ``cnsl acl``: Consul's ``command/acl/*/formatter.go``.

Pretty texts are Consul's byte for byte: fixed label columns (``AccessorID:       ``), links as
``   <id> - <name>``, identities with their datacenters ("all" when none), ``%v`` times
(``2020-05-22 18:52:31 +0000 UTC``) and ``%x`` hashes under ``-meta``. JSON is Go's
``json.MarshalIndent(x, "", "    ")`` of the API record (see :mod:`cnslkit.api.aclmodels`).
Every printer returns the text the command passes to ``Output.info`` (which adds the final
newline, as Consul's ``UI.Info`` does); an empty pretty list is "" and prints nothing.
"""

from __future__ import annotations

import binascii

from cli.gojson import marshal_indent
from cli.textfmt import go_quote
from cnslkit.api.aclmodels import ACLPolicy, ACLRole
from cnslkit.api.gotime import ZERO, go_string

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from cnslkit.api.aclmodels import (
        ACLLink,
        ACLToken,
        ACLTokenExpanded,
        NodeIdentity,
        ServiceIdentity,
        TemplatedPolicy,
    )

__all__ = [
    "FORMATS",
    "format_policy",
    "format_policy_list",
    "format_role",
    "format_role_list",
    "format_token",
    "format_token_expanded",
    "format_token_list",
]

FORMATS = ("pretty", "json")
T1, T2 = "\t", "\t\t"  # Consul's WHITESPACE_2 and WHITESPACE_4 are tabs

# Rules of the synthetic policies identities expand to (agent/structs/acltemplatedpolicy).
_TEMPLATES = {
    "builtin/service": '\nservice "{name}" {{\n\tpolicy = "write"\n}}\n'
    'service "{name}-sidecar-proxy" {{\n\tpolicy = "write"\n}}\n'
    'service_prefix "" {{\n\tpolicy = "read"\n}}\nnode_prefix "" {{\n\tpolicy = "read"\n}}',
    "builtin/node": '\nnode "{name}" {{\n\tpolicy = "write"\n}}\n'
    'service_prefix "" {{\n\tpolicy = "read"\n}}',
    "builtin/dns": '\nnode_prefix "" {{\n\tpolicy = "read"\n}}\n'
    'service_prefix "" {{\n\tpolicy = "read"\n}}\nquery_prefix "" {{\n\tpolicy = "read"\n}}',
}


def _json(value: Any) -> str:
    return marshal_indent(value, "", "    ")


def _hex(value: bytes | None) -> str:
    return binascii.hexlify(value or b"").decode("ascii")


def _dcs(datacenters: Sequence[str]) -> str:
    return ", ".join(datacenters) if datacenters else "all"


def _links(title: str, links: Sequence[ACLLink], pad: str = "") -> str:
    if not links:
        return ""
    return f"{pad}{title}:\n" + "".join(f"{pad}   {ln.id} - {ln.name}\n" for ln in links)


def _identities(
    services: Sequence[ServiceIdentity],
    nodes: Sequence[NodeIdentity],
    templated: Sequence[TemplatedPolicy],
    pad: str = "",
) -> str:
    out = []
    if services:
        out.append(f"{pad}Service Identities:\n")
        for s in services:
            out.append(f"{pad}   {s.service_name} (Datacenters: {_dcs(s.datacenters)})\n")
    if nodes:
        out.append(f"{pad}Node Identities:\n")
        out += [f"{pad}   {n.node_name} (Datacenter: {n.datacenter})\n" for n in nodes]
    if templated:
        out.append(f"{pad}Templated Policies:\n")
        for tp in templated:
            out.append(f"{pad}   {tp.template_name}\n")
            if tp.name:
                out.append(f"{pad}      Name: {tp.name}\n")
            out.append(f"{pad}      Datacenters: {_dcs(tp.datacenters)}\n")
    return "".join(out)


def _token_head(token: ACLToken, meta: bool) -> str:
    out = [f"AccessorID:       {token.accessor_id}\n", f"SecretID:         {token.secret_id}\n"]
    if token.partition:
        out.append(f"Partition:        {token.partition}\n")
    if token.namespace:
        out.append(f"Namespace:        {token.namespace}\n")
    out.append(f"Description:      {token.description}\n")
    out.append(f"Local:            {'true' if token.local else 'false'}\n")
    if token.auth_method:
        auth = f"{token.auth_method} (Namespace: {token.auth_method_namespace})"
        out.append(f"Auth Method:      {auth}\n")
    out.append(f"Create Time:      {go_string(token.create_time or ZERO)}\n")
    if token.expiration_time:
        out.append(f"Expiration Time:  {go_string(token.expiration_time)}\n")
    if meta:
        out.append(f"Hash:             {_hex(token.hash)}\n")
        out.append(f"Create Index:     {token.create_index}\n")
        out.append(f"Modify Index:     {token.modify_index}\n")
    return "".join(out)


def format_token(token: ACLToken, *, json: bool = False, meta: bool = False) -> str:
    """``acl token create|read|update|clone`` and ``acl bootstrap``."""
    if json:
        return _json(token.to_json())
    return (
        _token_head(token, meta)
        + _links("Policies", token.policies)
        + _links("Roles", token.roles)
        + _identities(token.service_identities, token.node_identities, token.templated_policies)
    )


def format_token_list(tokens: Iterable[ACLToken], *, json: bool = False, meta: bool = False) -> str:
    """``acl token list``: entries separated by an empty line."""
    if json:
        return _json([t.to_list_json() for t in tokens])
    return "\n".join(format_token(t, meta=meta) for t in tokens)


def format_policy(policy: ACLPolicy, *, json: bool = False, meta: bool = False) -> str:
    """``acl policy create|read|update``: the fields, then ``Rules:`` and the rules verbatim."""
    if json:
        return _json(policy.to_json())
    out = [f"ID:           {policy.id}\n", f"Name:         {policy.name}\n"]
    out += _scope(policy.partition, policy.namespace, "")
    out.append(f"Description:  {policy.description}\n")
    out.append(f"Datacenters:  {', '.join(policy.datacenters or ())}\n")
    if meta:
        out += _meta(policy.hash, policy.create_index, policy.modify_index, "")
    return "".join(out) + "Rules:\n" + policy.rules


def format_policy_list(
    policies: Iterable[ACLPolicy], *, json: bool = False, meta: bool = False
) -> str:
    """``acl policy list``: ``NAME:`` then the fields indented by three spaces."""
    if json:
        return _json([p.to_list_json() for p in policies])
    out: list[str] = []
    for p in policies:
        out += [f"{p.name}:\n", f"   ID:           {p.id}\n"]
        out += _scope(p.partition, p.namespace, "   ")
        out.append(f"   Description:  {p.description}\n")
        out.append(f"   Datacenters:  {', '.join(p.datacenters or ())}\n")
        if meta:
            out += _meta(p.hash, p.create_index, p.modify_index, "   ")
    return "".join(out)


def _scope(partition: str, namespace: str, pad: str) -> list[str]:
    out = [f"{pad}Partition:    {partition}\n"] if partition else []
    return out + ([f"{pad}Namespace:    {namespace}\n"] if namespace else [])


def _meta(hash_: bytes | None, create: int, modify: int, pad: str) -> list[str]:
    return [
        f"{pad}Hash:         {_hex(hash_)}\n",
        f"{pad}Create Index: {create}\n",
        f"{pad}Modify Index: {modify}\n",
    ]


def format_role(role: ACLRole, *, json: bool = False, meta: bool = False) -> str:
    """``acl role create|read|update``."""
    if json:
        return _json(role.to_json())
    out = [f"ID:           {role.id}\n", f"Name:         {role.name}\n"]
    out += _scope(role.partition, role.namespace, "")
    out.append(f"Description:  {role.description}\n")
    if meta:
        out += _meta(role.hash, role.create_index, role.modify_index, "")
    links = _links("Policies", role.policies)
    idents = _identities(role.service_identities, role.node_identities, role.templated_policies)
    return "".join(out) + links + idents


def format_role_list(roles: Iterable[ACLRole], *, json: bool = False, meta: bool = False) -> str:
    """``acl role list``: ``NAME:`` then the fields indented by three spaces."""
    if json:
        return _json([r.to_json() for r in roles])
    out: list[str] = []
    for r in roles:
        out += [f"{r.name}:\n", f"   ID:           {r.id}\n"]
        out += _scope(r.partition, r.namespace, "   ")
        out.append(f"   Description:  {r.description}\n")
        if meta:
            out += _meta(r.hash, r.create_index, r.modify_index, "   ")
        out.append(_links("Policies", r.policies, "   "))
        out.append(
            _identities(r.service_identities, r.node_identities, r.templated_policies, "   ")
        )
    return "".join(out)


def format_token_expanded(
    expanded: ACLTokenExpanded, *, json: bool = False, meta: bool = False
) -> str:
    """``acl token read -expanded``: every policy and role the token uses, with their rules,
    then the namespace and agent layers an authorizer falls back to."""
    if json:
        return _json(expanded.to_json())
    return _Expanded(expanded).text(meta)


class _Expanded:
    """Go's ``FormatTokenExpanded``: tab-indented blocks; unknown links print empty fields."""

    def __init__(self, expanded: ACLTokenExpanded) -> None:
        self.x = expanded
        self.policies = {p.id: p for p in expanded.expanded_policies or ()}
        self.roles = {r.id: r for r in expanded.expanded_roles or ()}
        self.out: list[str] = []

    def text(self, meta: bool) -> str:
        x, token, w = self.x, self.x.token, self.out.append
        w(_token_head(token, meta))
        if token.policies:
            w("Policies:\n")
            for link in token.policies:
                self.policy(self.policies.get(link.id, ACLPolicy()), T1)
        self.identities(token.service_identities, token.node_identities, T1, "")
        if token.templated_policies:
            w("Templated Policies:\n")
            for tp in token.templated_policies:
                w(f"{T1}{tp.template_name}\n")
                if tp.name:
                    w(f"{T1}{T1}Name: {tp.name}\n")
                w(f"{T1}{T1}Datacenters: {_dcs(tp.datacenters)}\n")
                self.synthetic(tp.template_name, tp.name or "", T1)
        if token.roles:
            w("Roles:\n")
            for link in token.roles:
                self.role(self.roles.get(link.id, ACLRole()), T1)
        w("=== End of Authorizer Layer 0: Token ===\n")
        if x.namespace_default_policy_ids or x.namespace_default_role_ids:
            self.namespace_layer()
        w("=== Start of Authorizer Layer 2: Agent Configuration Defaults (Inherited) ===\n")
        w(
            "Description: Defined at request-time by the agent that resolves the ACL token; "
            "other agents may have different configuration defaults\n"
        )
        w(f"Resolved By Agent: {go_quote(x.resolved_by_agent)}\n\n")
        w(f"Default Policy: {x.agent_acl_default_policy}\n")
        w(
            f"{T1}Description: Backstop rule used if no preceding layer has a matching rule "
            "(refer to default_policy option in agent configuration)\n\n"
        )
        w(f"Down Policy: {x.agent_acl_down_policy}\n")
        w(
            f"{T1}Description: Defines what to do if this Token's information cannot be read "
            "from the primary_datacenter (refer to down_policy option in agent configuration)\n\n"
        )
        return "".join(self.out)

    def namespace_layer(self) -> None:
        x, w = self.x, self.out.append
        w("=== Start of Authorizer Layer 1: Token Namespace\u2019s Defaults (Inherited) ===\n")
        namespace = go_quote(x.token.namespace)
        w(f"Description: ACL Roles inherited by all Tokens in Namespace {namespace}\n\n")
        w("Namespace Policy Defaults:\n")
        for pid in x.namespace_default_policy_ids or ():
            self.policy(self.policies.get(pid, ACLPolicy()), T1)
        w("Namespace Role Defaults:\n")
        for rid in x.namespace_default_role_ids or ():
            self.role(self.roles.get(rid, ACLRole()), T1)
        w("=== End of Authorizer Layer 1: Token Namespace\u2019s Defaults (Inherited) ===\n")

    def policy(self, policy: ACLPolicy, indent: str) -> None:
        w = self.out.append
        w(f"{indent}Policy Name: {policy.name}\n")
        w(f"{indent}{T1}ID: {policy.id}\n")
        w(f"{indent}{T1}Description: {policy.description}\n")
        w(f"{indent}{T1}Rules:\n")
        w(indent + T2 + policy.rules.replace("\n", "\n" + indent + T2) + "\n\n")

    def synthetic(self, template: str, name: str, indent: str) -> None:
        w = self.out.append
        rules = _TEMPLATES.get(template, "").format(name=name)
        w(f"{indent}{T1}Description: synthetic policy generated from templated policy: ")
        w(f"{template}\n")
        w(f"{indent}{T1}Rules:" + rules.replace("\n", "\n" + indent + T2) + "\n\n")

    def identities(
        self,
        services: Sequence[ServiceIdentity],
        nodes: Sequence[NodeIdentity],
        indent: str,
        pad: str,
    ) -> None:
        w = self.out.append
        if services:
            w(f"{pad}Service Identities:\n")
            for s in services:
                w(f"{indent}Name: {s.service_name} (Datacenters: {_dcs(s.datacenters)})\n")
                self.synthetic("builtin/service", s.service_name, indent)
        if nodes:
            w(f"{pad}Node Identities:\n")
            for n in nodes:
                w(f"{indent}Name: {n.node_name} (Datacenter: {n.datacenter})\n")
                self.synthetic("builtin/node", n.node_name, indent)

    def role(self, role: ACLRole, indent: str) -> None:
        w = self.out.append
        w(f"{indent}Role Name: {role.name}\n")
        w(f"{indent}{T1}ID: {role.id}\n")
        w(f"{indent}{T1}Description: {role.description}\n")
        if role.policies:
            w(f"{indent}{T1}Policies:\n")
            for link in role.policies:
                self.policy(self.policies.get(link.id, ACLPolicy()), indent + T2)
        self.identities(role.service_identities, role.node_identities, indent + T2, indent + T1)
