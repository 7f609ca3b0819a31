"""ACL decisions: policy rules in, ALLOW / DENY / DEFAULT out (acl/policy_authorizer.go).

An ``Authorizer`` answers from a token's merged rules and says DEFAULT when no rule applies. A
``ChainedAuthorizer`` (built with ``chain``) asks its authorizers in turn, takes the first answer
that is not DEFAULT, and ends in the agent's ``default_policy`` (``ALLOW_ALL`` or ``DENY_ALL``);
it is what request handlers hold, and its checks return bools or raise ``PermissionDeniedError``.

Matching, per labelled resource: an exact rule on the full name wins; otherwise the longest
``*_prefix`` rule that is a prefix of the name (``""`` matches everything); otherwise DEFAULT.
``write`` grants list and read, ``list`` grants read, ``deny`` grants nothing and stops the chain.
Service rules also give intentions rules (``intentions`` if set, else read for read/write
services and deny for denied ones); ``mesh`` and ``peering`` fall back to ``operator``.

Like Consul's static authorizers, ``ALLOW_ALL`` (``default_policy = "allow"``) still denies
``acl:read`` and ``acl:write``: managing ACLs always needs a rule or ``MANAGEMENT``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Generic, TypeVar

from agentd.acl.builtin import ANONYMOUS_TOKEN_ACCESSOR_ID
from agentd.acl.rules import (
    LABELLED_RESOURCES,
    Access,
    LabelledRules,
    PolicyRules,
    go_quote,
    merge_rules,
    parse_rules,
)

__all__ = [
    "ALLOW_ALL",
    "DENY_ALL",
    "MANAGEMENT",
    "Authorizer",
    "BaseAuthorizer",
    "ChainedAuthorizer",
    "Decision",
    "PermissionDeniedError",
    "Resource",
    "StaticAuthorizer",
    "build",
    "chain",
]


class Resource(StrEnum):
    """Resource names as they appear in ``lacks permission '<resource>:<level>'``."""

    ACL = "acl"
    AGENT = "agent"
    EVENT = "event"
    INTENTION = "intention"
    KEY = "key"
    KEYRING = "keyring"
    MESH = "mesh"
    NODE = "node"
    OPERATOR = "operator"
    PEERING = "peering"
    QUERY = "query"
    SERVICE = "service"
    SESSION = "session"


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"
    DEFAULT = "default"  # no rule applies: ask the next authorizer


_SCALAR = frozenset(
    {Resource.ACL, Resource.KEYRING, Resource.OPERATOR, Resource.MESH, Resource.PEERING}
)
_FALLS_BACK_TO_OPERATOR = frozenset({Resource.MESH, Resource.PEERING})


def _enforce(granted: Access | None, required: Access) -> Decision:
    if granted is None:
        return Decision.DEFAULT
    if granted is Access.WRITE:
        return Decision.ALLOW
    if granted is Access.LIST:
        return Decision.ALLOW if required in (Access.LIST, Access.READ) else Decision.DENY
    if granted is Access.READ:
        return Decision.ALLOW if required is Access.READ else Decision.DENY
    return Decision.DENY


T = TypeVar("T")


class _Checks(ABC, Generic[T]):
    """Named checks shared by authorizers (answering Decisions) and chains (answering bools)."""

    @abstractmethod
    def _check(self, resource: Resource, level: Access, name: str) -> T: ...

    @abstractmethod
    def _check_key_write_prefix(self, prefix: str) -> T: ...

    @abstractmethod
    def _check_any(self, resource: Resource, level: Access) -> T: ...

    @abstractmethod
    def _check_all(self, resource: Resource, level: Access) -> T: ...

    def acl_read(self) -> T:
        return self._check(Resource.ACL, Access.READ, "")

    def acl_write(self) -> T:
        return self._check(Resource.ACL, Access.WRITE, "")

    def agent_read(self, node: str) -> T:
        return self._check(Resource.AGENT, Access.READ, node)

    def agent_write(self, node: str) -> T:
        return self._check(Resource.AGENT, Access.WRITE, node)

    def event_read(self, name: str) -> T:
        return self._check(Resource.EVENT, Access.READ, name)

    def event_write(self, name: str) -> T:
        return self._check(Resource.EVENT, Access.WRITE, name)

    def intention_read(self, name: str) -> T:
        """``name`` is the destination service; ``"*"`` = read on any service's intentions."""
        return self._check(Resource.INTENTION, Access.READ, name)

    def intention_write(self, name: str) -> T:
        """``name`` is the destination service; ``"*"`` = write on every service's intentions."""
        return self._check(Resource.INTENTION, Access.WRITE, name)

    def key_read(self, key: str) -> T:
        return self._check(Resource.KEY, Access.READ, key)

    def key_list(self, key: str) -> T:
        return self._check(Resource.KEY, Access.LIST, key)

    def key_write(self, key: str) -> T:
        return self._check(Resource.KEY, Access.WRITE, key)

    def key_write_prefix(self, prefix: str) -> T:
        """Recursive delete: write on ``prefix`` and no weaker rule anywhere under it."""
        return self._check_key_write_prefix(prefix)

    def keyring_read(self) -> T:
        return self._check(Resource.KEYRING, Access.READ, "")

    def keyring_write(self) -> T:
        return self._check(Resource.KEYRING, Access.WRITE, "")

    def mesh_read(self) -> T:
        return self._check(Resource.MESH, Access.READ, "")

    def mesh_write(self) -> T:
        return self._check(Resource.MESH, Access.WRITE, "")

    def node_read(self, name: str) -> T:
        return self._check(Resource.NODE, Access.READ, name)

    def node_read_all(self) -> T:
        """Read on every node (Consul allows reads of peer-imported nodes with this)."""
        return self._check_all(Resource.NODE, Access.READ)

    def node_write(self, name: str) -> T:
        return self._check(Resource.NODE, Access.WRITE, name)

    def operator_read(self) -> T:
        return self._check(Resource.OPERATOR, Access.READ, "")

    def operator_write(self) -> T:
        return self._check(Resource.OPERATOR, Access.WRITE, "")

    def peering_read(self) -> T:
        return self._check(Resource.PEERING, Access.READ, "")

    def peering_write(self) -> T:
        return self._check(Resource.PEERING, Access.WRITE, "")

    def query_read(self, name: str) -> T:
        return self._check(Resource.QUERY, Access.READ, name)

    def query_write(self, name: str) -> T:
        return self._check(Resource.QUERY, Access.WRITE, name)

    def service_read(self, name: str) -> T:
        return self._check(Resource.SERVICE, Access.READ, name)

    def service_read_all(self) -> T:
        """Read on every service (Consul allows reads of peer-imported services with this)."""
        return self._check_all(Resource.SERVICE, Access.READ)

    def service_write(self, name: str) -> T:
        return self._check(Resource.SERVICE, Access.WRITE, name)

    def service_write_any(self) -> T:
        """Write on at least one service: the caller is some locally authenticated service."""
        return self._check_any(Resource.SERVICE, Access.WRITE)

    def session_read(self, node: str) -> T:
        return self._check(Resource.SESSION, Access.READ, node)

    def session_write(self, node: str) -> T:
        return self._check(Resource.SESSION, Access.WRITE, node)


