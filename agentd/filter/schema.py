"""Check a parsed filter against the fields of the records it will see, as go-bexpr does.

Consul builds go-bexpr's field configurations from the Go type of the response element, so an
unknown selector, an operator the field's type does not support, or a literal that cannot be
coerced to the field's type fails when the filter is created, not per record. A schema here is
that type written as data:

* ``"string"``, ``"int"``, ``"uint"``, ``"float"``, ``"bool"`` - primitives;
* ``"list[<type>]"`` or ``("list", <type>)`` - a slice;
* ``"map[string]<type>"`` or ``("map", <type>)`` - a map with string keys;
* a dict of field name -> type - a struct.

Operators per type (go-bexpr's table): string ``== != in matches`` and their negations; other
primitives ``== !=``; list of primitives ``in``, ``is empty`` and negations; list of anything else
``is empty``/``is not empty`` (its element's fields are selectable, matched "any element"); map
``in``, ``is empty`` and negations (any key is selectable); struct: none.

``zero_filled`` gives the record as go-bexpr would see the Go value behind it, for evaluation: a
struct field the JSON left out (``omitempty``, or not emitted at all) or null has its zero value
("", 0, false, empty list/map, empty struct), and a struct field spelled in another case or
snake_case (raw registration data such as ``address`` in a service's tagged addresses) is found
under its Go name, as Go's JSON decoding would have put it there. Map keys stay exact, and a
missing key stays missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from agentd.filter.ast import And, Expr, Match, Not, Op, Or, parse_bool, parse_float, parse_int
from agentd.filter.errors import FilterError, go_quote

FieldType: TypeAlias = "str | Mapping[str, FieldType] | tuple[str, FieldType]"
Schema: TypeAlias = Mapping[str, FieldType]
# The selectors an expression uses, as a tree of names: {"Node": {"Meta": {"os": {}}}}.
Paths: TypeAlias = "dict[str, Paths]"

_EQUALITY = frozenset({Op.EQUAL, Op.NOT_EQUAL})
_STRING = _EQUALITY | {Op.IN, Op.NOT_IN, Op.MATCHES, Op.NOT_MATCHES}
_EMPTINESS = frozenset({Op.IS_EMPTY, Op.IS_NOT_EMPTY})
_MEMBERSHIP = _EMPTINESS | {Op.IN, Op.NOT_IN}


def _coerce_uint(raw: str) -> object:
    n = parse_int(raw)
    return None if n is None or n < 0 else n


# Go's strconv function named in the error text, and the check standing in for it.
_PRIMITIVES: dict[str, tuple[str, Callable[[str], object]] | None] = {
    "string": None,
    "int": ("ParseInt", parse_int),
    "uint": ("ParseUint", _coerce_uint),
    "float": ("ParseFloat", parse_float),
    "bool": ("ParseBool", parse_bool),
}


def validate(expr: Expr, schema: Schema) -> None:
    """Raise FilterError for the first match in ``expr`` that ``schema`` does not allow."""
    if isinstance(expr, Match):
        _validate_match(expr, schema)
    elif isinstance(expr, Not):
        validate(expr.operand, schema)
    else:
        assert isinstance(expr, And | Or)
        for operand in expr.operands:
            validate(operand, schema)


def _validate_match(m: Match, schema: Schema) -> None:
    field: FieldType = schema
    for depth, name in enumerate(m.selector):
        child = _child(field, name)
        if child is None:
            raise FilterError(f"Selector {_sel(m.selector[: depth + 1])} is not valid")
        field = child
    kind, elem = _split(field)
    if m.op not in _operators(kind, elem):
        raise FilterError(f'Invalid match operator "{m.op}" for selector {_sel(m.selector)}')
    if m.value is None:
        return
    coerce = _PRIMITIVES.get(elem if kind == "list" and isinstance(elem, str) else kind)
    if coerce is not None and coerce[1](m.value.raw) is None:
        raise FilterError(
            f"Failed to coerce value {go_quote(m.value.raw)} for selector {_sel(m.selector)}: "
            f"strconv.{coerce[0]}: parsing {go_quote(m.value.raw)}: invalid syntax"
        )


def _child(field: FieldType, name: str) -> FieldType | None:
    kind, elem = _split(field)
    if kind == "struct":
        assert isinstance(field, Mapping)
        return field.get(name)
    if kind == "map":
        return elem
    if kind == "list" and elem is not None and _split(elem)[0] not in _PRIMITIVES:
        return _child(elem, name)  # fields of the elements; evaluation is "any element"
    return None


def _split(field: FieldType) -> tuple[str, FieldType | None]:
    """(kind, element type): kind is a primitive name, "list", "map" or "struct"."""
    if isinstance(field, Mapping):
        return "struct", None
    if isinstance(field, tuple):
        kind, elem = field
        if kind not in ("list", "map"):
            raise ValueError(f"bad schema type {field!r}")
        return kind, elem
    if field in _PRIMITIVES:
        return field, None
    if field.startswith("list[") and field.endswith("]"):
        return "list", field[5:-1]
    if field.startswith("map[string]"):
        return "map", field.removeprefix("map[string]")
    raise ValueError(f"bad schema type {field!r}")


def _operators(kind: str, elem: FieldType | None) -> frozenset[Op]:
    if kind == "string":
        return _STRING
    if kind in _PRIMITIVES:
        return _EQUALITY
    if kind == "map":
        return _MEMBERSHIP
    if kind == "list":
        assert elem is not None
        return _MEMBERSHIP if _split(elem)[0] in _PRIMITIVES else _EMPTINESS
    return frozenset()


def _sel(selector: tuple[str, ...]) -> str:
    return go_quote(".".join(selector))


def selected(expr: Expr) -> Paths:
    """The selectors ``expr`` uses, merged into one tree."""
    tree: Paths = {}
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Match):
            node = tree
            for name in e.selector:
                node = node.setdefault(name, {})
        elif isinstance(e, Not):
            stack.append(e.operand)
        else:
            stack.extend(e.operands)
    return tree


def zero_filled(record: Any, schema: Schema, paths: Paths) -> Any:
    """``record`` with the struct fields on ``paths`` filled in as the Go value would have them
    (see the module's docstring). Copies only what it changes along the way; ``record`` itself is
    left untouched."""
    return _fill(record, schema, paths)


def _fill(value: Any, field: FieldType, paths: Paths) -> Any:
    kind, elem = _split(field)
    if kind == "struct" and isinstance(value, dict):
        assert isinstance(field, Mapping)
        out = dict(value)
        for name, below in paths.items():
            ftype = field.get(name)
            if ftype is None:
                continue  # not a field of this type (only without validation)
            v = out.get(name)
            if v is None:
                v = _loose_get(value, name)
                v = _zero(ftype) if v is None else v
            out[name] = _fill(v, ftype, below) if below else v
        return out
    if kind == "list" and isinstance(value, list) and paths:
        assert elem is not None  # selectors go on into the fields of the elements
        return [_fill(item, elem, paths) for item in value]
    if kind == "map" and isinstance(value, dict) and paths:
        assert elem is not None
        out = dict(value)
        for key, below in paths.items():
            if below and key in out:
                out[key] = _fill(out[key], elem, below)
        return out
    return value


def _loose_get(record: dict[Any, Any], name: str) -> Any:
    """The value under ``name`` spelled in any case, with or without underscores."""
    want = name.lower()
    for key, v in record.items():
        if isinstance(key, str) and key.replace("_", "").lower() == want:
            return v
    return None


def _zero(field: FieldType) -> object:
    kind, _ = _split(field)
    if kind == "string":
        return ""
    if kind == "bool":
        return False
    if kind == "list":
        return []
    if kind in ("map", "struct"):
        return {}
    return 0  # int, uint, float
