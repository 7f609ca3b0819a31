"""JSON written the way Go's ``encoding/json`` writes it, for outputs users diff against Consul's.

Differences from Python's ``json.dumps`` that show up in ``kv export`` and ``-format=json``
outputs: ``<``, ``>``, ``&``, U+2028 and U+2029 are escaped (Go's HTML-safe default), control
characters other than ``\\n``, ``\\r``, ``\\t`` become ``\\u00XX`` (Python writes ``\\b``/``\\f``),
non-ASCII text stays UTF-8, and :func:`marshal_indent` lays out empty containers as ``[]``/``{}``.
Floats are not formatted like Go's; Consul's CLI outputs do not contain any.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["marshal_indent", "quote"]

_ESCAPES = {
    **{c: f"\\u{c:04x}" for c in range(0x20)},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def quote(text: str) -> str:
    """A JSON string literal as Go writes it."""
    return '"' + text.translate(_ESCAPES) + '"'


def marshal_indent(value: Any, prefix: str = "", indent: str = "\t") -> str:
    """Go's ``json.MarshalIndent(value, prefix, indent)`` for dicts, lists, str, int, bool, None."""
    return _encode(value, prefix, indent)


def _encode(value: Any, pad: str, indent: str) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int | float):
        return repr(value)
    inner = pad + indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{quote(str(k))}: {_encode(v, inner, indent)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [inner + _encode(v, inner, indent) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
