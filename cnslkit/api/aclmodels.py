"""ACL wire records (tokens, policies, roles and their links), with Go's JSON layout.

``from_json`` reads what the agent sends. ``to_json`` writes what Go's ``api`` package would
marshal for the same record: its field order, its ``omitempty`` rules and ``null`` for a nil
slice, because ``cnsl acl ... -format=json`` must print the bytes ``consul acl`` prints.
``to_list_json`` is the list-entry variant (``ACLTokenListEntry``, ``ACLPolicyListEntry``).
Request bodies are built in :mod:`cnslkit.api.acl`, not here: they leave out what the server
fills in. Times stay RFC 3339 text (see :mod:`cnslkit.api.gotime`); ``hash`` is raw bytes.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from typing import Any

from cnslkit.api.gotime import ZERO, rfc3339nano

__all__ = [
    "ACLLink",
    "ACLPolicy",
    "ACLRole",
    "ACLToken",
    "ACLTokenExpanded",
    "NodeIdentity",
    "ServiceIdentity",
    "TemplatedPolicy",
]


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _strings(value: Any) -> tuple[str, ...] | None:
    """A Go ``[]string``: None stands for nil (``null``), which Go keeps apart from ``[]``."""
    return None if value is None else tuple(_str(v) for v in value)


def _hash(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return binascii.a2b_base64(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        return None


def _b64(value: bytes | None) -> str | None:
    return None if value is None else binascii.b2a_base64(value, newline=False).decode("ascii")


def _time(value: Any) -> str:
    """A wire time normalised to Go's output; "" for absent or unreadable."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return rfc3339nano(value)
    except ValueError:
        return ""


def _duration_ns(value: Any) -> int:
    """``ExpirationTTL``: Go's client sends nanoseconds, Consul's server also takes "1h"."""
    if isinstance(value, str) and value:
        from cnslkit.duration import parse_duration

        try:
            return round(parse_duration(value) * 1e9)
        except ValueError:
            return 0
    return _int(value)


def _records(cls: Any, value: Any) -> tuple[Any, ...]:
    return tuple(cls.from_json(item) for item in value or () if isinstance(item, dict))


@dataclass(frozen=True, slots=True)
class ACLLink:
    """A token's or role's reference to a policy or role; one of the two may be empty."""

    id: str = ""
    name: str = ""

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ACLLink:
        return cls(_str(obj.get("ID")), _str(obj.get("Name")))

    def to_json(self) -> dict[str, Any]:
        return {"ID": self.id, "Name": self.name}


@dataclass(frozen=True, slots=True)
class ServiceIdentity:
    """``-service-identity NAME[:DC1,DC2]``; no datacenters means all of them."""

    service_name: str
    datacenters: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ServiceIdentity:
        return cls(_str(obj.get("ServiceName")), _strings(obj.get("Datacenters")) or ())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ServiceName": self.service_name}
        if self.datacenters:
            out["Datacenters"] = list(self.datacenters)
        return out


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """``-node-identity NODE:DC``."""

    node_name: str
    datacenter: str = ""

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> NodeIdentity:
        return cls(_str(obj.get("NodeName")), _str(obj.get("Datacenter")))

    def to_json(self) -> dict[str, Any]:
        return {"NodeName": self.node_name, "Datacenter": self.datacenter}


@dataclass(frozen=True, slots=True)
class TemplatedPolicy:
    """A builtin policy template (``builtin/service`` ...) and its ``Name`` variable, if any."""

    template_name: str
    name: str | None = None  # TemplateVariables.Name; None when there are no variables
    datacenters: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TemplatedPolicy:
        variables = obj.get("TemplateVariables")
        name = _str(variables.get("Name")) if isinstance(variables, dict) else None
        dcs = _strings(obj.get("Datacenters")) or ()
        return cls(_str(obj.get("TemplateName")), name, dcs)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"TemplateName": self.template_name}
        if self.name is not None:
            out["TemplateVariables"] = {"Name": self.name}
        if self.datacenters:
            out["Datacenters"] = list(self.datacenters)
        return out


