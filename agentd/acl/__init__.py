"""The pure ACL core: rule parsing, decisions, builtins and identities. No I/O, no clock.

Rules of the package:
- ``rules`` turns a policy's ``Rules`` text into ``PolicyRules``; its ``RuleError`` messages are
  Consul's and go back to the client as HTTP 400 bodies.
- ``authorizer`` turns ``PolicyRules`` into decisions. Handlers hold a ``ChainedAuthorizer``
  (``chain(Authorizer(rules), default=<default_policy>)``) and call its bool checks, ``require``
  (raising ``PermissionDeniedError``, to be translated into ``agentd.errors.PermissionDenied`` with
  ``err.message(accessor_id, anonymous)`` at the endpoint edge), or filter collections with them.
- ``builtin`` and ``identities`` hold Consul's fixed objects and templates, verbatim.
Resolving a token (state lookups, caching, datacenter filtering of policies) is not done here.

Errors:
    RuleError(ValueError)             bad rules text (400)
    IdentityError(ValueError)         bad identity/template (400)
    PermissionDeniedError(Exception)  denied check (403)
"""

from agentd.acl.authorizer import (
    ALLOW_ALL,
    DENY_ALL,
    MANAGEMENT,
    Authorizer,
    BaseAuthorizer,
    ChainedAuthorizer,
    Decision,
    PermissionDeniedError,
    Resource,
    StaticAuthorizer,
    build,
    chain,
)
from agentd.acl.identities import IdentityError, SyntheticPolicy
from agentd.acl.rules import Access, LabelledRules, PolicyRules, Rule, RuleError, parse_rules

__all__ = [
    "ALLOW_ALL",
    "DENY_ALL",
    "MANAGEMENT",
    "Access",
    "Authorizer",
    "BaseAuthorizer",
    "ChainedAuthorizer",
    "Decision",
    "IdentityError",
    "LabelledRules",
    "PermissionDeniedError",
    "PolicyRules",
    "Resource",
    "Rule",
    "RuleError",
    "StaticAuthorizer",
    "SyntheticPolicy",
    "build",
    "chain",
    "parse_rules",
]