class BaseAuthorizer(_Checks[Decision]):
    """One link of a chain. Contract: DEFAULT means "no opinion", never "deny"."""

    @abstractmethod
    def decide(self, resource: Resource, level: Access, name: str = "") -> Decision: ...

    @abstractmethod
    def decide_key_write_prefix(self, prefix: str) -> Decision: ...

    @abstractmethod
    def decide_any(self, resource: Resource, level: Access) -> Decision:
        """ALLOW when ``level`` is granted on at least one name of a labelled resource."""

    @abstractmethod
    def decide_all(self, resource: Resource, level: Access) -> Decision:
        """ALLOW when ``level`` is granted on every name of a labelled resource."""

    @abstractmethod
    def intention_default(self) -> Decision:
        """What applies to a connection no intention matches (policies never decide this)."""

    def _check(self, resource: Resource, level: Access, name: str) -> Decision:
        return self.decide(resource, level, name)

    def _check_key_write_prefix(self, prefix: str) -> Decision:
        return self.decide_key_write_prefix(prefix)

    def _check_any(self, resource: Resource, level: Access) -> Decision:
        return self.decide_any(resource, level)

    def _check_all(self, resource: Resource, level: Access) -> Decision:
        return self.decide_all(resource, level)


@dataclass(frozen=True, slots=True)
class _Tree:
    """Exact and prefix rules of one labelled resource (Consul keeps them in a radix tree)."""

    exact: Mapping[str, Access]
    prefix: Mapping[str, Access]

    def lookup(self, name: str) -> Access | None:
        if name in self.exact:
            return self.exact[name]
        return self.longest_prefix(name)

    def longest_prefix(self, name: str) -> Access | None:
        if not self.prefix:
            return None
        for end in range(len(name), -1, -1):
            level = self.prefix.get(name[:end])
            if level is not None:
                return level
        return None

    def labels(self) -> Iterator[str]:
        yield from self.exact
        yield from (label for label in self.prefix if label not in self.exact)


