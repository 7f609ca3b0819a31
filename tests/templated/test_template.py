"""Templates over a fake data source: the n-pass model, missing data, both syntaxes, helpers."""

# ruff: noqa: E501
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cnslkit.watch.dependency import Dependency
from cnslkit.watch.records import CatalogSnippet, HealthService, KeyPair
from templated import helpers
from templated.config import TemplateConfig
from templated.engines import detect_syntax
from templated.errors import RenderError
from templated.template import Template


def template(text: str, name: str = "t.j2", **kwargs: Any) -> Template:
    return Template(TemplateConfig(destination="out", source=name, **kwargs), text)


class Data:
    """A data source: ``{dependency key: data}``; absent keys have no data yet."""

    def __init__(self, **data: Any) -> None:
        self.data = {k.replace("__", "."): v for k, v in data.items()}

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value

    def __call__(self, dep: Dependency) -> tuple[bool, Any]:
        if dep.key in self.data:
            return True, self.data[dep.key]
        return False, None


def kp(path: str, value: str, prefix: str = "") -> KeyPair:
    return KeyPair(path, path[len(prefix) :].lstrip("/") if prefix else path, value)


def test_first_pass_discovers_every_dependency_and_ignores_errors() -> None:
    t = template('{{ key("a") }} {{ (service("web")[0]).Address }} {{ key("b") | int + 1 }}')
    data = Data()
    outcome = t.render(data)
    assert sorted(outcome.missing) == ["health.service(web)", "kv.get(a)", "kv.get(b)"]
    assert outcome.content is None and outcome.error is None
    data.set("kv.get(a)", kp("a", "A"))
    data.set("kv.get(b)", kp("b", "41"))
    data.set("health.service(web)", [HealthService("n", "w1", "web", Address="1.1.1.1")])
    outcome = t.render(data)
    assert outcome.complete and outcome.content == "A 1.1.1.1 42"


def test_nested_dependencies_need_another_pass() -> None:
    t = template("{% for s in services() %}{{ s.Name }}={{ service(s.Name)|length }};{% endfor %}")
    data = Data()
    data.set("catalog.services()", [CatalogSnippet("db"), CatalogSnippet("web")])
    outcome = t.render(data)
    assert sorted(outcome.missing) == ["health.service(db)", "health.service(web)"]
    data.set("health.service(db)", [])
    data.set("health.service(web)", [HealthService("n", "w", "web")])
    assert t.render(data).content == "db=0;web=1;"


def test_absent_key_blocks_unless_defaulted() -> None:
    data = Data()
    data.set("kv.get(gone)", None)
    outcome = template('{{ key("gone") }}').render(data)
    assert outcome.missing["kv.get(gone)"].reason == "key does not exist"
    assert template('{{ key("gone", default="d") }}').render(data).content == "d"
    assert template('{{ keyOrDefault("gone", "d") }}').render(data).content == "d"
    assert template('{{ key_exists("gone") }}').render(data).content == "False"
    timed = template('{{ key("gone", timeout="2s") }}').render(data)
    assert timed.missing["kv.get(gone)"].timeout == 2.0


def test_key_or_default_waits_for_the_first_answer() -> None:
    outcome = template('{{ keyOrDefault("k", "d") }}').render(Data())
    assert "kv.get(k)" in outcome.missing


def test_safe_ls_holds_back_an_empty_answer_and_ls_does_not() -> None:
    data = Data()
    data.set("kv.list(p)", [])
    assert template('{{ ls("p") | length }}').render(data).content == "0"
    outcome = template('{{ safe_ls("p") | length }}').render(data)
    assert outcome.missing["kv.list(p)"].reason.startswith("no keys")
    assert template('x{{ safeTree("p") }}').render(data).content is None


def test_collections_are_recorded_for_the_guard() -> None:
    data = Data()
    data.set("kv.list(p)", [kp("p/a", "1", "p")])
    data.set("health.service(web)", [])
    outcome = template('{{ ls("p") }}{{ service("web") }}').render(data)
    assert outcome.collections == {"kv.list(p)": True, "health.service(web)": False}


