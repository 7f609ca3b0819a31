"""The ACL tables: tokens (by accessor and by secret), policies and roles, and the bootstrap mark.

Watch keys: ``("table", "acl")`` for every ACL change (lists are small and ACL writes rare).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agentd.state.watch import WatchHub, WatchSet
from agentd.structs.acl import Policy, Role, Token, from_wire, to_wire


class ACLError(Exception):
    """A write the ACL tables refuse (the message is Consul's)."""


class ACLTable:
    def __init__(self, hub: WatchHub) -> None:
        self._hub = hub
        self.tokens: dict[str, Token] = {}  # accessor -> token
        self.by_secret: dict[str, str] = {}  # secret -> accessor
        self.policies: dict[str, Policy] = {}
        self.roles: dict[str, Role] = {}
        self.index = 0
        self.bootstrap_index = 0  # index of the bootstrap; 0 = not bootstrapped

    def _touched(self, index: int) -> None:
        self.index = index
        self._hub.notify(("table", "acl"))

    # ---- reads --------------------------------------------------------------------------------

    def watch(self, ws: WatchSet | None) -> int:
        if ws is not None:
            ws.add(("table", "acl"))
        return self.index

    def token_by_secret(self, secret: str) -> Token | None:
        accessor = self.by_secret.get(secret)
        return self.tokens.get(accessor) if accessor is not None else None

    def policy_by_name(self, name: str) -> Policy | None:
        return next((p for p in self.policies.values() if p.name == name), None)

    def role_by_name(self, name: str) -> Role | None:
        return next((r for r in self.roles.values() if r.name == name), None)

    # ---- writes -------------------------------------------------------------------------------

    def set_token(self, index: int, token: Token) -> Token:
        old = self.tokens.get(token.accessor_id)
        owner = self.by_secret.get(token.secret_id)
        if owner is not None and owner != token.accessor_id:
            raise ACLError("Invalid Token: SecretID is already in use")
        if old is not None and old.secret_id != token.secret_id:
            self.by_secret.pop(old.secret_id, None)
        create = old.create_index if old is not None else index
        token = replace(token, create_index=create, modify_index=index)
        self.tokens[token.accessor_id] = token
        self.by_secret[token.secret_id] = token.accessor_id
        self._touched(index)
        return token

    def delete_token(self, index: int, accessor: str) -> bool:
        token = self.tokens.pop(accessor, None)
        if token is None:
            return False
        self.by_secret.pop(token.secret_id, None)
        self._touched(index)
        return True

    def set_policy(self, index: int, policy: Policy) -> Policy:
        other = self.policy_by_name(policy.name)
        if other is not None and other.id != policy.id:
            raise ACLError(f"Invalid Policy: A Policy with Name {policy.name!r} already exists")
        old = self.policies.get(policy.id)
        create = old.create_index if old is not None else index
        policy = replace(policy, create_index=create, modify_index=index)
        self.policies[policy.id] = policy
        self._touched(index)
        return policy

    def delete_policy(self, index: int, policy_id: str) -> bool:
        if self.policies.pop(policy_id, None) is None:
            return False
        self._touched(index)
        return True

    def set_role(self, index: int, role: Role) -> Role:
        other = self.role_by_name(role.name)
        if other is not None and other.id != role.id:
            raise ACLError(f"Invalid Role: A Role with Name {role.name!r} already exists")
        old = self.roles.get(role.id)
        create = old.create_index if old is not None else index
        role = replace(role, create_index=create, modify_index=index)
        self.roles[role.id] = role
        self._touched(index)
        return role

    def delete_role(self, index: int, role_id: str) -> bool:
        if self.roles.pop(role_id, None) is None:
            return False
        self._touched(index)
        return True

    # ---- snapshot image -----------------------------------------------------------------------

    def image(self) -> dict[str, Any]:
        return {
            "Tokens": [to_wire(t) for t in self.tokens.values()],
            "Policies": [to_wire(p) for p in self.policies.values()],
            "Roles": [to_wire(r) for r in self.roles.values()],
            "Index": self.index,
            "BootstrapIndex": self.bootstrap_index,
        }

    def load(self, image: dict[str, Any]) -> None:
        self.tokens = {}
        self.by_secret = {}
        for raw in image.get("Tokens", []):
            token = from_wire(Token, raw)
            self.tokens[token.accessor_id] = token
            self.by_secret[token.secret_id] = token.accessor_id
        self.policies = {p.id: p for p in (from_wire(Policy, r) for r in image.get("Policies", []))}
        self.roles = {r.id: r for r in (from_wire(Role, raw) for raw in image.get("Roles", []))}
        self.index = image.get("Index", 0)
        self.bootstrap_index = image.get("BootstrapIndex", 0)
