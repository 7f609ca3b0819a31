"""consul-template's debugging helpers, in the manner of go-spew.

- ``spew_sdump v...`` returns each value dumped over several lines with its type and length:
  ``(map[string]bool) (len=1) {`` / `` (string) (len=3) "foo": (bool) true`` / ``}``;
  ``spew_dump v...`` writes the same to stderr and returns ``""``.
- ``spew_sprintf "fmt" v...`` formats like ``printf``, where ``%v`` is compact (``map[a:1]``),
  ``%+v`` adds record field names (``{Node:n1 ...}``) and ``%#v`` adds types
  (``(map[string]int)map[a:(int)1]``); ``spew_printf`` writes that to stderr.

The type names are Go's for what templates hold (``string``, ``int``, ``float64``, ``bool``,
``[]T``, ``map[K]V``, ``interface {}`` for items of mixed or container types, a record's class
name); there are no pointer addresses. Map keys are printed in order.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from templated.gotmpl.interp import go_str, map_keys, sprintf

__all__ = ["spew_dump", "spew_printf", "spew_sdump", "spew_sprintf"]

_ANY = "interface {}"
_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _is_record(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, type)


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def type_name(value: Any) -> str:
    """The Go type a template would see for ``value``."""
    if value is None:
        return _ANY
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return f"map[{_common(value.keys(), 'string')}]{_common(value.values())}"
    if _is_list(value):
        return f"[]{_common(value)}"
    return type(value).__name__


def _common(values: Iterable[Any], empty: str = _ANY) -> str:
    """The items' type when they are scalars of one type, else ``interface {}``."""
    names = {type_name(v) if isinstance(v, str | int | float) else _ANY for v in values}
    if not names:
        return empty
    return names.pop() if len(names) == 1 else _ANY


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _dump(value: Any, depth: int) -> str:
    head = f"({type_name(value)}) "
    inner, outer = " " * (depth + 1), " " * depth
    if value is None:
        return head + "<nil>"
    if isinstance(value, str):
        return f"{head}(len={len(value.encode())}) {_quote(value)}"
    if isinstance(value, bool | int | float):
        return head + go_str(value)
    if isinstance(value, Mapping):
        entries = [
            f"{inner}{_dump(k, depth + 1)}: {_dump(value[k], depth + 1)}" for k in map_keys(value)
        ]
        size = f"(len={len(entries)}) " if entries else ""
        return head + size + _block(entries, outer)
    if _is_list(value):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        entries = [inner + _dump(v, depth + 1) for v in items]
        size = f"(len={len(entries)} cap={len(entries)}) " if entries else ""
        return head + size + _block(entries, outer)
    if _is_record(value):
        entries = [
            f"{inner}{f.name}: {_dump(getattr(value, f.name), depth + 1)}" for f in fields(value)
        ]
        return head + _block(entries, outer)
    return head + str(value)


def _block(entries: list[str], outer: str) -> str:
    if not entries:
        return "{\n" + outer + "}"
    return "{\n" + ",\n".join(entries) + "\n" + outer + "}"


def spew_sdump(*values: Any) -> str:
    return "".join(_dump(v, 0) + "\n" for v in values)


def spew_dump(*values: Any) -> str:
    sys.stderr.write(spew_sdump(*values))
    sys.stderr.flush()
    return ""


def _compact(value: Any, types: bool, names: bool) -> str:
    if isinstance(value, Mapping):
        text = (
            "map["
            + " ".join(f"{go_str(k)}:{_compact(value[k], types, names)}" for k in map_keys(value))
            + "]"
        )
    elif _is_list(value):
        text = "[" + " ".join(_compact(v, types, names) for v in value) + "]"
    elif _is_record(value):
        parts = [
            (f"{f.name}:" if names else "") + _compact(getattr(value, f.name), types, names)
            for f in fields(value)
        ]
        text = "{" + " ".join(parts) + "}"
    else:
        text = go_str(value) if value is not None else "<nil>"
    return f"({type_name(value)}){text}" if types else text


def spew_sprintf(fmt: str, *args: Any) -> str:
    values = list(args)

    def one(m: re.Match[str]) -> str:
        flags, width, verb = m.group(1), m.group(2) or "", m.group(4)
        if verb == "%":
            return "%"
        if not values:
            return f"%!{verb}(MISSING)"
        value = values.pop(0)
        if verb != "v":
            return sprintf(m.group(0), value)
        text = _compact(value, types="#" in flags, names="+" in flags)
        return format(text, f"{'<' if '-' in flags else '>'}{width}")

    return _VERB.sub(one, fmt)


def spew_printf(fmt: str, *args: Any) -> str:
    sys.stderr.write(spew_sprintf(fmt, *args))
    sys.stderr.flush()
    return ""
