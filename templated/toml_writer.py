"""``toTOML``: maps, lists and scalars as a TOML document, laid out as consul-template does.

Each table lists its plain keys first, then its sub-tables and arrays of tables, each group
sorted by key; a nested table's lines are indented two spaces per level; a blank line comes
before each top-level table and each ``[[array]]`` entry; the result carries no surrounding
whitespace. A list whose items are all maps becomes an array of tables; maps inside other lists
are written inline. ``None`` values are left out. Records (``KeyPair``, ``HealthService`` ...)
are written as tables of their fields.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from templated.plain import plain

__all__ = ["to_toml"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_INDENT = "  "
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def to_toml(value: Any) -> str:
    data = plain(value)
    if not isinstance(data, Mapping):
        raise TypeError(f"toTOML: the top level must be a map, not {type(data).__name__}")
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).strip()


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_table(v) for v in value)


def _table(table: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    items = sorted(((str(k), v) for k, v in table.items() if v is not None), key=_first)
    pad = _INDENT * len(path)
    for key, value in items:
        if not (_is_table(value) or _is_table_array(value)):
            lines.append(f"{pad}{_key(key)} = {_value(value)}")
    for key, value in items:
        sub = (*path, key)
        header = ".".join(_key(k) for k in sub)
        if _is_table(value):
            if not path:
                lines.append("")
            lines.append(f"{pad}[{header}]")
            _table(value, sub, lines)
        elif _is_table_array(value):
            for item in value:
                lines.append("")
                lines.append(f"{pad}[[{header}]]")
                _table(item, sub, lines)


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(
            f"{_key(str(k))} = {_value(v)}"
            for k, v in sorted(value.items(), key=_first)
            if v is not None
        )
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value if v is not None) + "]"
    return _string(str(value))