@dataclass(frozen=True, slots=True)
class ACLToken:
    """A token (Go's ``ACLToken``, or an ``ACLTokenListEntry`` from a list)."""

    accessor_id: str = ""
    secret_id: str = ""
    description: str = ""
    policies: tuple[ACLLink, ...] = ()
    roles: tuple[ACLLink, ...] = ()
    service_identities: tuple[ServiceIdentity, ...] = ()
    node_identities: tuple[NodeIdentity, ...] = ()
    templated_policies: tuple[TemplatedPolicy, ...] = ()
    local: bool = False
    auth_method: str = ""
    expiration_ttl: int = 0  # nanoseconds; only ever sent on create
    expiration_time: str = ""  # RFC 3339, "" when the token does not expire
    create_time: str = ""  # RFC 3339, "" for Go's zero time
    hash: bytes | None = None
    namespace: str = ""
    partition: str = ""
    auth_method_namespace: str = ""
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ACLToken:
        return cls(
            accessor_id=_str(obj.get("AccessorID")),
            secret_id=_str(obj.get("SecretID")),
            description=_str(obj.get("Description")),
            policies=_records(ACLLink, obj.get("Policies")),
            roles=_records(ACLLink, obj.get("Roles")),
            service_identities=_records(ServiceIdentity, obj.get("ServiceIdentities")),
            node_identities=_records(NodeIdentity, obj.get("NodeIdentities")),
            templated_policies=_records(TemplatedPolicy, obj.get("TemplatedPolicies")),
            local=obj.get("Local") is True,
            auth_method=_str(obj.get("AuthMethod")),
            expiration_ttl=_duration_ns(obj.get("ExpirationTTL")),
            expiration_time=_time(obj.get("ExpirationTime")),
            create_time=_time(obj.get("CreateTime")),
            hash=_hash(obj.get("Hash")),
            namespace=_str(obj.get("Namespace")),
            partition=_str(obj.get("Partition")),
            auth_method_namespace=_str(obj.get("AuthMethodNamespace")),
            create_index=_int(obj.get("CreateIndex")),
            modify_index=_int(obj.get("ModifyIndex")),
        )

    def _head(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "CreateIndex": self.create_index,
            "ModifyIndex": self.modify_index,
            "AccessorID": self.accessor_id,
            "SecretID": self.secret_id,
            "Description": self.description,
        }
        for key, items in (
            ("Policies", self.policies),
            ("Roles", self.roles),
            ("ServiceIdentities", self.service_identities),
            ("NodeIdentities", self.node_identities),
            ("TemplatedPolicies", self.templated_policies),
        ):
            if items:
                out[key] = [item.to_json() for item in items]
        out["Local"] = self.local
        if self.auth_method:
            out["AuthMethod"] = self.auth_method
        return out

    def _tail(self, out: dict[str, Any]) -> dict[str, Any]:
        for key, value in (
            ("Namespace", self.namespace),
            ("Partition", self.partition),
            ("AuthMethodNamespace", self.auth_method_namespace),
        ):
            if value:
                out[key] = value
        return out

    def to_json(self) -> dict[str, Any]:
        """Go's ``api.ACLToken``: CreateTime always (a struct), Hash only when non-empty."""
        out = self._head()
        if self.expiration_ttl:
            out["ExpirationTTL"] = self.expiration_ttl
        if self.expiration_time:
            out["ExpirationTime"] = self.expiration_time
        out["CreateTime"] = self.create_time or ZERO
        if self.hash:
            out["Hash"] = _b64(self.hash)
        return self._tail(out)

    def to_list_json(self) -> dict[str, Any]:
        """Go's ``api.ACLTokenListEntry``: no ExpirationTTL, Hash always (``null`` when nil)."""
        out = self._head()
        if self.expiration_time:
            out["ExpirationTime"] = self.expiration_time
        out["CreateTime"] = self.create_time or ZERO
        out["Hash"] = _b64(self.hash)
        return self._tail(out)


@dataclass(frozen=True, slots=True)
class ACLPolicy:
    """A policy; ``rules`` is "" in list entries. ``datacenters`` None is Go's nil (all DCs)."""

    id: str = ""
    name: str = ""
    description: str = ""
    rules: str = ""
    datacenters: tuple[str, ...] | None = None
    hash: bytes | None = None
    namespace: str = ""
    partition: str = ""
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ACLPolicy:
        return cls(
            id=_str(obj.get("ID")),
            name=_str(obj.get("Name")),
            description=_str(obj.get("Description")),
            rules=_str(obj.get("Rules")),
            datacenters=_strings(obj.get("Datacenters")),
            hash=_hash(obj.get("Hash")),
            namespace=_str(obj.get("Namespace")),
            partition=_str(obj.get("Partition")),
            create_index=_int(obj.get("CreateIndex")),
            modify_index=_int(obj.get("ModifyIndex")),
        )

    def to_json(self) -> dict[str, Any]:
        """Go's ``api.ACLPolicy``."""
        return self._json(with_rules=True)

    def to_list_json(self) -> dict[str, Any]:
        """Go's ``api.ACLPolicyListEntry`` (no Rules)."""
        return self._json(with_rules=False)

    def _json(self, with_rules: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"ID": self.id, "Name": self.name, "Description": self.description}
        if with_rules:
            out["Rules"] = self.rules
        out["Datacenters"] = None if self.datacenters is None else list(self.datacenters)
        out["Hash"] = _b64(self.hash)
        out["CreateIndex"] = self.create_index
        out["ModifyIndex"] = self.modify_index
        if self.namespace:
            out["Namespace"] = self.namespace
        if self.partition:
            out["Partition"] = self.partition
        return out


