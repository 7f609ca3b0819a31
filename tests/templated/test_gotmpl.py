"""The Go-template subset: parsing, Go's truth and printing, pipelines, errors with lines."""

# ruff: noqa: E501
from __future__ import annotations

from typing import Any

import pytest

from templated.funcs import Scratch
from templated.gotmpl import GoTemplateError, execute, parse
from templated.helpers import ALIASES, FUNCS


def render(text: str, data: Any = None, strict: bool = False, **funcs: Any) -> str:
    table = {**FUNCS, **{a: FUNCS[n] for a, n in ALIASES.items()}, "upper": str.upper, **funcs}
    return execute(parse(text, "t"), data, table, name="t", strict=strict)


@pytest.mark.parametrize(
    ("text", "data", "out"),
    [
        ("plain", None, "plain"),
        ("{{ .A }}-{{ .B.C }}", {"A": 1, "B": {"C": "x"}}, "1-x"),
        ("{{ .Missing }}", {}, "<no value>"),
        ("{{ 3 }} {{ 2.5 }} {{ 1e3 }} {{ true }} {{ nil }}", None, "3 2.5 1000 true <no value>"),
        ('{{ "a\\tb" }} {{ `raw\\n` }}', None, "a\tb raw\\n"),
        ("{{ .L }} {{ .M }}", {"L": [1, "a"], "M": {"b": 2, "a": 1}}, "[1 a] map[a:1 b:2]"),
        ("a  {{- 1 -}}  b", None, "a1b"),
        ("a {{/* gone */}}b", None, "a b"),
        ("{{ if .X }}y{{ else }}n{{ end }}", {"X": []}, "n"),
        ("{{ if .X }}y{{ else if .Y }}z{{ end }}", {"X": 0, "Y": "s"}, "z"),
        ("{{ with .X }}{{ . }}{{ else }}none{{ end }}", {"X": ""}, "none"),
        ("{{ range .L }}<{{ . }}>{{ end }}", {"L": ["a", "b"]}, "<a><b>"),
        ("{{ range $i, $v := .L }}{{ $i }}{{ $v }}{{ end }}", {"L": "ab" and ["a", "b"]}, "0a1b"),
        ("{{ range $k, $v := .M }}{{ $k }}={{ $v }};{{ end }}", {"M": {"z": 1, "a": 2}}, "a=2;z=1;"),
        ("{{ range .L }}x{{ else }}empty{{ end }}", {"L": []}, "empty"),
        ("{{ range 3 }}{{ . }}{{ end }}", None, "012"),
        ("{{ range .L }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}", {"L": [1, 2, 3]}, "1"),
        ("{{ range .L }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}", {"L": [1, 2, 3]}, "13"),
        ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", None, "2"),
        ("{{ range .L }}{{ $.T }}{{ end }}", {"L": [1, 2], "T": "t"}, "tt"),
        ('{{ "abc" | upper | printf "%s!" }}', None, "ABC!"),
        ('{{ printf "%d-%05.1f-%q-%v-%t" 3 2.25 "s" .L true }}', {"L": [1]}, '3-002.2-"s"-[1]-true'),
        ('{{ split "," "a,b" | join ";" }}', None, "a;b"),
        ("{{ 10 | divide 2 }} {{ 3 | add 4 }} {{ 7 | modulo 4 }}", None, "5 7 3"),
        ("{{ len .L }} {{ index .L 1 }} {{ index .M \"k\" }}", {"L": [1, 2], "M": {"k": "v"}}, "2 2 v"),
        ("{{ and 1 0 }} {{ or 0 \"\" 5 }} {{ not 0 }}", None, "0 5 true"),
        ("{{ eq 1 2 3 1 }} {{ ne 1 2 }} {{ lt 1 2 }} {{ ge 2 2 }}", None, "true true true true"),
        ("{{ print 1 2 \"a\" 3 }}", None, "1 2a3"),
        ('{{ (index .L 0).Name }}', {"L": [{"Name": "n"}]}, "n"),
        ('{{ if and (gt (len .L) 0) (eq (index .L 0) "a") }}ok{{ end }}', {"L": ["a"]}, "ok"),
        ("{{ \"x\" | toUpper }}{{ trimSpace \"  y \" }}", None, "Xy"),
    ],
)  # fmt: skip
def test_render(text: str, data: Any, out: str) -> None:
    assert render(text, data) == out


def test_method_calls_on_scratch() -> None:
    scratch = Scratch()
    text = (
        '{{ scratch.Set "a" "1" }}{{ scratch.SetX "a" "2" }}{{ scratch.Get "a" }}'
        '{{ scratch.MapSet "m" "z" 1 }}{{ scratch.MapSet "m" "a" 2 }}{{ scratch.MapValues "m" }}'
        '{{ if scratch.Key "a" }}!{{ end }}'
    )
    assert render(text, scratch=lambda: scratch) == "1[2 1]!"


def test_custom_delimiters() -> None:
    nodes = parse("[[ .A ]] {{ .A }}", "t", "[[", "]]")
    assert execute(nodes, {"A": 1}, {}) == "1 {{ .A }}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\n{{ if .X }}", "t:2: unexpected EOF"),
        ("{{ end }}", "t:1: unexpected {{end}}"),
        ("{{ .A", "t:1: unclosed action"),
        ('{{ if 1 }}{{ define "x" }}{{ end }}{{ end }}', "only allowed at top level"),
        ("{{ break }}", "outside {{range}}"),
        ("{{ 'ab' }}", "malformed character"),
        ("{{ ( 1 }}", "unclosed left paren"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(GoTemplateError, match=message.replace("{", r"\{").replace("(", r"\(")):
        parse(text, "t")


def test_execution_errors() -> None:
    with pytest.raises(GoTemplateError, match='t:1: function "nope" not defined'):
        render("{{ nope }}")
    with pytest.raises(GoTemplateError, match="map has no entry for key"):
        render("{{ .X }}", {}, strict=True)
    with pytest.raises(GoTemplateError, match="t:2: error calling index"):
        render("\n{{ index .L 5 }}", {"L": []})
    with pytest.raises(GoTemplateError, match="can't evaluate field Nope"):
        render("{{ .Nope }}", Scratch())
    with pytest.raises(GoTemplateError, match="undefined variable"):
        render("{{ $x }}")