def _tree(rules: LabelledRules) -> _Tree:
    return _Tree(
        exact={label: rule.policy for label, rule in rules.exact.items()},
        prefix={label: rule.policy for label, rule in rules.prefix.items()},
    )


def _intentions_tree(rules: LabelledRules) -> _Tree:
    def level(policy: Access, intentions: Access | None) -> Access:
        if intentions is not None:
            return intentions
        return Access.READ if policy in (Access.READ, Access.WRITE) else Access.DENY

    return _Tree(
        exact={k: level(r.policy, r.intentions) for k, r in rules.exact.items()},
        prefix={k: level(r.policy, r.intentions) for k, r in rules.prefix.items()},
    )


class Authorizer(BaseAuthorizer):
    """Decisions from the merged rules of a token's policies, roles and identities."""

    def __init__(self, policies: Iterable[PolicyRules]) -> None:
        merged = merge_rules(policies)
        self._trees: dict[Resource, _Tree] = {
            Resource(name): _tree(merged.labelled(name)) for name in LABELLED_RESOURCES
        }
        self._trees[Resource.INTENTION] = _intentions_tree(merged.service)
        self._scalars: dict[Resource, Access | None] = {
            resource: merged.scalar(resource.value) for resource in _SCALAR
        }

    def decide(self, resource: Resource, level: Access, name: str = "") -> Decision:
        if resource in _SCALAR:
            granted = self._scalars[resource]
            if granted is None and resource in _FALLS_BACK_TO_OPERATOR:
                granted = self._scalars[Resource.OPERATOR]
            return _enforce(granted, level)
        if resource is Resource.INTENTION and name == "*":
            if level is Access.READ:
                return self.decide_any(resource, level)
            return self.decide_all(resource, level)
        return _enforce(self._trees[resource].lookup(name), level)

    def decide_key_write_prefix(self, prefix: str) -> Decision:
        tree = self._trees[Resource.KEY]
        base = tree.longest_prefix(prefix)
        if base is not None and base is not Access.WRITE:
            return Decision.DENY
        for label in tree.labels():
            if not label.startswith(prefix):
                continue
            if tree.exact.get(label, Access.WRITE) is not Access.WRITE:
                return Decision.DENY
            if tree.prefix.get(label, Access.WRITE) is not Access.WRITE:
                return Decision.DENY
        return Decision.DEFAULT if base is None else Decision.ALLOW

    def decide_any(self, resource: Resource, level: Access) -> Decision:
        tree = self._trees[resource]
        decision = _enforce(tree.prefix.get(""), level)
        if decision is Decision.ALLOW:
            return decision
        for label in tree.labels():
            if _enforce(tree.prefix.get(label), level) is Decision.ALLOW:
                return Decision.ALLOW
            if _enforce(tree.exact.get(label), level) is Decision.ALLOW:
                return Decision.ALLOW
        return decision

    def decide_all(self, resource: Resource, level: Access) -> Decision:
        tree = self._trees[resource]
        decision = _enforce(tree.prefix.get(""), level)
        if decision is Decision.DENY:
            return decision
        for label in tree.labels():
            if _enforce(tree.prefix.get(label), level) is Decision.DENY:
                return Decision.DENY
            if _enforce(tree.exact.get(label), level) is Decision.DENY:
                return Decision.DENY
        return decision

    def intention_default(self) -> Decision:
        return Decision.DEFAULT


