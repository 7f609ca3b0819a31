"""Named templates: Go's define/template/block and consul-template's executeTemplate (both syntaxes)."""

# ruff: noqa: E501
from __future__ import annotations

from typing import Any

import pytest

from cnslkit.watch.records import KeyPair
from templated.engines import detect_syntax
from templated.gotmpl import GoTemplateError, execute, parse
from templated.gotmpl.interp import MAX_DEPTH
from templated.helpers import ALIASES, FUNCS
from tests.templated.fakes import Data, template


def render(text: str, data: Any = None) -> str:
    table = {**FUNCS, **{a: FUNCS[n] for a, n in ALIASES.items()}}
    return execute(parse(text, "t"), data, table, name="t")


@pytest.mark.parametrize(
    ("text", "data", "out"),
    [
        # define: not output where it stands; template runs it with the pipeline as dot
        ('{{ define "a" }}[{{ . }}]{{ end }}x{{ template "a" 1 }}{{ template "a" .N }}', {"N": "n"}, "x[1][n]"),
        # no pipeline: dot is nil
        ('{{ define "a" }}<{{ . }}>{{ end }}{{ template "a" }}', {"N": 1}, "<<no value>>"),
        # defined after use: definitions are hoisted
        ('{{ template "late" . }}{{ define "late" }}L{{ .A }}{{ end }}', {"A": 2}, "L2"),
        # $ inside a named template is its own dot; outer variables are not visible
        ('{{ define "d" }}{{ $.K }}{{ end }}{{ $x := 1 }}{{ template "d" .Inner }}', {"Inner": {"K": "k"}}, "k"),
        # pipelines as data
        ('{{ define "up" }}{{ . | toUpper }}{{ end }}{{ template "up" (printf "%s-%d" "a" 1) }}', None, "A-1"),
        ('{{ define "item" }}{{ .Key }}={{ .Value }};{{ end }}{{ range .L }}{{ template "item" . }}{{ end }}',
         {"L": [{"Key": "a", "Value": 1}, {"Key": "b", "Value": 2}]}, "a=1;b=2;"),
        # nested: one named template calls another
        ('{{ define "outer" }}({{ template "inner" .X }}){{ end }}{{ define "inner" }}{{ . }}!{{ end }}{{ template "outer" . }}', {"X": "x"}, "(x!)"),
        # recursion over a tree
        ('{{ define "tree" }}{{ range $k, $v := . }}{{ $k }}{{ with $v.c }}[{{ template "tree" . }}]{{ end }}{{ end }}{{ end }}{{ template "tree" . }}',
         {"a": {"c": {"b": {"c": {"z": {}}}}}}, "a[b[z]]"),
        # block: defines and runs in place
        ('{{ block "b" .X }}B{{ . }}{{ end }}|{{ template "b" 2 }}', {"X": 1}, "B1|B2"),
        # a later define of the same name... only if the block body is blank
        ('{{ block "b" . }}  {{ end }}{{ define "b" }}D{{ end }}', None, "D"),
        # trimming around definitions
        ('{{- define "a" -}}\n  A\n{{- end -}}\n{{ template "a" }}\n', None, "A\n"),
        # break and continue inside a named template's own range
        ('{{ define "r" }}{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}{{ end }}{{ template "r" .L }}', {"L": [1, 2, 3]}, "13"),
        # executeTemplate: the text as a value
        ('{{ define "c" }}my custom template{{ end }}{{ executeTemplate "c" }}|{{ $v := executeTemplate "c" }}{{ len $v }}', None, "my custom template|18"),
        ('{{ define "c" }}v={{ . }}{{ end }}{{ executeTemplate "c" 42 }} {{ executeTemplate "c" .X | toUpper }}', {"X": "x"}, "v=42 V=X"),
        ('{{ define "c" }}{{ . }}{{ end }}{{ 7 | executeTemplate "c" }}', None, "7"),
        ('{{ define "a" }}A{{ executeTemplate "b" . }}{{ end }}{{ define "b" }}B{{ . }}{{ end }}{{ executeTemplate "a" 1 }}', None, "AB1"),
    ],
)  # fmt: skip
def test_named_templates(text: str, data: Any, out: str) -> None:
    assert render(text, data) == out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{{ if 1 }}{{ define "x" }}{{ end }}{{ end }}',
            "t:1: unexpected {{define}}: only allowed at top level",
        ),
        ('{{ define "x" }}{{ define "y" }}{{ end }}{{ end }}', "only allowed at top level"),
        (
            '{{ define "x" }}a{{ end }}\n{{ define "x" }}b{{ end }}',
            't:2: multiple definition of template "x"',
        ),
        (
            '{{ block "x" . }}a{{ end }}{{ define "x" }}b{{ end }}',
            'multiple definition of template "x"',
        ),
        ('{{ define "x" }}a', "missing {{end}} for {{define}}"),
        ('{{ define "x" }}a{{ else }}b{{ end }}', "unexpected {{else}} in {{define}}"),
        ("{{ define x }}{{ end }}", "in define clause: want a name"),
        ("{{ template }}", "in template clause: want a name"),
        ('{{ block "b" }}x{{ end }}', "missing value for block"),
        (
            '{{ range .L }}{{ define "x" }}{{ break }}{{ end }}{{ end }}',
            "only allowed at top level",
        ),
        (
            '{{ range .L }}{{ block "x" . }}{{ break }}{{ end }}{{ end }}',
            "{{break}} outside {{range}}",
        ),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(GoTemplateError, match=message.replace("{", r"\{").replace("(", r"\(")):
        parse(text, "t")


