"""``templated -once`` against a live agent: named templates over KV data, writeToFile with it."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.templated.runner import KV, Templated

TEMPLATE = """\
{{- define "upstream" -}}
upstream {{ .name }} {
{{- range tree (printf "apps/%s/servers" .name) }}
  server {{ .Value }};
{{- end }}
}
{{ end -}}
{{- define "app" }}{{ template "upstream" (parseJSON (printf `{"name": %q}` .)) }}{{ end -}}
{{- range ls "apps/enabled" }}{{ template "app" .Key }}{{ end -}}
{{- block "footer" (key "apps/footer") }}# {{ . }}{{ end }}
{{ executeTemplate "footer" "again" | toUpper }}
{{ executeTemplate "app" "api" | writeToFile "side/api.conf" "" "" "0600" }}
"""


def test_named_templates_render_kv_data_once(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("apps/enabled/shop", "")
    kv.put("apps/enabled/api", "")
    kv.put("apps/shop/servers/a", "10.0.0.1:80")
    kv.put("apps/shop/servers/b", "10.0.0.2:80")
    kv.put("apps/api/servers/a", "10.0.1.1:8080")
    kv.put("apps/footer", "generated")
    (tmp_path / "nginx.ctmpl").write_text(TEMPLATE)
    result = tpl("-template", "nginx.ctmpl:nginx.conf", "-once", "-missing-timeout", "20s")
    assert result.returncode == 0, result.stderr
    api = "upstream api {\n  server 10.0.1.1:8080;\n}\n"
    shop = "upstream shop {\n  server 10.0.0.1:80;\n  server 10.0.0.2:80;\n}\n"
    assert (tmp_path / "nginx.conf").read_text() == f"{api}{shop}# generated\n# AGAIN\n\n"
    side = tmp_path / "side" / "api.conf"
    assert side.read_text() == api and stat.S_IMODE(side.stat().st_mode) == 0o600
    side.unlink()
    dry = tpl("-template", "nginx.ctmpl:other.conf", "-once", "-dry")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.endswith(f"> side/api.conf (writeToFile)\n{api}")
    assert not side.exists() and not (tmp_path / "other.conf").exists()
