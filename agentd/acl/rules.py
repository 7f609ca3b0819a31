"""The ACL rule language: a policy's ``Rules`` text (HCL or JSON) parsed into ``PolicyRules``.

Consul decodes rules with HCL1 into ``acl.PolicyRules`` and validates every rule's access level;
this module does the same with python-hcl2 and keeps Consul's error texts, which the HTTP layer
returns as 400 bodies (``Failed to parse ACL rules: ...``, ``Invalid key_prefix policy: ...``).

Several rules for the same label and kind inside one policy merge exactly as rules from several
policies do (``merge_rules``): the strongest access wins in the order deny > write > list > read,
and a service's ``policy`` and ``intentions`` merge separately.

Deliberate differences from Consul: an unknown resource name or an unknown attribute inside a
block is an error (HCL1 silently ignored them), except the Enterprise-only resources
(``namespace``, ``partition``, ``identity`` and their ``_prefix`` forms) which Consul CE also
accepts and ignores.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

__all__ = [
    "LABELLED_RESOURCES",
    "SCALAR_RESOURCES",
    "Access",
    "LabelledRules",
    "PolicyRules",
    "Rule",
    "RuleError",
    "go_quote",
    "merge_rules",
    "parse_rules",
    "stronger",
]


class RuleError(ValueError):
    """Rules text that does not parse or validate; ``message`` is Consul's text (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Access(StrEnum):
    """An access level in a rule; also the level a check requires (read, list or write)."""

    DENY = "deny"
    READ = "read"
    LIST = "list"
    WRITE = "write"


# Merge precedence (policy.go takesPrecedenceOver): deny beats everything, then write, list, read.
_PRECEDENCE = {Access.READ: 1, Access.LIST: 2, Access.WRITE: 3, Access.DENY: 4}


def stronger(a: Access | None, b: Access | None) -> Access | None:
    """The level that wins when two rules for the same label and kind meet; None loses."""
    if a is None:
        return b
    if b is None:
        return a
    return a if _PRECEDENCE[a] >= _PRECEDENCE[b] else b


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule's access; ``intentions`` is only ever set on service rules (None = derived)."""

    policy: Access
    intentions: Access | None = None


def _merge_rule(a: Rule | None, b: Rule) -> Rule:
    if a is None:
        return b
    policy = stronger(a.policy, b.policy)
    assert policy is not None
    return Rule(policy, stronger(a.intentions, b.intentions))


@dataclass(frozen=True, slots=True)
class LabelledRules:
    """Rules of one labelled resource: ``res "label"`` (exact) and ``res_prefix "label"``."""

    exact: Mapping[str, Rule] = field(default_factory=dict)
    prefix: Mapping[str, Rule] = field(default_factory=dict)


LABELLED_RESOURCES = ("agent", "event", "key", "node", "query", "service", "session")
SCALAR_RESOURCES = ("acl", "keyring", "operator", "mesh", "peering")
_ENTERPRISE_ONLY = frozenset(
    {
        "namespace",
        "namespace_prefix",
        "partition",
        "partition_prefix",
        "identity",
        "identity_prefix",
    }
)


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """The parsed rules of one policy (or several merged). Treat the mappings as read-only."""

    agent: LabelledRules = field(default_factory=LabelledRules)
    event: LabelledRules = field(default_factory=LabelledRules)
    key: LabelledRules = field(default_factory=LabelledRules)
    node: LabelledRules = field(default_factory=LabelledRules)
    query: LabelledRules = field(default_factory=LabelledRules)
    service: LabelledRules = field(default_factory=LabelledRules)
    session: LabelledRules = field(default_factory=LabelledRules)
    acl: Access | None = None
    keyring: Access | None = None
    operator: Access | None = None
    mesh: Access | None = None
    peering: Access | None = None

    def labelled(self, resource: str) -> LabelledRules:
        """The rules of a labelled resource by name (``"key"``, ``"service"`` ...)."""
        value = getattr(self, resource)
        assert isinstance(value, LabelledRules)
        return value

    def scalar(self, resource: str) -> Access | None:
        """The level of a scalar resource by name (``"acl"``, ``"operator"`` ...)."""
        value = getattr(self, resource)
        assert value is None or isinstance(value, Access)
        return value


