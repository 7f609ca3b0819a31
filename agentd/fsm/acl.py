"""Applying ACL commands: one ``ACL`` message type, the operation named in ``Op``."""

from __future__ import annotations

from typing import Any

from agentd.errors import AgentError, PermissionDenied
from agentd.state.acl import ACLError
from agentd.state.store import Store
from agentd.structs.acl import Policy, Role, Token, from_wire
from agentd.structs.commands import Command


def apply_acl(store: Store, index: int, cmd: Command) -> Any:
    acl, op = store.acl, cmd["Op"]
    try:
        if op == "token-set":
            return acl.set_token(index, from_wire(Token, cmd["Token"]))
        if op == "token-delete":
            return acl.delete_token(index, cmd["ID"])
        if op == "policy-set":
            return acl.set_policy(index, from_wire(Policy, cmd["Policy"]))
        if op == "policy-delete":
            return acl.delete_policy(index, cmd["ID"])
        if op == "role-set":
            return acl.set_role(index, from_wire(Role, cmd["Role"]))
        if op == "role-delete":
            return acl.delete_role(index, cmd["ID"])
        if op == "bootstrap":
            return _bootstrap(store, index, cmd)
    except ACLError as exc:
        return AgentError(str(exc))
    return AgentError(f"unknown ACL operation {op!r}")


def _bootstrap(store: Store, index: int, cmd: Command) -> Any:
    """The one-time bootstrap; ``ResetIndex`` (from the reset file) allows it once more."""
    acl = store.acl
    if acl.bootstrap_index:
        reset = cmd.get("ResetIndex", 0)
        if not reset:
            return PermissionDenied(
                f"Permission denied: ACL bootstrap no longer allowed (reset index: "
                f"{acl.bootstrap_index})"
            )
        if reset != acl.bootstrap_index:
            return AgentError(
                f"Invalid bootstrap reset index (specified {reset}, reset index: "
                f"{acl.bootstrap_index})"
            )
    for policy in cmd.get("Policies", []):  # the builtin policies, written with the first token
        if policy["id"] not in acl.policies:
            acl.set_policy(index, from_wire(Policy, policy))
    token = acl.set_token(index, from_wire(Token, cmd["Token"]))
    acl.bootstrap_index = index
    return token
