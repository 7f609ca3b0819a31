"""Builtin ACL objects: reserved IDs, the two builtin policies and the anonymous token.

The rules texts are Consul's byte for byte (agent/structs/acl.go), so their hashes and the
policies' ``Rules`` field read back exactly as Consul's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ANONYMOUS_TOKEN_ACCESSOR_ID",
    "ANONYMOUS_TOKEN_DESCRIPTION",
    "ANONYMOUS_TOKEN_SECRET_ID",
    "BOOTSTRAP_TOKEN_DESCRIPTION",
    "BUILTIN_POLICIES",
    "ERR_DELETE_ANONYMOUS_TOKEN",
    "ERR_DELETE_GLOBAL_MANAGEMENT",
    "ERR_DELETE_OWN_TOKEN",
    "GLOBAL_MANAGEMENT",
    "GLOBAL_MANAGEMENT_POLICY_ID",
    "GLOBAL_READ_ONLY",
    "GLOBAL_READ_ONLY_POLICY_ID",
    "INITIAL_MANAGEMENT_TOKEN_DESCRIPTION",
    "RESERVED_ID_PREFIX",
    "BuiltinPolicy",
    "is_reserved_id",
]

RESERVED_ID_PREFIX = "00000000-0000-0000-0000-0000000000"

GLOBAL_MANAGEMENT_POLICY_ID = "00000000-0000-0000-0000-000000000001"
GLOBAL_READ_ONLY_POLICY_ID = "00000000-0000-0000-0000-000000000002"

# Same value as the read-only policy's ID; tokens and policies are different tables.
ANONYMOUS_TOKEN_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002"
ANONYMOUS_TOKEN_SECRET_ID = "anonymous"
ANONYMOUS_TOKEN_DESCRIPTION = "Anonymous Token"
INITIAL_MANAGEMENT_TOKEN_DESCRIPTION = "Initial Management Token"
BOOTSTRAP_TOKEN_DESCRIPTION = "Bootstrap Token (Global Management)"

ERR_DELETE_GLOBAL_MANAGEMENT = (
    "Delete operation not permitted on the builtin global-management policy"
)
ERR_DELETE_ANONYMOUS_TOKEN = "Delete operation not permitted on the anonymous token"
ERR_DELETE_OWN_TOKEN = "Deletion of the request's authorization token is not permitted"


def is_reserved_id(id_: str) -> bool:
    """IDs Consul keeps for builtin objects; users may not create objects with them."""
    return id_.startswith(RESERVED_ID_PREFIX)


@dataclass(frozen=True, slots=True)
class BuiltinPolicy:
    id: str
    name: str
    description: str
    rules: str


def _everything(level: str) -> str:
    return f"""
acl = "{level}"
agent_prefix "" {{
\tpolicy = "{level}"
}}
event_prefix "" {{
\tpolicy = "{level}"
}}
key_prefix "" {{
\tpolicy = "{level}"
}}
keyring = "{level}"
node_prefix "" {{
\tpolicy = "{level}"
}}
operator = "{level}"
mesh = "{level}"
peering = "{level}"
query_prefix "" {{
\tpolicy = "{level}"
}}
service_prefix "" {{
\tpolicy = "{level}"
\tintentions = "{level}"
}}
session_prefix "" {{
\tpolicy = "{level}"
}}"""


GLOBAL_MANAGEMENT = BuiltinPolicy(
    id=GLOBAL_MANAGEMENT_POLICY_ID,
    name="global-management",
    description="Builtin Policy that grants unlimited access",
    rules=_everything("write"),
)

GLOBAL_READ_ONLY = BuiltinPolicy(
    id=GLOBAL_READ_ONLY_POLICY_ID,
    name="builtin/global-read-only",
    description="Builtin Policy that grants unlimited read-only access to all components",
    rules=_everything("read"),
)

BUILTIN_POLICIES: Mapping[str, BuiltinPolicy] = {
    p.id: p for p in (GLOBAL_MANAGEMENT, GLOBAL_READ_ONLY)
}
