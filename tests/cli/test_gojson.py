"""Go-compatible JSON output."""

from __future__ import annotations

import json

import pytest

from cli.gojson import marshal_indent, quote


def test_quote_escapes_like_go() -> None:
    assert quote('a"\\\n\r\t\b\f\x01<>&\u2028\u2029é\x7f') == (
        '"a\\"\\\\\\n\\r\\t\\u0008\\u000c\\u0001\\u003c\\u003e\\u0026\\u2028\\u2029é\x7f"'
    )


def test_marshal_indent_layout() -> None:
    value = {"a": [1, True, None, "x"], "b": {}, "c": [], "d": {"e": False}}
    text = marshal_indent(value, indent="    ")
    assert text == (
        "{\n"
        '    "a": [\n        1,\n        true,\n        null,\n        "x"\n    ],\n'
        '    "b": {},\n    "c": [],\n'
        '    "d": {\n        "e": false\n    }\n'
        "}"
    )
    assert json.loads(text) == value
    with pytest.raises(TypeError):
        marshal_indent({1, 2})
