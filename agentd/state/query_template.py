"""Prepared-query templates: one definition answers every name that starts with its prefix.

Every string inside a template's ``Service`` may use HIL interpolations: ``${name.full}`` (the
name looked up), ``${name.prefix}`` (the template's name), ``${name.suffix}`` (the rest),
``${agent.segment}`` and ``${match(N)}`` (capture N of ``Template.Regexp`` over the full name;
0 = the whole match; no match or a bad N give ""). ``$${`` is a literal ``${``. A template is
compiled (checked) when it is stored, so rendering it at lookup time cannot fail.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from agentd.filter.errors import FilterError
from agentd.filter.regex import compile_re2
from agentd.structs.query import (
    TEMPLATE_NAME_PREFIX_MATCH,
    Failover,
    PreparedQuery,
    QueryTarget,
    ServiceQuery,
)

_INTERP = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_MATCH = re.compile(r"match\(\s*(-?[0-9]+)\s*\)")
_VARS = frozenset({"name.full", "name.prefix", "name.suffix", "agent.segment"})


class TemplateError(Exception):
    """A template that cannot be compiled (bad type, regexp or interpolation)."""


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    query: PreparedQuery
    regexp: re.Pattern[str] | None

    def render(self, name: str, segment: str = "") -> PreparedQuery:
        """The query for ``name``: every Service string interpolated."""
        groups: list[str] = []
        if self.regexp is not None:
            m = self.regexp.search(name)
            if m is not None:
                groups = [m.group(0), *(g or "" for g in m.groups())]
        prefix = self.query.name
        values = {
            "name.full": name,
            "name.prefix": prefix,
            "name.suffix": name[len(prefix) :] if name.startswith(prefix) else name,
            "agent.segment": segment,
        }

        def expand(text: str) -> str:
            return _interpolate(text, values, groups)

        svc = _map_strings(self.query.service, expand)
        if self.query.template.remove_empty_tags:
            svc = dataclasses.replace(svc, tags=tuple(t for t in svc.tags if t))
        return dataclasses.replace(self.query, service=svc)


def compile_template(query: PreparedQuery) -> CompiledTemplate | None:
    """None for a static query; raise TemplateError for a template that cannot work."""
    if not query.is_template:
        return None
    if query.template.type != TEMPLATE_NAME_PREFIX_MATCH:
        raise TemplateError(f"Bad Template.Type '{query.template.type}'")
    regexp = None
    if query.template.regexp:
        try:
            regexp = compile_re2(query.template.regexp)
        except FilterError as exc:
            raise TemplateError(f"Bad Regexp: {exc}") from None
    _map_strings(query.service, _check)
    return CompiledTemplate(query, regexp)


def _check(text: str) -> str:
    for m in _INTERP.finditer(text):
        token = m.group(0)
        if token == "$${":
            continue
        if m.group(1) is None:
            raise TemplateError(f"Bad template interpolation in {text!r}: missing '}}'")
        expr = m.group(1).strip()
        if expr not in _VARS and not _MATCH.fullmatch(expr):
            raise TemplateError(f"Bad template interpolation in {text!r}: unknown '{expr}'")
    return text


def _interpolate(text: str, values: dict[str, str], groups: list[str]) -> str:
    if "$" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        if m.group(0) == "$${":
            return "${"
        expr = (m.group(1) or "").strip()
        if expr in values:
            return values[expr]
        n = _MATCH.fullmatch(expr)
        if n is not None:
            i = int(n.group(1))
            return groups[i] if 0 <= i < len(groups) else ""
        return m.group(0)

    return _INTERP.sub(one, text)


def _map_strings(svc: ServiceQuery, fn: Callable[[str], str]) -> ServiceQuery:
    """Every string field of a service query (map values, not keys) through ``fn``."""
    fo = svc.failover
    return dataclasses.replace(
        svc,
        service=fn(svc.service),
        failover=Failover(
            nearest_n=fo.nearest_n,
            datacenters=tuple(fn(d) for d in fo.datacenters),
            targets=tuple(
                QueryTarget(fn(t.peer), fn(t.datacenter), fn(t.partition), fn(t.namespace))
                for t in fo.targets
            ),
        ),
        ignore_check_ids=tuple(fn(c) for c in svc.ignore_check_ids),
        near=fn(svc.near),
        tags=tuple(fn(t) for t in svc.tags),
        node_meta={k: fn(v) for k, v in svc.node_meta.items()},
        service_meta={k: fn(v) for k, v in svc.service_meta.items()},
        peer=fn(svc.peer),
    )
