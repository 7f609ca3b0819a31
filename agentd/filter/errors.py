"""The filter package's one exception and the ``line:col (offset)`` prefix of syntax errors."""

from __future__ import annotations

import json


class FilterError(Exception):
    """An expression that cannot be compiled; ``message`` is the text Consul would show.

    Syntax errors start with ``line:col (offset):`` like go-bexpr's parser (pigeon); the checks made
    against a schema (unknown selector, operator, value coercion, regular expression) use go-bexpr's
    own sentences without a position, because clients string-match those.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def at(text: str, offset: int, problem: str) -> FilterError:
    """A syntax error at ``offset`` (counted in characters) of ``text``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return FilterError(f"{line}:{col} ({offset}): {problem}")


def go_quote(s: str) -> str:
    """Roughly Go's ``%q``, used where go-bexpr quotes values and selectors in its messages."""
    return json.dumps(s, ensure_ascii=False)