class StaticAuthorizer(BaseAuthorizer):
    """Allows or denies everything; only ``manage`` grants the ``acl`` resource."""

    def __init__(self, *, allow: bool, manage: bool) -> None:
        self._allow = Decision.ALLOW if allow else Decision.DENY
        self._manage = Decision.ALLOW if manage else Decision.DENY

    def decide(self, resource: Resource, level: Access, name: str = "") -> Decision:
        return self._manage if resource is Resource.ACL else self._allow

    def decide_key_write_prefix(self, prefix: str) -> Decision:
        return self._allow

    def decide_any(self, resource: Resource, level: Access) -> Decision:
        return self.decide(resource, level)

    def decide_all(self, resource: Resource, level: Access) -> Decision:
        return self.decide(resource, level)

    def intention_default(self) -> Decision:
        return self._allow


ALLOW_ALL = StaticAuthorizer(allow=True, manage=False)
DENY_ALL = StaticAuthorizer(allow=False, manage=False)
MANAGEMENT = StaticAuthorizer(allow=True, manage=True)


class PermissionDeniedError(Exception):
    """A denied check. ``message()`` renders Consul's 403 body.

    Built with ``resource``/``level``/``name`` by ``ChainedAuthorizer.require``, or with only a
    ``cause`` (``Permission denied: <cause>``) via ``PermissionDeniedError.because``.
    """

    def __init__(
        self,
        resource: Resource | None,
        level: Access | None = None,
        name: str = "",
        *,
        cause: str = "",
        accessor_id: str | None = None,
        anonymous: bool = False,
    ) -> None:
        super().__init__(resource, level, name)
        self.resource = resource
        self.level = level
        self.name = name
        self.cause = cause
        self.accessor_id = accessor_id
        self.anonymous = anonymous

    @classmethod
    def because(cls, cause: str) -> PermissionDeniedError:
        return cls(None, cause=cause)

    def message(self, accessor_id: str | None = None, anonymous: bool = False) -> str:
        """Consul's text; ``accessor_id`` None = unknown token (``provided token ...``)."""
        if self.cause:
            return f"Permission denied: {self.cause}"
        if self.resource is None or self.level is None:
            return "Permission denied"
        anonymous = anonymous or accessor_id == ANONYMOUS_TOKEN_ACCESSOR_ID
        if anonymous:
            who = "anonymous token"
        elif accessor_id is None:
            who = "provided token"
        else:
            who = f"token with AccessorID '{accessor_id}'"
        text = f"Permission denied: {who} lacks permission '{self.resource}:{self.level}'"
        if self.name:
            text += f" on {go_quote(self.name)}"
        if anonymous:
            text += (
                ". The anonymous token is used implicitly when a request does not specify a token."
            )
        return text

    def __str__(self) -> str:
        return self.message(self.accessor_id, self.anonymous)


