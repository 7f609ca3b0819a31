"""``compile_filter`` and the compiled ``Filter`` the HTTP handlers apply to response elements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agentd.filter.ast import Expr
from agentd.filter.evaluate import evaluate
from agentd.filter.parser import parse
from agentd.filter.schema import Paths, Schema, selected, validate, zero_filled

R = TypeVar("R", bound=Mapping[str, Any])


@dataclass(frozen=True, slots=True)
class Filter:
    """A compiled expression; immutable, so one may be shared and reused freely.

    With ``fields`` (the schema it was checked against) a record is evaluated as go-bexpr sees the
    Go value: struct fields the JSON omits have their zero value (``schema.zero_filled``). What
    ``apply`` returns are the records given, never those views."""

    expression: str
    ast: Expr
    fields: Schema | None = field(default=None, hash=False)
    paths: Paths | None = field(default=None, hash=False)  # the selectors, with ``fields``

    def matches(self, record: Mapping[str, Any]) -> bool:
        return evaluate(self.ast, self._view(record))

    def apply(self, records: Iterable[R]) -> list[R]:
        return [r for r in records if evaluate(self.ast, self._view(r))]

    def apply_map(self, records: Mapping[str, R]) -> dict[str, R]:
        """Keep the entries whose value matches (``/v1/agent/services`` filters the map values)."""
        return {k: r for k, r in records.items() if evaluate(self.ast, self._view(r))}

    def _view(self, record: Mapping[str, Any]) -> Any:
        if self.fields is None or self.paths is None:
            return record
        return zero_filled(record, self.fields, self.paths)


def compile_filter(expression: str, fields: Schema | None = None) -> Filter:
    """Parse ``expression``; with ``fields``, also check selectors, operators and values against
    that schema (the type of one record), and evaluate records as that type. Raises FilterError.
    An empty expression is an error: callers skip filtering when ``?filter`` is absent or empty, as
    Consul does."""
    ast = parse(expression)
    if fields is None:
        return Filter(expression, ast)
    validate(ast, fields)
    return Filter(expression, ast, fields, selected(ast))