class _Builder:
    """Accumulates rules, merging duplicates by precedence."""

    def __init__(self) -> None:
        self.exact: dict[str, dict[str, Rule]] = {r: {} for r in LABELLED_RESOURCES}
        self.prefix: dict[str, dict[str, Rule]] = {r: {} for r in LABELLED_RESOURCES}
        self.scalars: dict[str, Access | None] = dict.fromkeys(SCALAR_RESOURCES)

    def add(self, resource: str, prefix: bool, label: str, rule: Rule) -> None:
        table = (self.prefix if prefix else self.exact)[resource]
        table[label] = _merge_rule(table.get(label), rule)

    def add_scalar(self, resource: str, level: Access | None) -> None:
        self.scalars[resource] = stronger(self.scalars[resource], level)

    def build(self) -> PolicyRules:
        labelled = {
            r: LabelledRules(exact=self.exact[r], prefix=self.prefix[r]) for r in LABELLED_RESOURCES
        }
        return PolicyRules(
            agent=labelled["agent"],
            event=labelled["event"],
            key=labelled["key"],
            node=labelled["node"],
            query=labelled["query"],
            service=labelled["service"],
            session=labelled["session"],
            acl=self.scalars["acl"],
            keyring=self.scalars["keyring"],
            operator=self.scalars["operator"],
            mesh=self.scalars["mesh"],
            peering=self.scalars["peering"],
        )


def merge_rules(policies: Iterable[PolicyRules]) -> PolicyRules:
    """Merge several policies' rules into one, as Consul's ``MergePolicies`` does."""
    builder = _Builder()
    for rules in policies:
        for resource in LABELLED_RESOURCES:
            labelled = rules.labelled(resource)
            for label, rule in labelled.exact.items():
                builder.add(resource, False, label, rule)
            for label, rule in labelled.prefix.items():
                builder.add(resource, True, label, rule)
        for resource in SCALAR_RESOURCES:
            builder.add_scalar(resource, rules.scalar(resource))
    return builder.build()


# ---------------------------------------------------------------------------------------------
# Parsing


@lru_cache(maxsize=1024)
def parse_rules(text: str) -> PolicyRules:
    """Parse and validate a policy's rules (HCL, or JSON when the text starts with ``{``).

    Raises ``RuleError``. Results are cached by text: the returned value must not be mutated.
    """
    if not text.strip():
        return PolicyRules()
    doc = _load_json(text) if text.lstrip().startswith("{") else _load_hcl(text)
    if not isinstance(doc, dict):
        raise RuleError("Failed to parse ACL rules: the rules must be an object")
    builder = _Builder()
    for key, value in doc.items():
        if key in _HCL_META or key in _ENTERPRISE_ONLY:
            continue
        if key in SCALAR_RESOURCES:
            builder.add_scalar(key, _scalar_level(key, value))
            continue
        resource, prefix = (
            (key[: -len("_prefix")], True) if key.endswith("_prefix") else (key, False)
        )
        if resource not in LABELLED_RESOURCES:
            raise RuleError(f"Failed to parse ACL rules: unknown resource {go_quote(key)}")
        for label, body in _blocks(key, value):
            builder.add(resource, prefix, label, _block_rule(key, resource, label, body))
    return builder.build()


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise RuleError(f"Failed to parse ACL rules: At {e.lineno}:{e.colno}: {e.msg}") from None


_HCL_META = frozenset(
    {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}
)


def _load_hcl(text: str) -> Any:
    import hcl2

    try:
        if not hasattr(hcl2, "SerializationOptions"):  # python-hcl2 < 8: plain strings
            return hcl2.loads(text)
        tree = hcl2.parses_to_tree(text)
        _check_duplicate_attributes(tree)
        options = hcl2.SerializationOptions(
            with_comments=False,
            explicit_blocks=True,
            strip_string_quotes=True,
            preserve_heredocs=False,
        )
        return hcl2.serialize(
            hcl2.transform(tree, discard_comments=True), serialization_options=options
        )
    except LarkError as e:
        raise RuleError(f"Failed to parse ACL rules: {_describe_lark_error(e, text)}") from None


def _describe_lark_error(e: LarkError, text: str) -> str:
    line = getattr(e, "line", -1)
    column = getattr(e, "column", -1)
    if not isinstance(line, int) or line < 1:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    where = f"At {line}:{column}"
    if isinstance(e, UnexpectedToken):
        if e.token.type == "$END":
            return f"{where}: unexpected end of input"
        value = str(e.token.value).strip() or repr(str(e.token.value))
        return f"{where}: unexpected {value!r}"
    if isinstance(e, UnexpectedCharacters):
        return f"{where}: illegal character {e.char!r}"
    if isinstance(e, UnexpectedEOF):
        return f"{where}: unexpected end of input"
    first = str(e).strip().splitlines()
    return f"{where}: {first[0] if first else type(e).__name__}"


