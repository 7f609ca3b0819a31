"""Evaluate an AST against one JSON-shaped record (dicts, lists, str, int, float, bool, None).

Values are compared by the type the record holds, as go-bexpr coerces the literal to the Go type
of the field: a number field compares with the literal read as a number, a bool field with it read
by Go's ``strconv.ParseBool``, a string with the raw text. A literal with no such reading (``Port ==
abc``), or an operator that does not apply to the value (``Port contains 1``, ``Tags == x``), makes
that match false, whether or not the operator is negated. (With a schema those are compile errors.)
"""

from __future__ import annotations

from typing import Any

from agentd.filter.ast import NEGATED, TRUE_WHEN_MISSING, And, Expr, Match, Not, Op, Value


def evaluate(expr: Expr, record: Any) -> bool:
    if isinstance(expr, Match):
        return _resolve(expr, record, 0)
    if isinstance(expr, Not):
        return not evaluate(expr.operand, record)
    if isinstance(expr, And):
        return all(evaluate(e, record) for e in expr.operands)
    return any(evaluate(e, record) for e in expr.operands)


def _resolve(m: Match, node: Any, depth: int) -> bool:
    """Follow ``m.selector`` from ``node``; a list on the way means "any element matches"."""
    selector = m.selector
    while depth < len(selector):
        if isinstance(node, list):
            # go-bexpr walks a list of structs element by element with the same selector and
            # the same operator, so even a negated operator is "some element satisfies it".
            return any(_resolve(m, item, depth) for item in node)
        if not isinstance(node, dict):
            return False  # a scalar has no fields
        node = node.get(selector[depth])
        if node is None:
            # A missing map key in go-bexpr: nothing equals or contains it, and it is empty.
            return m.op in TRUE_WHEN_MISSING
        depth += 1
    return _leaf(m, node)


def _leaf(m: Match, node: Any) -> bool:
    if node is None:
        return m.op in TRUE_WHEN_MISSING
    positive = NEGATED.get(m.op, m.op)
    result = _test(positive, m, node)
    if result is None:
        return False  # type mismatch: neither the operator nor its negation holds
    return result if positive is m.op else not result


def _test(op: Op, m: Match, node: Any) -> bool | None:
    """The positive operator applied to ``node``; None when it does not apply to that type."""
    if op is Op.IS_EMPTY:
        return len(node) == 0 if isinstance(node, str | list | dict) else None
    assert m.value is not None
    if op is Op.EQUAL:
        return _equals(node, m.value)
    if op is Op.MATCHES:
        assert m.pattern is not None
        return m.pattern.search(node) is not None if isinstance(node, str) else None
    # Op.IN: substring of a string, element of a list, key of a map.
    if isinstance(node, str):
        return m.value.raw in node
    if isinstance(node, dict):
        return m.value.raw in node
    if isinstance(node, list):
        # Each element is compared by its own type; elements the literal cannot be are skipped.
        return any(_equals(item, m.value) for item in node)
    return None


def _equals(node: Any, value: Value) -> bool | None:
    if isinstance(node, bool):  # before int: bool is an int in Python
        return None if value.boolean is None else node is value.boolean
    if isinstance(node, int | float):
        return None if value.number is None else node == value.number
    if isinstance(node, str):
        return node == value.raw
    return None