class ChainedAuthorizer(_Checks[bool]):
    """What a request holds: the first non-DEFAULT answer of its authorizers, as a bool.

    ``accessor_id``/``anonymous`` only feed the messages of the errors ``require`` raises.
    """

    def __init__(
        self,
        authorizers: Sequence[BaseAuthorizer],
        *,
        accessor_id: str | None = None,
        anonymous: bool = False,
    ) -> None:
        self.authorizers = tuple(authorizers)
        self.accessor_id = accessor_id
        self.anonymous = anonymous

    def _first(self, decisions: Iterable[Decision]) -> Decision:
        for decision in decisions:
            if decision is not Decision.DEFAULT:
                return decision
        return Decision.DENY  # a chain nobody answered is a denial, as in Consul

    def decide(self, resource: Resource | str, level: Access | str, name: str = "") -> Decision:
        """Plain strings (``"key"``, ``"read"``) are accepted for resource and level."""
        resource, level = Resource(resource), Access(level)
        return self._first(a.decide(resource, level, name) for a in self.authorizers)

    def allowed(self, resource: Resource | str, level: Access | str, name: str = "") -> bool:
        return self.decide(resource, level, name) is Decision.ALLOW

    def _check(self, resource: Resource, level: Access, name: str) -> bool:
        return self.allowed(resource, level, name)

    def _check_key_write_prefix(self, prefix: str) -> bool:
        decisions = (a.decide_key_write_prefix(prefix) for a in self.authorizers)
        return self._first(decisions) is Decision.ALLOW

    def _check_any(self, resource: Resource, level: Access) -> bool:
        decisions = (a.decide_any(resource, level) for a in self.authorizers)
        return self._first(decisions) is Decision.ALLOW

    def _check_all(self, resource: Resource, level: Access) -> bool:
        decisions = (a.decide_all(resource, level) for a in self.authorizers)
        return self._first(decisions) is Decision.ALLOW

    def intention_default_allow(self) -> bool:
        return self._first(a.intention_default() for a in self.authorizers) is Decision.ALLOW

    def denied(
        self, resource: Resource | str, level: Access | str, name: str = ""
    ) -> PermissionDeniedError:
        """The error for a denial of this chain's token (for callers that checked themselves)."""
        return PermissionDeniedError(
            Resource(resource),
            Access(level),
            name,
            accessor_id=self.accessor_id,
            anonymous=self.anonymous,
        )

    def require(self, resource: Resource | str, level: Access | str, name: str = "") -> None:
        if not self.allowed(resource, level, name):
            raise self.denied(resource, level, name)

    def require_key_write_prefix(self, prefix: str) -> None:
        if not self.key_write_prefix(prefix):
            raise self.denied(Resource.KEY, Access.WRITE, prefix)


def chain(
    *authorizers: BaseAuthorizer,
    default: str | bool = "deny",
    accessor_id: str | None = None,
    anonymous: bool = False,
) -> ChainedAuthorizer:
    """``authorizers`` in order, then the agent's ``default_policy`` (``"allow"``/``"deny"``)."""
    if isinstance(default, str):
        if default not in ("allow", "deny"):
            raise ValueError(f"invalid default policy {default!r}: want allow or deny")
        default = default == "allow"
    return ChainedAuthorizer(
        (*authorizers, ALLOW_ALL if default else DENY_ALL),
        accessor_id=accessor_id,
        anonymous=anonymous,
    )


def build(
    rules: Iterable[PolicyRules | str],
    *,
    default: str | bool = "deny",
    accessor_id: str | None = None,
    anonymous: bool = False,
) -> ChainedAuthorizer:
    """``chain(Authorizer(rules), default=...)``; rules texts are parsed (cached) on the way.

    Raises ``RuleError`` for a text that does not parse; stored policies were validated on write.
    """
    parsed = [parse_rules(r) if isinstance(r, str) else r for r in rules]
    return chain(Authorizer(parsed), default=default, accessor_id=accessor_id, anonymous=anonymous)
