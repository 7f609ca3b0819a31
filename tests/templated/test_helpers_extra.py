"""byPort, toTOML, spew_*, writeToFile and plugin, in both syntaxes."""

# ruff: noqa: E501
from __future__ import annotations

import io
import os
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cnslkit.watch.records import CatalogSnippet, HealthService, KeyPair
from templated import helpers
from templated.helpers_io import FileWrite, run_plugin
from templated.output import put_writes
from templated.spew import spew_dump, spew_sdump, spew_sprintf
from templated.template import Outcome
from templated.toml_writer import to_toml
from tests.templated.fakes import Data, template


def content(
    text: str, name: str = "t.ctmpl", data: dict[str, Any] | None = None, **kwargs: Any
) -> str | None:
    outcome = template(text, name, **kwargs).render(Data(data))
    assert outcome.error is None, outcome.error
    return outcome.content


def error(
    text: str, name: str = "t.ctmpl", data: dict[str, Any] | None = None, **kwargs: Any
) -> str:
    outcome = template(text, name, **kwargs).render(Data(data))
    assert outcome.error is not None
    return str(outcome.error)


WEB = [
    HealthService("n1", "a", "web", Port=8080),
    HealthService("n2", "b", "web", Port=10000),
    HealthService("n3", "c", "web", Port=8080),
]


# --- byPort ------------------------------------------------------------------------------------


def test_by_port_groups_services_by_port_number() -> None:
    groups = helpers.by_port(WEB)
    assert list(groups) == [8080, 10000]
    assert {port: [s.ID for s in svcs] for port, svcs in groups.items()} == {
        8080: ["a", "c"],
        10000: ["b"],
    }
    catalog = [{"ServiceID": "x", "ServicePort": 53}, {"ServiceID": "y", "ServicePort": 53}]
    assert helpers.by_port(catalog) == {53: catalog}
    assert helpers.by_port(None) == {} and helpers.by_port([]) == {}
    with pytest.raises(TypeError, match="byPort: CatalogSnippet has no port"):
        helpers.by_port([CatalogSnippet("web")])


def test_by_port_in_both_syntaxes() -> None:
    data = {"health.service(web)": WEB}
    go = '{{ range $port, $svcs := service "web" | byPort }}{{ $port }}:{{ range $svcs }}{{ .ID }}{{ end }} {{ end }}'
    assert content(go, data=data) == "8080:ac 10000:b "
    jinja = "{% for port, svcs in (service('web') | byPort).items() %}{{ port }}:{{ svcs | map(attribute='ID') | join }} {% endfor %}{{ by_port(service('web'))[8080] | length }}"
    assert content(jinja, "t.j2", data=data) == "8080:ac 10000:b 2"


# --- toTOML ------------------------------------------------------------------------------------


def test_to_toml_lays_out_like_consul_template() -> None:
    config = {"maxconns": "5", "minconns": "2", "admin": {"port": "1134"}}
    assert to_toml(config) == 'maxconns = "5"\nminconns = "2"\n\n[admin]\n  port = "1134"'


def test_to_toml_round_trips_nested_structures() -> None:
    value = {
        "name": "shop",
        "quoted key": 'a "b"\n\tc\\',
        "port": 8080,
        "ratio": 0.5,
        "whole": 2.0,
        "on": True,
        "tags": ["a", "b"],
        "matrix": [[1, 2], [3]],
        "mixed": [1, "x", {"inline": True}],
        "empty": {},
        "skipped": None,
        "db": {
            "host": "db1",
            "replicas": {"r1": {"zone": "a"}, "r2": {"zone": "b"}},
            "ports": [5432],
        },
        "servers": [{"name": "a", "meta": {"k": "v"}}, {"name": "b", "weight": 3}],
        "unicode": "héllo",
    }
    text = to_toml(value)
    expected = {k: v for k, v in value.items() if v is not None}
    assert tomllib.loads(text) == expected
    lines = text.splitlines()
    assert '"quoted key" = "a \\"b\\"\\n\\tc\\\\"' in lines
    assert lines[0] == "matrix = [[1, 2], [3]]"  # plain keys first, sorted
    assert "[db]" in lines and "  [db.replicas]" in lines and "    [db.replicas.r1]" in lines
    assert '      zone = "a"' in lines and lines.count("[[servers]]") == 2
    assert text == text.strip()


def test_to_toml_of_records_and_in_templates() -> None:
    assert tomllib.loads(to_toml({"pair": KeyPair("a/b", "b", "v")}))["pair"]["Value"] == "v"
    with pytest.raises(TypeError, match="top level must be a map"):
        to_toml([1, 2])
    data = {
        "kv.list(config)": [
            KeyPair("config/maxconns", "maxconns", "5"),
            KeyPair("config/admin/port", "admin/port", "1134"),
        ]
    }
    expected = 'maxconns = "5"\n\n[admin]\n  port = "1134"'
    assert content('{{ tree "config" | explode | toTOML }}', data=data) == expected
    assert (
        content(
            "{{ tree('config') | explode | toTOML }}|{{ to_toml(explode(tree('config'))) | length }}",
            "t.j2",
            data=data,
        )
        == f"{expected}|{len(expected)}"
    )