def _check_duplicate_attributes(tree: Any) -> None:
    """HCL1's DecodeErrorOnDuplicates, which Consul uses: an argument may be set once per body."""
    for body in tree.iter_subtrees_topdown():
        if body.data != "body":
            continue
        seen: set[str] = set()
        for child in body.children:
            if getattr(child, "data", None) != "attribute" or not child.children:
                continue
            name = _identifier(child.children[0])
            if name in seen:
                raise RuleError(
                    f'Failed to parse ACL rules: The argument "{name}" at '
                    f"{child.meta.line}:{child.meta.column} was already set. "
                    "Each argument can only be defined once"
                )
            seen.add(name)


def _identifier(node: Any) -> str:
    while getattr(node, "children", None):
        node = node.children[0]
    return str(node)


def _blocks(key: str, value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(label, body)`` pairs from HCL blocks (a list of one-label dicts) or JSON objects."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise RuleError(f"Failed to parse ACL rules: {key}: expected a labelled block")
        for label, body in item.items():
            if label in _HCL_META:
                continue
            if not isinstance(body, dict):
                raise RuleError(
                    f"Failed to parse ACL rules: {key}: expected a block with one label, "
                    f'as in {key} "name" {{ policy = "read" }}'
                )
            yield label, body


_ALLOWED_ATTRIBUTES = {"service": frozenset({"policy", "intentions"})}


def _block_rule(key: str, resource: str, label: str, body: dict[str, Any]) -> Rule:
    allowed = _ALLOWED_ATTRIBUTES.get(resource, frozenset({"policy"}))
    for name, value in body.items():
        if name in _HCL_META:
            continue
        if name not in allowed:
            what = "nested block" if isinstance(value, dict | list) else "attribute"
            raise RuleError(
                f"Failed to parse ACL rules: {key} {go_quote(label)}: unexpected {what} "
                f"{go_quote(name)}"
            )
    raw_policy = _text(body.get("policy", ""))
    raw_intentions = _text(body.get("intentions", ""))
    policy = _level(raw_policy, allow_list=resource == "key")
    if policy is None:
        raise RuleError(f"Invalid {key} policy: {_go_rule(key, label, raw_policy, raw_intentions)}")
    intentions = None
    if raw_intentions:
        intentions = _level(raw_intentions, allow_list=False)
        if intentions is None:
            raise RuleError(
                f"Invalid {key} intentions policy: "
                f"{_go_rule(key, label, raw_policy, raw_intentions)}"
            )
    return Rule(policy, intentions)


def _scalar_level(key: str, value: Any) -> Access | None:
    raw = _text(value)
    if raw == "":
        return None  # Consul: "this one is allowed to be empty"
    level = _level(raw, allow_list=False)
    if level is None:
        raise RuleError(f"Invalid {key} policy: {go_quote(raw)}")
    return level


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value)


def _level(raw: str, *, allow_list: bool) -> Access | None:
    # Consul's AccessLevelFromString lower-cases the text before matching.
    try:
        level = Access(raw.lower())
    except ValueError:
        return None
    if level is Access.LIST and not allow_list:
        return None
    return level


# Go's %#v of the offending rule struct, so the 400 body reads as Consul's does.
_GO_RULE_TYPES = {
    "agent": ("AgentRule", "Node", False),
    "event": ("EventRule", "Event", False),
    "key": ("KeyRule", "Prefix", True),
    "node": ("NodeRule", "Name", True),
    "query": ("PreparedQueryRule", "Prefix", False),
    "service": ("ServiceRule", "Name", True),
    "session": ("SessionRule", "Node", False),
}


def _go_rule(key: str, label: str, policy: str, intentions: str) -> str:
    resource = key.removesuffix("_prefix")
    type_name, label_field, enterprise = _GO_RULE_TYPES[resource]
    fields = [f"{label_field}:{go_quote(label)}", f"Policy:{go_quote(policy)}"]
    if resource == "service":
        fields.append(f"Intentions:{go_quote(intentions)}")
    if enterprise:
        fields.append("EnterpriseRule:acl.EnterpriseRule{}")
    return f"&acl.{type_name}{{{', '.join(fields)}}}"


_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def go_quote(s: str) -> str:
    """Go's ``%q``: double quotes, backslash escapes, non-printables as \\x or \\u."""
    out = []
    for ch in s:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'
