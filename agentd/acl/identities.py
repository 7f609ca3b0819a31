"""Service and node identities expanded into synthetic policies (templated policies: ``templated``).

A token or role may carry ``ServiceIdentities``, ``NodeIdentities`` and (1.17+)
``TemplatedPolicies`` instead of, or besides, real policies. Each expands into a synthetic policy
whose rules text is Consul's template verbatim (agent/structs/acl_ce.go and
acltemplatedpolicy/policies/ce/*.hcl) and whose ID is derived from that text, so two tokens with the
same identity share the policy. Name validators for every ACL object live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "NODE_IDENTITY_NAME_MAX_LENGTH",
    "SERVICE_IDENTITY_NAME_MAX_LENGTH",
    "IdentityError",
    "SyntheticPolicy",
    "is_valid_auth_method_name",
    "is_valid_node_identity_name",
    "is_valid_policy_name",
    "is_valid_role_name",
    "is_valid_service_identity_name",
    "make_synthetic_policy",
    "node_identity_policy",
    "node_identity_rules",
    "service_identity_policy",
    "service_identity_rules",
    "synthetic_policy_id",
]


class IdentityError(ValueError):
    """An identity or template that cannot be expanded (HTTP 400 with ``message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Name validation (acl/validation.go)

SERVICE_IDENTITY_NAME_MAX_LENGTH = 256
NODE_IDENTITY_NAME_MAX_LENGTH = 256

_IDENTITY_NAME = re.compile(r"[a-z0-9](?:[a-z0-9\-_]*[a-z0-9])?")
_POLICY_NAME = re.compile(r"[A-Za-z0-9\-_]{1,128}")
_ROLE_NAME = re.compile(r"[A-Za-z0-9\-_]{1,256}")
_AUTH_METHOD_NAME = re.compile(r"[A-Za-z0-9\-_]{1,128}")


def is_valid_service_identity_name(name: str) -> bool:
    return 0 < len(name) <= SERVICE_IDENTITY_NAME_MAX_LENGTH and bool(
        _IDENTITY_NAME.fullmatch(name)
    )


def is_valid_node_identity_name(name: str) -> bool:
    return 0 < len(name) <= NODE_IDENTITY_NAME_MAX_LENGTH and bool(_IDENTITY_NAME.fullmatch(name))


def is_valid_policy_name(name: str) -> bool:
    return bool(_POLICY_NAME.fullmatch(name))


def is_valid_role_name(name: str) -> bool:
    return bool(_ROLE_NAME.fullmatch(name))


def is_valid_auth_method_name(name: str) -> bool:
    return bool(_AUTH_METHOD_NAME.fullmatch(name))


# ---------------------------------------------------------------------------------------------
# Rules templates

_SERVICE_TEMPLATE = """
service "{name}" {{
\tpolicy = "write"
}}
service "{name}-sidecar-proxy" {{
\tpolicy = "write"
}}
service_prefix "" {{
\tpolicy = "read"
}}
node_prefix "" {{
\tpolicy = "read"
}}"""

_NODE_TEMPLATE = """
node "{name}" {{
\tpolicy = "write"
}}
service_prefix "" {{
\tpolicy = "read"
}}"""


def service_identity_rules(service_name: str) -> str:
    """The rules a service identity grants; the name must already be validated."""
    return _SERVICE_TEMPLATE.format(name=service_name)


def node_identity_rules(node_name: str) -> str:
    """The rules a node identity grants; the name must already be validated."""
    return _NODE_TEMPLATE.format(name=node_name)


@dataclass(frozen=True, slots=True)
class SyntheticPolicy:
    """A policy made from an identity; ``datacenters`` empty means valid everywhere."""

    id: str
    name: str
    description: str
    rules: str
    datacenters: tuple[str, ...] = ()


# FNV-128a of no input, i.e. the offset basis, big-endian.
_FNV128A_EMPTY = bytes.fromhex("6c62272e07bb014262b821756295c58d")


def synthetic_policy_id(rules: str) -> str:
    """Consul's ``fmt.Sprintf("%x", fnv.New128a().Sum([]byte(rules)))``.

    Go's ``Sum(b)`` appends the digest of what was written (nothing) to ``b``, so the ID is the
    hex of the rules text followed by the empty-input digest; kept for identical IDs.
    """
    return (rules.encode() + _FNV128A_EMPTY).hex()


def make_synthetic_policy(
    rules: str, description: str, datacenters: Sequence[str]
) -> SyntheticPolicy:
    id_ = synthetic_policy_id(rules)
    return SyntheticPolicy(
        id=id_,
        name=f"synthetic-policy-{id_}",
        description=description,
        rules=rules,
        datacenters=tuple(datacenters),
    )


def service_identity_policy(service_name: str, datacenters: Sequence[str] = ()) -> SyntheticPolicy:
    return make_synthetic_policy(
        service_identity_rules(service_name),
        f'synthetic policy for service identity "{service_name}"',
        datacenters,
    )


def node_identity_policy(node_name: str, datacenter: str) -> SyntheticPolicy:
    return make_synthetic_policy(
        node_identity_rules(node_name),
        f'synthetic policy for node identity "{node_name}"',
        (datacenter,),
    )