@dataclass(frozen=True, slots=True)
class ACLRole:
    """A named set of policies and identities that tokens link to."""

    id: str = ""
    name: str = ""
    description: str = ""
    policies: tuple[ACLLink, ...] = ()
    service_identities: tuple[ServiceIdentity, ...] = ()
    node_identities: tuple[NodeIdentity, ...] = ()
    templated_policies: tuple[TemplatedPolicy, ...] = ()
    hash: bytes | None = None
    namespace: str = ""
    partition: str = ""
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ACLRole:
        return cls(
            id=_str(obj.get("ID")),
            name=_str(obj.get("Name")),
            description=_str(obj.get("Description")),
            policies=_records(ACLLink, obj.get("Policies")),
            service_identities=_records(ServiceIdentity, obj.get("ServiceIdentities")),
            node_identities=_records(NodeIdentity, obj.get("NodeIdentities")),
            templated_policies=_records(TemplatedPolicy, obj.get("TemplatedPolicies")),
            hash=_hash(obj.get("Hash")),
            namespace=_str(obj.get("Namespace")),
            partition=_str(obj.get("Partition")),
            create_index=_int(obj.get("CreateIndex")),
            modify_index=_int(obj.get("ModifyIndex")),
        )

    def to_json(self) -> dict[str, Any]:
        """Go's ``api.ACLRole``."""
        out: dict[str, Any] = {"ID": self.id, "Name": self.name, "Description": self.description}
        for key, items in (
            ("Policies", self.policies),
            ("ServiceIdentities", self.service_identities),
            ("NodeIdentities", self.node_identities),
            ("TemplatedPolicies", self.templated_policies),
        ):
            if items:
                out[key] = [item.to_json() for item in items]
        out["Hash"] = _b64(self.hash)
        out["CreateIndex"] = self.create_index
        out["ModifyIndex"] = self.modify_index
        if self.namespace:
            out["Namespace"] = self.namespace
        if self.partition:
            out["Partition"] = self.partition
        return out


@dataclass(frozen=True, slots=True)
class ACLTokenExpanded:
    """``GET /v1/acl/token/<id>?expanded=true``: the token and everything that shapes it."""

    token: ACLToken
    expanded_policies: tuple[ACLPolicy, ...] | None = None
    expanded_roles: tuple[ACLRole, ...] | None = None
    namespace_default_policy_ids: tuple[str, ...] | None = None
    namespace_default_role_ids: tuple[str, ...] | None = None
    agent_acl_default_policy: str = ""
    agent_acl_down_policy: str = ""
    resolved_by_agent: str = ""

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ACLTokenExpanded:
        policies, roles = obj.get("ExpandedPolicies"), obj.get("ExpandedRoles")
        return cls(
            token=ACLToken.from_json(obj),
            expanded_policies=None if policies is None else _records(ACLPolicy, policies),
            expanded_roles=None if roles is None else _records(ACLRole, roles),
            namespace_default_policy_ids=_strings(obj.get("NamespaceDefaultPolicyIDs")),
            namespace_default_role_ids=_strings(obj.get("NamespaceDefaultRoleIDs")),
            agent_acl_default_policy=_str(obj.get("AgentACLDefaultPolicy")),
            agent_acl_down_policy=_str(obj.get("AgentACLDownPolicy")),
            resolved_by_agent=_str(obj.get("ResolvedByAgent")),
        )

    def to_json(self) -> dict[str, Any]:
        """Go's ``api.ACLTokenExpanded``: its own fields, then the embedded token's inline."""

        def listed(items: tuple[Any, ...] | None) -> list[Any] | None:
            if items is None:
                return None
            return [i.to_json() if hasattr(i, "to_json") else i for i in items]

        return {
            "ExpandedPolicies": listed(self.expanded_policies),
            "ExpandedRoles": listed(self.expanded_roles),
            "NamespaceDefaultPolicyIDs": listed(self.namespace_default_policy_ids),
            "NamespaceDefaultRoleIDs": listed(self.namespace_default_role_ids),
            "AgentACLDefaultPolicy": self.agent_acl_default_policy,
            "AgentACLDownPolicy": self.agent_acl_down_policy,
            "ResolvedByAgent": self.resolved_by_agent,
            **self.token.to_json(),
        }
