"""Turning a request's token into an identity: the token's policies, roles and identities compiled
into an authorizer, chained to the agent's default policy. Parsed policies are cached by ID and
modify index, so a request costs a dict lookup once its token has been seen."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from typing import Any

from agentd.errors import PermissionDenied
from agentd.state.store import Store
from agentd.structs.acl import Token

PERSISTED = "acl-tokens.json"
ACL_NOT_FOUND = "ACL not found"
NOT_BOOTSTRAPPED = (
    "ACL system must be bootstrapped before making any requests that require authorization: "
    "ACL not found"
)


@dataclass(frozen=True, slots=True)
class ACLSettings:
    enabled: bool = False
    default_policy: str = "allow"
    down_policy: str = "extend-cache"
    enable_key_list_policy: bool = False
    enable_token_persistence: bool = False
    tokens: tuple[tuple[str, str], ...] = ()  # (kind, secret) from config: default, agent ...

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> ACLSettings:
        acl = raw.get("acl") or {}
        tokens = acl.get("tokens") or {}
        return cls(
            enabled=bool(acl.get("enabled")),
            default_policy=str(acl.get("default_policy") or "allow"),
            down_policy=str(acl.get("down_policy") or "extend-cache"),
            enable_key_list_policy=bool(acl.get("enable_key_list_policy")),
            enable_token_persistence=bool(acl.get("enable_token_persistence")),
            tokens=tuple(sorted((str(k), str(v)) for k, v in tokens.items() if v)),
        )

    def token(self, kind: str) -> str:
        return dict(self.tokens).get(kind, "")


class AllowAll:
    """The identity of every request while ACLs are disabled."""

    accessor_id = ""
    anonymous = False

    def allowed(self, resource: str, level: str, name: str = "") -> bool:
        return True

    def denied_message(self, resource: str, level: str, name: str = "") -> str:
        return "Permission denied"


ALLOW_ALL = AllowAll()


class TokenIdentity:
    def __init__(self, token: Token, authorizer: Any, anonymous: bool) -> None:
        self.token = token
        self.accessor_id = token.accessor_id
        self.anonymous = anonymous
        self._authz = authorizer

    def allowed(self, resource: str, level: str, name: str = "") -> bool:
        if level == "write-prefix":  # recursive delete: write on everything under the prefix
            return bool(self._authz.key_write_prefix(name))
        return bool(self._authz.allowed(resource, level, name))

    def denied_message(self, resource: str, level: str, name: str = "") -> str:
        level = "write" if level == "write-prefix" else level
        return str(self._authz.denied(resource, level, name))


class Resolver:
    def __init__(self, store: Store, settings: ACLSettings, datacenter: str) -> None:
        self.store = store
        self.settings = settings
        self.datacenter = datacenter
        self.agent_tokens: dict[str, str] = dict(settings.tokens)  # updated by /v1/agent/token
        self._from_api: set[str] = set()  # kinds set through the API (or persisted): config yields
        self._rules: dict[tuple[str, int], Any] = {}
        self._authorizers: dict[tuple[str, int, int, bool], Any] = {}

    _LEGACY = {"acl_token": "default", "acl_agent_token": "agent", "agent_master": "agent_recovery"}

    def set_agent_token(self, kind: str, secret: str, data_dir: str | None) -> None:
        """``/v1/agent/token/<kind>``; kept in ``acl-tokens.json`` with token persistence."""
        kind = self._LEGACY.get(kind, kind)
        self.agent_tokens[kind] = secret
        self._from_api.add(kind)
        if self.settings.enable_token_persistence and data_dir:
            path = os.path.join(data_dir, PERSISTED)
            tmp = path + ".tmp"
            with open(tmp, "w") as fh:
                json.dump({k: self.agent_tokens.get(k, "") for k in sorted(self._from_api)}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)

    def load_persisted(self, data_dir: str | None) -> None:
        if not (self.settings.enable_token_persistence and data_dir):
            return
        try:
            with open(os.path.join(data_dir, PERSISTED)) as fh:
                saved = json.load(fh)
        except (OSError, ValueError):
            return
        self.agent_tokens.update({str(k): str(v) for k, v in saved.items()})
        self._from_api.update(str(k) for k in saved)

    def token(self, kind: str) -> str:
        """The token of ``kind`` in effect: set through the API, else from the config."""
        return self.agent_tokens.get(kind, "")

    def reload(self, settings: ACLSettings) -> list[str]:
        """Config reload: the config's tokens replace those that came from the config (a token
        set through the API stays, as in Consul); other ACL settings need a restart, and their
        names are returned for the caller to report."""
        new = dict(settings.tokens)
        for kind in set(dict(self.settings.tokens)) | set(new):
            if kind in self._from_api:
                continue
            if new.get(kind):
                self.agent_tokens[kind] = new[kind]
            else:
                self.agent_tokens.pop(kind, None)
        old = self.settings
        self.settings = replace(old, tokens=settings.tokens)
        return [
            f"acl.{name}"
            for name in ("enabled", "default_policy", "down_policy", "enable_key_list_policy",
                         "enable_token_persistence")
            if getattr(settings, name) != getattr(old, name)
        ]  # fmt: skip

    def resolve(self, secret: str) -> Any:
        if not self.settings.enabled:
            return ALLOW_ALL
        anonymous = False
        if not secret:
            secret = self.agent_tokens.get("default", "")
        if not secret:
            secret, anonymous = "anonymous", True
        acl = self.store.acl
        token = acl.token_by_secret(secret)
        if token is None or (token.expiration_time and token.expiration_time <= time.time()):
            if anonymous and acl.token_by_secret("anonymous") is None:
                # before the leader has written the anonymous token: the default policy alone
                from agentd.acl import builtin

                token = Token(builtin.ANONYMOUS_TOKEN_ACCESSOR_ID, "anonymous", "Anonymous Token")
            else:
                raise PermissionDenied(
                    NOT_BOOTSTRAPPED if not acl.bootstrap_index else ACL_NOT_FOUND
                )
        key = (token.accessor_id, token.modify_index, acl.index, anonymous)
        authz = self._authorizers.get(key)
        if authz is None:
            if len(self._authorizers) > 4096:
                self._authorizers.clear()
            authz = self._authorizers[key] = self._authorizer(token, anonymous)
        return TokenIdentity(token, authz, anonymous)

    def _authorizer(self, token: Token, anonymous: bool) -> Any:
        from agentd.acl import authorizer, identities, templated

        acl = self.store.acl
        policy_ids = list(token.policies)
        service_ids = list(token.service_identities)
        node_ids = list(token.node_identities)
        templates = list(token.templated_policies)
        for role_id in token.roles:
            role = acl.roles.get(role_id)
            if role is not None:
                policy_ids += role.policies
                service_ids += role.service_identities
                node_ids += role.node_identities
                templates += role.templated_policies
        rules = []
        for pid in policy_ids:
            policy = acl.policies.get(pid)
            if policy is None:
                continue
            if policy.datacenters and self.datacenter not in policy.datacenters:
                continue
            rules.append(self._parsed(pid, policy.modify_index, policy.rules))
        for sid in service_ids:
            if not sid.datacenters or self.datacenter in sid.datacenters:
                rules.append(identities.service_identity_rules(sid.service_name))
        for nid in node_ids:
            if nid.datacenter == self.datacenter:
                rules.append(identities.node_identity_rules(nid.node_name))
        for tp in dict.fromkeys(templates):
            if tp.datacenters and self.datacenter not in tp.datacenters:
                continue
            try:
                text = templated.templated_policy_rules(tp.template_name, tp.name)
            except identities.IdentityError:
                continue  # validated on write; a template this agent lacks grants nothing
            rules.append(self._parsed("templated:" + text, 0, text))
        return authorizer.build(
            rules,
            default=self.settings.default_policy,
            accessor_id=token.accessor_id,
            anonymous=anonymous,
        )

    def _parsed(self, policy_id: str, index: int, text: str) -> Any:
        from agentd.acl import rules as rule_parser

        key = (policy_id, index)
        parsed = self._rules.get(key)
        if parsed is None:
            parsed = rule_parser.parse_rules(text)
            self._rules[key] = parsed
        return parsed
