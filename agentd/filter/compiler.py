"""``compile_filter`` and the compiled ``Filter`` the HTTP handlers apply to response elements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from agentd.filter.ast import Expr
from agentd.filter.evaluate import evaluate
from agentd.filter.parser import parse
from agentd.filter.schema import Schema, validate

R = TypeVar("R", bound=Mapping[str, Any])


@dataclass(frozen=True, slots=True)
class Filter:
    """A compiled expression; immutable, so one may be shared and reused freely."""

    expression: str
    ast: Expr

    def matches(self, record: Mapping[str, Any]) -> bool:
        return evaluate(self.ast, record)

    def apply(self, records: Iterable[R]) -> list[R]:
        return [r for r in records if evaluate(self.ast, r)]

    def apply_map(self, records: Mapping[str, R]) -> dict[str, R]:
        """Keep the entries whose value matches (``/v1/agent/services`` filters the map values)."""
        return {k: r for k, r in records.items() if evaluate(self.ast, r)}


def compile_filter(expression: str, fields: Schema | None = None) -> Filter:
    """Parse ``expression``; with ``fields``, also check selectors, operators and values against
    that schema. Raises FilterError. An empty expression is an error: callers skip filtering when
    ``?filter`` is absent or empty, as Consul does."""
    ast = parse(expression)
    if fields is not None:
        validate(ast, fields)
    return Filter(expression, ast)
