"""HCL files in JSON's shape, for every config reader (agent config, service files, templated).

python-hcl2 (8 and later) returns string literals with their quotes and escapes, and blocks as
lists of objects marked ``__is_block__``. ``loads`` undoes the quoting, drops the markers and lets
the caller decide, per key, what a list of objects becomes (one merged object, or a list), since
each format has its own keys that repeat.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["BLOCKS", "OBJECTS", "VALUES", "Combine", "loads", "unquote"]

BLOCKS = "blocks"  # a list of HCL blocks (`name { ... }` written one or more times)
OBJECTS = "objects"  # a list of objects written as a list literal (`name = [{...}]`)
VALUES = "values"  # anything else

# (key, normalised items, kind) -> what the list becomes
Combine = Callable[[str, list[Any], str], Any]
Leaf = Callable[[str, Any], Any]

_META = frozenset(
    {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}
)
_ESCAPE = re.compile(r'\\(["\\/bfnrt])|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\$\$\{|%%\{')
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(m: re.Match[str]) -> str:
    if m.group(1):
        return _SIMPLE[m.group(1)]
    if m.group(2) or m.group(3):
        return chr(int(m.group(2) or m.group(3), 16))
    return m.group(0)[1:]  # $${ -> ${ and %%{ -> %{


def unquote(text: str) -> str:
    """A python-hcl2 string literal as the plain string it denotes."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return _ESCAPE.sub(_unescape, text[1:-1])
    return text


def _parse(text: str) -> Any:
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(
        with_comments=False,
        explicit_blocks=True,
        preserve_heredocs=False,
        preserve_scientific_notation=False,
    )
    return hcl2.loads(text, serialization_options=options)


def loads(text: str, combine: Combine, leaf: Leaf | None = None) -> Any:
    """Parse HCL ``text``; parse errors propagate as python-hcl2 raises them."""
    return _normalise(_parse(text), "", combine, leaf)


def _normalise(value: Any, key: str, combine: Combine, leaf: Leaf | None) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in _META:
                continue
            name = unquote(k)
            out[name] = _normalise(v, name, combine, leaf)
        return out
    if isinstance(value, list):
        items = [_normalise(v, "", combine, leaf) for v in value]
        objects = bool(value) and all(isinstance(v, dict) for v in value)
        marked = objects and any("__is_block__" in v for v in value)
        return combine(key, items, BLOCKS if marked else OBJECTS if objects else VALUES)
    if isinstance(value, str):
        value = unquote(value)
    return leaf(key, value) if leaf is not None else value
