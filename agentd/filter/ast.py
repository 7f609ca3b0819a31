"""The parsed form of a filter: match expressions joined by ``and``, ``or`` and ``not``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Go's strconv.ParseBool, which go-bexpr uses to coerce values for bool fields.
_BOOLS = {
    "1": True,
    "t": True,
    "T": True,
    "TRUE": True,
    "true": True,
    "True": True,
    "0": False,
    "f": False,
    "F": False,
    "FALSE": False,
    "false": False,
    "False": False,
}


class Op(StrEnum):
    """Match operators, spelled as go-bexpr's ``MatchOperator.String()`` (used in its errors)."""

    EQUAL = "Equal"
    NOT_EQUAL = "Not Equal"
    IN = "In"  # also ``Sel contains X``
    NOT_IN = "Not In"  # also ``Sel not contains X``
    IS_EMPTY = "Is Empty"
    IS_NOT_EMPTY = "Is Not Empty"
    MATCHES = "Matches"
    NOT_MATCHES = "Not Matches"


# The operators that hold when the selected value is absent (a missing map key, or JSON null):
# nothing equals, contains or matches it, and it is empty.
TRUE_WHEN_MISSING = frozenset({Op.NOT_EQUAL, Op.NOT_IN, Op.IS_EMPTY, Op.NOT_MATCHES})
NEGATED = {
    Op.NOT_EQUAL: Op.EQUAL,
    Op.NOT_IN: Op.IN,
    Op.IS_NOT_EMPTY: Op.IS_EMPTY,
    Op.NOT_MATCHES: Op.MATCHES,
}


def parse_int(raw: str) -> int | None:
    """Go's ``strconv.ParseInt(raw, 0, 64)``, near enough: 0x/0o/0b prefixes, ``_`` separators."""
    if raw != raw.strip():
        return None
    try:
        return int(raw, 0)
    except ValueError:
        return None


def parse_float(raw: str) -> float | None:
    if raw != raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        return None


def parse_bool(raw: str) -> bool | None:
    return _BOOLS.get(raw)


@dataclass(frozen=True, slots=True)
class Value:
    """A literal as written (``raw``) plus its readings as a number and as a bool, if it has them.

    go-bexpr keeps only the raw text and coerces it to the type of the field it is compared with;
    computing the possible readings once here keeps evaluation to plain comparisons.
    """

    raw: str
    number: int | float | None
    boolean: bool | None

    @classmethod
    def of(cls, raw: str) -> Value:
        number = parse_int(raw)
        return cls(
            raw,
            number if number is not None else parse_float(raw),
            parse_bool(raw),
        )


@dataclass(frozen=True, slots=True)
class Match:
    """``selector op value``; ``value`` is None for the emptiness tests, ``pattern`` set for
    ``matches``. ``pos`` is where the match starts in the source, for error messages."""

    op: Op
    selector: tuple[str, ...]
    value: Value | None
    pattern: re.Pattern[str] | None
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Expr, ...]  # n-ary so that long chains do not nest (no deep recursion)


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Match | Not | And | Or