# --- spew --------------------------------------------------------------------------------------

PARSED = {"foo": {"bar": True, "baz": "string", "theAnswer": 42.0}}


def test_spew_sdump() -> None:
    assert spew_sdump("1970-01-01") == '(string) (len=10) "1970-01-01"\n'
    assert (
        spew_sdump(["a", "b", "c"])
        == '([]string) (len=3 cap=3) {\n (string) (len=1) "a",\n (string) (len=1) "b",\n (string) (len=1) "c"\n}\n'
    )
    assert spew_sdump(PARSED) == (
        "(map[string]interface {}) (len=1) {\n"
        ' (string) (len=3) "foo": (map[string]interface {}) (len=3) {\n'
        '  (string) (len=3) "bar": (bool) true,\n'
        '  (string) (len=3) "baz": (string) (len=6) "string",\n'
        '  (string) (len=9) "theAnswer": (float64) 42\n'
        " }\n"
        "}\n"
    )
    assert (
        spew_sdump(None, 3, {}) == "(interface {}) <nil>\n(int) 3\n(map[string]interface {}) {\n}\n"
    )
    record = spew_sdump(HealthService("n1", "a", "web", Port=80, Tags=("x",)))
    assert record.startswith('(HealthService) {\n Node: (string) (len=2) "n1",\n')
    assert ' Tags: ([]string) (len=1 cap=1) {\n  (string) (len=1) "x"\n },\n' in record
    assert " Port: (int) 80,\n" in record


def test_spew_sprintf() -> None:
    assert spew_sprintf("%v\n", PARSED) == "map[foo:map[bar:true baz:string theAnswer:42]]\n"
    assert spew_sprintf("%+v", PARSED) == "map[foo:map[bar:true baz:string theAnswer:42]]"
    assert spew_sprintf("%#v", PARSED) == (
        "(map[string]interface {})map[foo:(map[string]interface {})"
        "map[bar:(bool)true baz:(string)string theAnswer:(float64)42]]"
    )
    assert spew_sprintf("%+v", KeyPair("p", "k", "v")).startswith("{Path:p Key:k Value:v ")
    assert spew_sprintf("%v %d %s %v", KeyPair("p", "k", "v"), 3, "s").startswith("{p k v ")
    assert spew_sprintf("%v %v", 1) == "1 %!v(MISSING)"


