"""envconsul's name templates and the child's environment rules, without an agent."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from envd.childenv import ExecEnv, child_environment, glob_match, parse_custom
from envd.nameformat import KEY, PATH, SERVICE, FormatError, compile_format


def key_funcs(key: str) -> dict[str, Callable[..., str]]:
    return {"key": lambda: key, "replaceKey": lambda old, new, k: k.replace(old, new)}


@pytest.mark.parametrize(
    ("template", "want"),
    [
        ("prod_{{ key }}", "prod_db/host"),
        ("{{key}}", "db/host"),
        ('{{ key | replaceKey "/" "__" }}', "db__host"),
        ("NOMAD_{{ key | replaceKey `db` `database` }}", "NOMAD_database/host"),
        ('{{ key | replaceKey "d" "D" | replaceKey "h" "H" }}', "Db/Host"),
        ('{{ "fixed" }}_x', "fixed_x"),
        ("a  {{- key -}}  b", "adb/hostb"),
        ("{{/* a comment */}}{{ key }}", "db/host"),
        ("no action", "no action"),
    ],
)
def test_key_formats(template: str, want: str) -> None:
    assert compile_format(template, KEY).render(key_funcs("db/host")) == want


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{{ service }}", 'function "service" not defined'),
        ('{{ key "x" }}', "key takes 0 argument(s), got 1"),
        ('{{ replaceKey "a" "b" }}', "replaceKey takes 3 argument(s), got 2"),
        ("{{ key | }}", "missing command"),
        ("{{ key", "unclosed action"),
        ("{{ key | replaceKey a b }}", "arguments must be strings"),
        ('{{ key | "x" }}', "a string can only start a pipeline"),
        ("{{ $x }}", "unexpected '$'"),
    ],
)
def test_bad_formats_fail_at_compile_time(template: str, why: str) -> None:
    with pytest.raises(FormatError, match=re.escape(why)):
        compile_format(template, KEY)


def test_service_and_path_functions() -> None:
    fmt = compile_format("{{ service }}_{{ key }}", SERVICE)
    assert fmt.render({"service": lambda: "web", "key": lambda: "port"}) == "web_port"
    path = compile_format('apps/{{ env "APP" }}/config', PATH)
    assert path.render({"env": lambda name: name.lower()}) == "apps/app/config"


def test_globs_are_go_globs() -> None:
    assert glob_match("CONSUL_*", "CONSUL_HTTP_ADDR")
    assert not glob_match("CONSUL_*", "MY_CONSUL_X")
    assert glob_match("DB_?", "DB_1") and not glob_match("DB_?", "DB_12")
    assert glob_match("[^A]*", "BX") and not glob_match("[^A]*", "AX")
    assert not glob_match("db*", "db/host")  # a wildcard stops at "/", as filepath.Match
    assert glob_match("db/*", "db/host")


def test_child_environment_order() -> None:
    parent = {"PATH": "/bin", "HOME": "/root", "SECRET_TOKEN": "s", "APP_MODE": "old"}
    variables = {"APP_MODE": "new", "APP_PORT": "80", "APP_SECRET": "x"}
    spec = ExecEnv(
        custom=(("EXTRA", "1"), ("APP_SECRET", "kept")),
        allowlist=("APP_*", "PATH", "*_TOKEN"),
        denylist=("*SECRET*",),
    )
    got = child_environment(parent, variables, spec)
    # the lists filter inherited and Consul variables alike; custom entries always go in
    assert got == {"PATH": "/bin", "APP_MODE": "new", "APP_PORT": "80", "EXTRA": "1",
                   "APP_SECRET": "kept"}  # fmt: skip
    pristine = child_environment(parent, variables, ExecEnv(pristine=True, custom=(("A", "b"),)))
    assert pristine == {**variables, "A": "b"}
    assert child_environment(parent, {}, ExecEnv()) == parent


def test_custom_entries() -> None:
    assert parse_custom(["A=1", "B=", "C=x=y"]) == (("A", "1"), ("B", ""), ("C", "x=y"))
    with pytest.raises(ValueError, match="'NOEQUALS' is not NAME=value"):
        parse_custom(["NOEQUALS"])