def test_go_syntax_by_extension_and_hint() -> None:
    assert detect_syntax("a.ctmpl", "") == "go"
    assert detect_syntax("a.tpl", "{{ x }}") == "go"
    assert detect_syntax("a.j2", '{{ key "a" }}') == "jinja"
    assert detect_syntax("a.conf", '{{ key "a" }}') == "go"
    assert detect_syntax("a.conf", 'bind {{ sockaddr "GetPrivateIP" }}') == "go"
    assert detect_syntax("a.conf", 'bind {{ sockaddr("GetPrivateIP") }}') == "jinja"
    assert detect_syntax("a.conf", "{{ key('a') }}") == "jinja"
    assert detect_syntax("a.conf", "{{ key('a') }}", "go") == "go"
    data = Data()
    data.set("kv.list(app)", [kp("app/a/b", "1", "app"), kp("app/a/c", "2", "app")])
    text = '{{ range $k, $v := tree "app" | byKey }}{{ $k }}:{{ range $v }}{{ .Key }}{{ end }}{{ end }}'
    assert template(text, "x.ctmpl").render(data).content == "a:bc"


def test_parse_errors_name_the_template_and_line() -> None:
    with pytest.raises(RenderError, match=r"t\.j2:2"):
        template("ok\n{% for %}")
    with pytest.raises(RenderError, match=r"x\.ctmpl:1"):
        template("{{ if }}", "x.ctmpl")


def test_render_errors_are_reported_when_data_is_complete() -> None:
    data = Data()
    data.set("kv.get(j)", kp("j", "not json"))
    outcome = template('{{ parseJSON(key("j")) }}').render(data)
    assert outcome.error is not None and "Expecting value" in str(outcome.error)


def test_strict_undefined_with_error_on_missing_key() -> None:
    assert template("[{{ nothing }}]").render(Data()).content == "[]"
    outcome = template("[{{ nothing }}]", error_on_missing_key=True).render(Data())
    assert outcome.error is not None


def test_file_and_sandbox(tmp_path: Path) -> None:
    inside = tmp_path / "in.txt"
    data = Data()
    data.set(f"file({inside})", "content")
    t = template(f'{{{{ file("{inside}") }}}}', sandbox_path=str(tmp_path))
    assert t.render(data).content == "content"
    outside = template('{{ file("/etc/hostname") }}', sandbox_path=str(tmp_path)).render(data)
    assert outside.error is not None and "sandbox" in str(outside.error)


def test_denylist() -> None:
    outcome = template('{{ env("HOME") }}', function_denylist=("env",)).render(Data())
    assert outcome.error is not None and "denied" in str(outcome.error)


def test_jinja_filters_take_the_value_first() -> None:
    t = template(
        '{{ "a,b" | split(",") | join("-") }} {{ split(",", "x,y") | join("+") }} '
        '{{ {"k": [1]} | to_json }} {{ {"k": [1]} | toYAML }} {{ "ab" | base64Encode }} '
        '{{ 10 | divide(2) }} {{ "Ab" | to_lower }} {{ indent(2, "x") }}'
    )
    assert t.render(Data()).content == 'a-b x+y {"k":[1]} k:\n- 1 YWI= 5 ab   x'


def test_helpers() -> None:
    pairs = [kp("a/b/c", "1", ""), kp("a/d", "2", ""), kp("e/", "", "")]
    assert helpers.explode(pairs) == {"a": {"b": {"c": "1"}, "d": "2"}, "e": {}}
    services = [
        HealthService("n", "1", "web", Tags=("a", "b")),
        HealthService("n", "2", "web", Tags=("b",)),
    ]
    assert {k: [s.ID for s in v] for k, v in helpers.by_tag(services).items()} == {
        "a": ["1"],
        "b": ["1", "2"],
    }
    assert helpers.to_json(services[1])[:30] == '{"Address":"","Checks":[],"ID"'
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert helpers.timestamp(now=moment) == "2024-01-02T03:04:05Z"
    assert helpers.timestamp("2006-01-02 15:04", now=moment) == "2024-01-02 03:04"
    assert helpers.timestamp("unix", now=moment) == "1704164645"
    assert helpers.regex_replace_all("(a)(b)", "$2$1", "xab") == "xba"
    assert helpers.split_to_map(",", "=", "a=1,b=2") == {"a": "1", "b": "2"}
    assert helpers.loop(1, 4) == [1, 2, 3] and helpers.contains("b", ["a", "b"])
    assert helpers.parse_yaml("a: [1]") == {"a": [1]} and helpers.parse_json("") == {}
    assert helpers.ALIASES["toJSON"] == "to_json" and helpers.ALIASES["byKey"] == "by_key"