def test_spew_dump_and_printf_write_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert spew_dump(1, "a") == ""
    assert (
        content(
            '{{ spew_printf "%v|%#v\\n" nil 1 }}{{ spewDump "b" }}{{ spew_sdump "c" }}', data={}
        )
        == '(string) (len=1) "c"\n'
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == '(int) 1\n(string) (len=1) "a"\n<nil>|(int)1\n(string) (len=1) "b"\n'
    assert (
        content('{{ spew_sprintf("%v", [1, 2]) }} {{ [1] | spew_sdump }}', "t.j2")
        == "[1 2] ([]int) (len=1 cap=1) {\n (int) 1\n}\n"
    )


# --- writeToFile -------------------------------------------------------------------------------


def writes_of(
    text: str, name: str = "t.ctmpl", data: dict[str, Any] | None = None, **kwargs: Any
) -> list[FileWrite]:
    outcome = template(text, name, **kwargs).render(Data(data))
    assert outcome.error is None, outcome.error
    assert outcome.content is not None
    return outcome.writes


async def test_write_to_file_replaces_with_perms(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "cert.key"
    text = f'{{{{ key "k" | writeToFile "{dest}" "" "" "0600" }}}}rendered'
    outcome = template(text).render(Data({"kv.get(k)": KeyPair("k", "k", "secret")}))
    assert outcome.content == "rendered" and not dest.exists()  # deferred until put in place
    assert await put_writes(outcome.writes) == ""
    assert dest.read_text() == "secret"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    writes = writes_of(f'{{{{ "new" | writeToFile "{dest}" "" "" "0640" }}}}')
    assert await put_writes(writes) == ""
    assert dest.read_text() == "new" and stat.S_IMODE(dest.stat().st_mode) == 0o640


async def test_write_to_file_appends_with_newline_and_owner(tmp_path: Path) -> None:
    dest = tmp_path / "log.txt"
    uid, gid = str(os.getuid()), str(os.getgid())
    text = f'{{{{ "a" | writeToFile "{dest}" "{uid}" "{gid}" "0644" "append,newline" }}}}{{{{ "b" | writeToFile "{dest}" "" "" "0644" "append" }}}}'
    for _ in range(2):
        assert await put_writes(writes_of(text)) == ""
    assert dest.read_text() == "a\nba\nb"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    jinja = f'{{{{ "c" | writeToFile("{dest}", "", "", "0644", "append,newline") }}}}{{{{ write_to_file("{dest}", "", "", 0o600, "append", "d") }}}}'
    assert await put_writes(writes_of(jinja, "t.j2")) == ""
    assert dest.read_text() == "a\nba\nbc\nd" and stat.S_IMODE(dest.stat().st_mode) == 0o600


async def test_write_to_file_dry_prints(tmp_path: Path) -> None:
    dest = tmp_path / "f"
    out = io.StringIO()
    writes = writes_of(f'{{{{ "x" | writeToFile "{dest}" "" "" "0644" "newline" }}}}')
    assert await put_writes(writes, dry=True, stdout=out) == ""
    assert out.getvalue() == f"> {dest} (writeToFile)\nx\n" and not dest.exists()


async def test_write_to_file_failure_is_reported(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    writes = writes_of(f'{{{{ "x" | writeToFile "{tmp_path}/file/below" "" "" "0644" }}}}')
    assert "writeToFile" in await put_writes(writes)


def test_write_to_file_is_not_collected_from_incomplete_or_failed_passes(tmp_path: Path) -> None:
    dest = tmp_path / "f"
    missing = template(f'{{{{ key "k" | writeToFile "{dest}" "" "" "0644" }}}}').render(Data())
    assert missing.missing and missing.writes == []
    failed = template(
        f'{{{{ "x" | writeToFile "{dest}" "" "" "0644" }}}}{{{{ index .Nope 1 }}}}'
    ).render(Data())
    assert failed.error is not None and failed.writes == []
    assert Outcome().writes == []


def test_write_to_file_argument_errors_and_sandbox(tmp_path: Path) -> None:
    inside = tmp_path / "ok"
    sandboxed = {"sandbox_path": str(tmp_path)}
    assert [
        w.path
        for w in writes_of(f'{{{{ "x" | writeToFile "{inside}" "" "" "0644" }}}}', **sandboxed)
    ] == [str(inside)]
    assert "outside the sandbox" in error(
        '{{ "x" | writeToFile "/etc/evil" "" "" "0644" }}', **sandboxed
    )
    (tmp_path / "link").symlink_to("/etc")
    assert "outside the sandbox" in error(
        f'{{{{ "x" | writeToFile "{tmp_path}/link/evil" "" "" "0644" }}}}', **sandboxed
    )
    assert "outside the sandbox" in error(
        '{{ write_to_file("/var/evil", "", "", "0644", "x") }}', "t.j2", **sandboxed
    )
    assert "invalid permissions" in error(f'{{{{ "x" | writeToFile "{inside}" "" "" "rw" }}}}')
    assert "unknown user" in error(
        f'{{{{ "x" | writeToFile "{inside}" "no-such-user-here" "" "0644" }}}}'
    )
    assert "unknown group" in error(
        f'{{{{ "x" | writeToFile "{inside}" "" "no-such-group-here" "0644" }}}}'
    )
    assert "wrong number of arguments" in error(f'{{{{ writeToFile "{inside}" "" "" "0644" }}}}')
    for name in ("writeToFile", "write_to_file"):
        assert "denied" in error(
            f'{{{{ "x" | writeToFile "{inside}" "" "" "0644" }}}}', function_denylist=(name,)
        )
        assert "denied" in error(
            f'{{{{ "x" | writeToFile("{inside}", "", "", "0644") }}}}',
            "t.j2",
            function_denylist=(name,),
        )


# --- plugin ------------------------------------------------------------------------------------

PY = sys.executable


def test_plugin_runs_a_program_and_returns_its_trimmed_stdout() -> None:
    script = "import sys; print(repr(sys.argv[1:]), repr(sys.stdin.read()))"
    text = f'{{{{ plugin "{PY}" "-c" "{script}" "  spaced  " "" "last" }}}}'
    assert content(text) == "['spaced', 'last'] ''"
    assert (
        content(f'{{{{ "piped" | plugin "{PY}" "-c" "import sys; print(sys.argv[1])" }}}}')
        == "piped"
    )
    jinja = f'{{{{ "x" | plugin("{PY}", "-c", "import sys; print(sys.argv[1] * 2)") }}}}|{{{{ plugin() }}}}'
    assert content(jinja, "t.j2") == "xx|"


def test_plugin_failures() -> None:
    failing = error(
        f'{{{{ plugin "{PY}" "-c" "import sys; print(1); sys.stderr.write(2 * chr(33)); sys.exit(3)" }}}}'
    )
    assert "exit status 3" in failing and "stdout:\n\n1\n" in failing and "stderr:\n\n!!" in failing
    assert "exec 'no-such-plugin-here'" in error('{{ plugin "no-such-plugin-here" }}')
    with pytest.raises(RuntimeError, match=r"did not finish in 0\.3s"):
        run_plugin(PY, ("-c", "import time; time.sleep(30)"), timeout=0.3)
    assert "denied" in error('{{ plugin "true" }}', function_denylist=("plugin",))


def test_plugin_is_not_run_while_the_pass_lacks_data(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f'{{{{ key "k" }}}}{{{{ plugin "{PY}" "-c" "open(\'{marker}\', \'a\').write(\'x\')" }}}}'
    t = template(text)
    assert t.render(Data()).missing and not marker.exists()
    assert t.render(Data({"kv.get(k)": KeyPair("k", "k", "v")})).content == "v"
    assert marker.read_text() == "x"
