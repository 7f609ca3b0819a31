"""``templated -once`` against a live agent: the example, exit codes, missing data, syntaxes."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from tests.examples import EXAMPLES
from tests.templated.runner import KV, Templated


def test_example_renders_once(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("apps/ecommerce/environment", "production")
    kv.put("apps/ecommerce/version", "4.5")
    shutil.copy(EXAMPLES / "config.json.tpl", tmp_path)
    result = tpl("-template", "config.json.tpl:./config.json", "-once")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "config.json").read_text() == "environment: production\nversion: 4.5\n"
    assert stat.S_IMODE((tmp_path / "config.json").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_once_runs_the_command_only_when_content_changed(
    tpl: Templated, kv: KV, tmp_path: Path
) -> None:
    kv.put("k", "v1")
    (tmp_path / "in.tmpl").write_text('{{ key "k" }}\n')
    args = ("-template", "in.tmpl:out:echo ran >> runs.log", "-once")
    assert tpl(*args).returncode == 0
    assert tpl(*args).returncode == 0  # unchanged: no command
    assert (tmp_path / "runs.log").read_text() == "ran\n"
    kv.put("k", "v2")
    assert tpl(*args).returncode == 0
    assert (tmp_path / "out").read_text() == "v2\n"
    assert (tmp_path / "runs.log").read_text() == "ran\nran\n"


def test_once_exit_codes(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("k", "v")
    (tmp_path / "ok.tmpl").write_text('{{ key "k" }}')
    (tmp_path / "bad.tmpl").write_text("{{ if }}")
    (tmp_path / "boom.tmpl").write_text('{{ index (parseJSON (key "k")) "x" }}')
    usage = tpl("-nope")
    assert usage.returncode == 13 and "flag provided but not defined: -nope" in usage.stderr
    assert tpl("-once").returncode == 15  # no templates
    assert tpl("-template", "nowhere.tmpl:out", "-once").returncode == 15
    config = tpl("-config", str(tmp_path / "missing.hcl"), "-once")
    assert config.returncode == 15 and "missing.hcl" in config.stderr
    parse = tpl("-template", "bad.tmpl:out", "-once")
    assert parse.returncode == 14 and "bad.tmpl:1" in parse.stderr
    render = tpl("-template", "boom.tmpl:out", "-once")
    assert render.returncode == 14 and "parseJSON" in render.stderr
    failing = tpl("-template", "ok.tmpl:out:exit 3", "-once")
    assert failing.returncode == 14 and "exited 3" in failing.stderr
    assert tpl("-template", "ok.tmpl:out", "-once", "-parse-only").returncode == 0
    assert not (tmp_path / "out2").exists()


def test_missing_key_fails_after_the_deadline_naming_the_key(
    tpl: Templated, kv: KV, tmp_path: Path
) -> None:
    kv.put("present", "yes")
    (tmp_path / "t.tmpl").write_text('{{ key "present" }} {{ key "absent/key" }}')
    result = tpl("-template", "t.tmpl:out", "-once", "-missing-timeout", "500ms")
    assert result.returncode == 16
    assert "kv.get(absent/key)" in result.stderr and "key does not exist" in result.stderr
    assert "present" not in result.stderr.split("no data for")[1]
    assert not (tmp_path / "out").exists()


def test_per_call_default_and_timeout_in_jinja(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text('{{ key("nope", default="fallback") }}\n')
    assert tpl("-template", "t.j2:out", "-once").returncode == 0
    assert (tmp_path / "out").read_text() == "fallback\n"
    (tmp_path / "u.j2").write_text('{{ key("nope", timeout="300ms") }}\n')
    result = tpl("-template", "u.j2:out2", "-once", "-missing-timeout", "1m")
    assert result.returncode == 16 and "after 0.3s" in result.stderr


def test_go_and_jinja_syntaxes_render_the_same_data(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    for key, value in (("app/db/host", "db1"), ("app/db/port", "5432"), ("app/name", "shop")):
        kv.put(key, value)
    (tmp_path / "a.ctmpl").write_text(
        '{{ range ls "app" }}{{ .Key }}={{ .Value }}\n{{ end }}'
        '{{- range tree "app/db" }}db.{{ .Key }}={{ .Value | toUpper }}\n{{ end -}}'
        '{{ with keyOrDefault "app/missing" "dflt" }}{{ . }}{{ end }}'
        '{{ if keyExists "app/name" }} yes{{ else }} no{{ end }}\n'
    )
    (tmp_path / "a.j2").write_text(
        "{% for p in ls('app') %}{{ p.Key }}={{ p.Value }}\n{% endfor %}"
        "{% for p in tree('app/db') %}db.{{ p.Key }}={{ p.Value | toUpper }}\n{% endfor %}"
        "{{ keyOrDefault('app/missing', 'dflt') }}"
        "{% if key_exists('app/name') %} yes{% else %} no{% endif %}\n"
    )
    (tmp_path / "plain.txt").write_text('{{ key "app/name" }}\n')
    result = tpl(
        "-template", "a.ctmpl:go.out", "-template", "a.j2:jinja.out",
        "-template", "plain.txt:plain.out", "-once",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = "name=shop\ndb.host=DB1\ndb.port=5432\ndflt yes\n"
    assert (tmp_path / "go.out").read_text() == expected
    assert (tmp_path / "jinja.out").read_text() == expected
    assert (tmp_path / "plain.out").read_text() == "shop\n"
    forced = tpl("-template", "a.j2:x.out", "-syntax", "go", "-once", "-missing-timeout", "1s")
    assert forced.returncode == 14  # Jinja's {% %} is not Go


def test_services_and_nodes(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.register({"Name": "web", "ID": "web1", "Port": 8080, "Tags": ["v1"], "Address": "10.0.0.5"})
    (tmp_path / "s.ctmpl").write_text(
        '{{ range service "v1.web" }}{{ .Name }} {{ .Address }}:{{ .Port }} {{ .Status }}\n'
        '{{ end }}{{ range services }}{{ .Name }}{{ if .Tags }} {{ join "," .Tags }}{{ end }}\n'
        "{{ end }}{{ range nodes }}{{ .Node }}\n{{ end }}{{ with node }}{{ .Node.Node }}{{ end }}"
        " {{ datacenters }}\n"
    )
    result = tpl("-template", "s.ctmpl:out", "-once", "-missing-timeout", "20s")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out").read_text() == (
        "web 10.0.0.5:8080 passing\nconsul\nweb v1\ntest-node\ntest-node [dc1]\n"
    )


def test_check_failure_keeps_the_old_file(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("conf", "good")
    (tmp_path / "t.tmpl").write_text('{{ key "conf" }}\n')
    check = "grep -q good {}"
    assert tpl("-template", "t.tmpl:out", "-check", check, "-once").returncode == 0
    assert (tmp_path / "out").read_text() == "good\n"
    kv.put("conf", "bad")
    result = tpl("-template", "t.tmpl:out:echo ran > ran", "-check", check, "-once")
    assert result.returncode == 14 and "left unchanged" in result.stderr
    assert (tmp_path / "out").read_text() == "good\n"
    assert not (tmp_path / "ran").exists()
    assert sorted(os.listdir(tmp_path)) == ["out", "t.tmpl"]  # the staged file is gone


def test_empty_guard(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    (tmp_path / "t.tmpl").write_text('{{ range ls "pool" }}{{ .Value }}\n{{ end }}')
    (tmp_path / "out").write_text("10.0.0.1\n")
    guarded = tpl("-template", "t.tmpl:out", "-once")
    assert guarded.returncode == 14 and "empty" in guarded.stderr
    assert (tmp_path / "out").read_text() == "10.0.0.1\n"
    allowed = tpl("-template", "t.tmpl:out", "-once", "-allow-empty")
    assert allowed.returncode == 0 and (tmp_path / "out").read_text() == ""


def test_dry_prints_and_writes_nothing(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("k", "v")
    (tmp_path / "t.tmpl").write_text('k={{ key "k" }}\n')
    result = tpl("-template", "t.tmpl:out:touch ran", "-once", "-dry")
    assert result.returncode == 0
    assert result.stdout == "> out\nk=v\n"
    assert not (tmp_path / "out").exists() and not (tmp_path / "ran").exists()


def test_config_files_hcl_and_toml(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("k", "v")
    (tmp_path / "t.tmpl").write_text('{{ key "k" }}')
    (tmp_path / "a.hcl").write_text(
        'template {\n  source = "t.tmpl"\n  destination = "hcl.out"\n  perms = 0600\n'
        '  command = "touch hcl.ran"\n}\nmax_stale = "10m"\n'
    )
    (tmp_path / "b.toml").write_text(
        '[[template]]\ncontents = "{{ key(\'k\') | upper }}"\ndestination = "toml.out"\n'
        "backup = true\n"
    )
    (tmp_path / "toml.out").write_text("old")
    result = tpl("-config", "a.hcl", "-config", "b.toml", "-once")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "hcl.out").read_text() == "v" and (tmp_path / "hcl.ran").exists()
    assert stat.S_IMODE((tmp_path / "hcl.out").stat().st_mode) == 0o600
    assert (tmp_path / "toml.out").read_text() == "V"
    assert (tmp_path / "toml.out.bak").read_text() == "old"
    (tmp_path / "c.hcl").write_text('template {\n  sourc = "x"\n}\n')
    bad = tpl("-config", "c.hcl", "-once")
    assert bad.returncode == 15 and "sourc" in bad.stderr


def test_explain_lists_dependencies_and_what_lacks_data(
    tpl: Templated, kv: KV, tmp_path: Path
) -> None:
    kv.put("a", "1")
    (tmp_path / "t.tmpl").write_text('{{ key "a" }}{{ key "b" }}{{ range service "web" }}{{ end }}')
    result = tpl("-template", "t.tmpl:out", "-explain", "-missing-timeout", "1s")
    assert result.returncode == 16
    lines = result.stdout.splitlines()
    assert lines[0].startswith("template ") and lines[0].endswith("(go)")
    assert any("kv.get(a)" in x and x.endswith("ok") for x in lines)
    assert any("kv.get(b)" in x and "key does not exist" in x for x in lines)
    assert any("health.service(web)" in x and x.endswith("ok") for x in lines)
    assert lines[-1].startswith("3 distinct dependencies (3 blocking queries)")