def test_execution_errors() -> None:
    with pytest.raises(GoTemplateError, match='t:2: template "nope" not defined'):
        render('\n{{ template "nope" }}')
    with pytest.raises(
        GoTemplateError, match='t:1: error calling executeTemplate: template "x" not defined'
    ):
        render('{{ executeTemplate "x" }}')
    with pytest.raises(
        GoTemplateError, match="wrong number of arguments, expected 1 or 2, but got 3"
    ):
        render('{{ define "x" }}{{ end }}{{ executeTemplate "x" 1 2 }}')
    with pytest.raises(GoTemplateError, match=f"exceeded maximum template depth \\({MAX_DEPTH}\\)"):
        render('{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" }}')
    with pytest.raises(GoTemplateError, match="exceeded maximum template depth"):
        render(
            '{{ define "loop" }}{{ executeTemplate "loop" }}{{ end }}{{ executeTemplate "loop" }}'
        )
    # an error inside a named template names the line where it is
    with pytest.raises(GoTemplateError, match="t:3: error calling index"):
        render('{{ define "x" }}\n\n{{ index . 5 }}{{ end }}{{ template "x" .L }}', {"L": []})


def test_maps_range_and_print_numbers_in_numeric_order() -> None:
    data = {"M": {10000: "b", 8080: "a", 80: "c"}}
    assert (
        render("{{ range $k, $v := .M }}{{ $k }}={{ $v }} {{ end }}", data)
        == "80=c 8080=a 10000=b "
    )
    assert render("{{ .M }}", data) == "map[80:c 8080:a 10000:b]"


def test_named_templates_with_data_functions() -> None:
    """The first pass discovers the data a named template needs; the next one renders it."""
    t = template(
        '{{ define "pair" }}{{ .Key }}={{ .Value }}\n{{ end }}'
        '{{ define "section" }}[{{ . }}]\n{{ range ls . }}{{ template "pair" . }}{{ end }}{{ end }}'
        '{{ template "section" "app/db" }}{{ executeTemplate "section" "app/web" | trimSpace }}\n'
    )
    data = Data()
    outcome = t.render(data)
    assert sorted(outcome.missing) == ["kv.list(app/db)", "kv.list(app/web)"]
    data.data["kv.list(app/db)"] = [KeyPair("app/db/host", "host", "db1")]
    data.data["kv.list(app/web)"] = [KeyPair("app/web/port", "port", "80")]
    assert t.render(data).content == "[app/db]\nhost=db1\n[app/web]\nport=80\n"


def test_execute_template_calls_jinja_macros() -> None:
    t = template(
        "{% macro custom(x=none) %}custom {{ x if x is not none else '-' }}{% endmacro %}"
        "{% macro plain() %}plain{% endmacro %}"
        '{{ executeTemplate("custom") }}|{{ execute_template("custom", 42) }}|{{ 7 | executeTemplate("custom") }}|'
        '{{ executeTemplate("plain", {"ignored": 1}) }}|'
        "{% for i in [1, 2] %}{{ executeTemplate('custom', i) }};{% endfor %}",
        "t.j2",
    )
    assert t.render(Data()).content == "custom -|custom 42|custom 7|plain|custom 1;custom 2;"
    missing = template('{{ executeTemplate("nope") }}', "t.j2").render(Data())
    assert missing.error is not None and "no macro 'nope'" in str(missing.error)


def test_execute_template_can_be_denied() -> None:
    for text, name in (('{{ define "a" }}{{ end }}{{ executeTemplate "a" }}', "t.ctmpl"),
                       ('{% macro a() %}{% endmacro %}{{ execute_template("a") }}', "t.j2")):  # fmt: skip
        outcome = template(text, name, function_denylist=("executeTemplate",)).render(Data())
        assert outcome.error is not None and "denied" in str(outcome.error)


def test_named_templates_mark_go_syntax() -> None:
    assert detect_syntax("a.conf", '{{ template "x" . }}') == "go"
    assert detect_syntax("a.conf", '{{ executeTemplate "x" }}') == "go"
    assert detect_syntax("a.conf", '{{ executeTemplate("x") }}') == "jinja"
