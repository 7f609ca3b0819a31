"""envconsul's config and flags against a live agent with real child processes."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.agents import AgentThread, wait_for
from tests.envd.conftest import CHILD, Envd, records
from tests.procs import alive

DUMP = str(Path(__file__).parent / "env_dump.py")


def child_env(envd: Envd, *args: str) -> dict[str, str]:
    """Run envd -once with a child printing its environment; that environment."""
    result = envd.run("-once", *args, "--", sys.executable, DUMP)
    assert result.returncode == 0, result.stderr
    env: dict[str, str] = json.loads(result.stdout)
    return env


def test_prefix_format_with_replace_key(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/fmt/app/db-host", content=b"h1")
    api.put("/v1/kv/fmt/app/secret_id", content=b"s1")
    (tmp_path / "f.hcl").write_text(
        "upcase = true\n"
        'prefix {\n  path = "fmt/app"\n  no_prefix = false\n'
        '  format = "{{ key | replaceKey \\"-\\" \\"_\\" }}"\n}\n'
        'prefix {\n  path = "/fmt/app"\n'
        '  format = "NOMAD_{{ key | replaceKey `secret_id` `token` }}"\n}\n'
    )
    out = envd.run("-config", str(tmp_path / "f.hcl"), "-format", "json")
    assert json.loads(out.stdout) == {
        "FMT_APP_DB_HOST": "h1",  # path prefix first, then the format, then upcase
        "FMT_APP_SECRET_ID": "s1",
        "NOMAD_DB-HOST": "h1",  # no sanitize: the dash stays
        "NOMAD_TOKEN": "s1",
    }, out.stderr
    out = envd.run("-prefix", "fmt/app", "-no-prefix=false", "-sanitize", "-format", "dotenv")
    assert out.stdout == "fmt_app_db_host=h1\nfmt_app_secret_id=s1\n", out.stderr


def test_service_formats(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/agent/service/register",
            json={"Name": "pay", "ID": "pay-1", "Port": 9000, "Address": "10.2.2.2",
                  "Tags": ["blue", "v2"]})  # fmt: skip
    out = envd.run("-service-query", "pay", "-service-format-id", "{{ service }}_instance",
                   "-service-format-port", "PAY_{{ key }}", "-format", "json")  # fmt: skip
    assert json.loads(out.stdout) == {
        "pay_instance": "pay-1",
        "pay/name": "pay",
        "pay/address": "10.2.2.2",
        "pay/tag": "blue,v2",
        "PAY_port": "9000",
        "pay/addresses": "10.2.2.2:9000",
    }, out.stderr
    (tmp_path / "s.hcl").write_text(
        'upcase = true\nsanitize = true\nservice {\n  query = "pay"\n'
        '  format_address = "{{ service }}_host"\n  format_tag = "pay-tags"\n}\n'
    )
    got = json.loads(envd.run("-config", str(tmp_path / "s.hcl"), "-format", "json").stdout)
    assert got["PAY_HOST"] == "10.2.2.2" and got["PAY_TAGS"] == "blue,v2"
    assert got["PAY_ID"] == "pay-1"  # the default names stay envconsul's


def test_exec_env_lists_custom_and_pristine(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/xenv/APP_MODE", content=b"prod")
    api.put("/v1/kv/xenv/APP_SECRET", content=b"s3")
    api.put("/v1/kv/xenv/OTHER", content=b"o")
    envd.env |= {"APP_INHERITED": "yes", "SECRET_INHERITED": "no"}
    (tmp_path / "e.hcl").write_text(
        "exec {\n  env {\n"
        '    allowlist = ["APP_*", "PATH"]\n'
        '    denylist = ["*SECRET*"]\n'
        '    custom = ["EXTRA=1", "APP_SECRET=from custom"]\n'
        "  }\n}\n"
    )
    got = child_env(envd, "-config", str(tmp_path / "e.hcl"), "-prefix", "xenv")
    assert got == {
        "APP_MODE": "prod",
        "APP_INHERITED": "yes",  # the lists filter envd's own environment too
        "PATH": os.environ["PATH"],
        "EXTRA": "1",
        "APP_SECRET": "from custom",  # custom entries go in whatever the lists say
    }
    got = child_env(envd, "-pristine", "-config", str(tmp_path / "e.hcl"), "-prefix", "xenv")
    assert got == {"APP_MODE": "prod", "EXTRA": "1", "APP_SECRET": "from custom"}
    (tmp_path / "p.hcl").write_text("exec {\n  env {\n    pristine = true\n  }\n}\n")
    got = child_env(envd, "-config", str(tmp_path / "p.hcl"), "-prefix", "xenv")
    assert got == {"APP_MODE": "prod", "APP_SECRET": "s3", "OTHER": "o"}


def test_pid_file_lifecycle(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/pid/VALUE", content=b"one")
    pid_file, log = tmp_path / "envd.pid", tmp_path / "child.log"
    proc = envd.start("-pid-file", str(pid_file), "-prefix", "pid", sys.executable, CHILD,
                      str(log))  # fmt: skip
    wait_for(lambda: records(log))
    assert pid_file.read_text() == f"{proc.pid}\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 128 + signal.SIGTERM
    assert not pid_file.exists()
    # stopped before the child ever started (Consul unreachable): the pid file still goes
    proc = envd.start("-consul-addr", "127.0.0.1:1", "-pid-file", str(pid_file), "-prefix",
                      "pid", sys.executable, CHILD, str(log))  # fmt: skip
    wait_for(pid_file.exists)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 128 + signal.SIGINT
    assert not pid_file.exists()


def test_wait_makes_a_burst_one_restart(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/burst/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start("-wait", "3s:30s", "-prefix", "burst", sys.executable, CHILD, str(log))
    first = wait_for(lambda: records(log))[0]
    assert first["value"] == "one"
    for value in (b"two", b"three", b"four"):  # each well within the quiet time of the last
        api.put("/v1/kv/burst/VALUE", content=value)
        time.sleep(0.3)
    wait_for(lambda: [r for r in records(log) if r.get("value") == "four"])
    time.sleep(1.5)  # room for any further restart
    assert [r["value"] for r in records(log) if "value" in r] == ["one", "four"]
    assert not alive(first["pid"])
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)


def test_wait_delays_the_first_start(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/first/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start("-log-level", "debug", "-wait", "1500ms:20s", "-prefix", "first",
                      sys.executable, CHILD, str(log))  # fmt: skip
    assert proc.stderr is not None
    lines: list[str] = []

    def read() -> None:
        for line in proc.stderr or ():
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    wait_for(lambda: any("new data" in line for line in lines))  # envd has its data
    for value in (b"two", b"three"):  # still quiet time: no child yet
        api.put("/v1/kv/first/VALUE", content=value)
    first = wait_for(lambda: records(log))[0]
    assert first["value"] == "three"
    time.sleep(1.0)  # room for a restart that must not happen
    assert len(records(log)) == 1
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)


def test_reload_signal_restarts_the_child(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/rs/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start("-prefix", "rs", "-reload-signal", "SIGHUP", sys.executable, CHILD, str(log))
    first = wait_for(lambda: records(log))[0]
    proc.send_signal(signal.SIGHUP)  # envconsul's reload: a new child, not a signalled one
    second = wait_for(lambda: [r for r in records(log) if r["pid"] != first["pid"]])[0]
    assert second["value"] == "one" and not alive(first["pid"])
    assert not [r for r in records(log) if "signal" in r]
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)


def test_config_warnings_and_errors(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/warn/x", content=b"1")
    (tmp_path / "w.hcl").write_text(
        'colour = "blue"\nvault {\n  address = "https://vault:8200"\n}\n'
        'prefix {\n  path = "warn"\n}\n'
    )
    out = envd.run("-config", str(tmp_path / "w.hcl"), "-format", "dotenv")
    assert out.returncode == 0 and out.stdout == "x=1\n"
    assert 'unknown key "colour" ignored' in out.stderr
    assert "vault: Vault is not supported (envd reads Consul only); ignored" in out.stderr
    (tmp_path / "bad.hcl").write_text('prefix {\n  path = "warn"\n}\nwait = "soon"\n')
    out = envd.run("-config", str(tmp_path / "bad.hcl"), "-format", "dotenv")
    assert out.returncode == 1 and out.stderr.startswith("envd: wait: ")
    (tmp_path / "bad2.hcl").write_text('prefix {\n  path = "warn"\n  format = "{{ keys }}"\n}\n')
    out = envd.run("-config", str(tmp_path / "bad2.hcl"), "-format", "dotenv")
    assert out.returncode == 1
    assert out.stderr == 'envd: prefix[0].format: function "keys" not defined, in {{ keys }}\n'
    out = envd.run("-pid-file", str(tmp_path / "no" / "such.pid"), "-prefix", "warn", "-format",
                   "dotenv")  # fmt: skip
    assert out.returncode == 1 and "envd: pid_file: cannot write" in out.stderr


def test_an_envconsul_config_runs(
    envd: Envd, api: httpx.Client, tmp_path: Path, live: AgentThread
) -> None:
    api.put("/v1/kv/readme/global/A", content=b"1")
    api.put("/v1/kv/readme/global/B", content=b"1")
    api.put("/v1/kv/readme/redis/A", content=b"2")
    pid_file = tmp_path / "envconsul.pid"
    (tmp_path / "envconsul.hcl").write_text(f"""\
consul {{
  address = "{live.http_addr}"
  retry {{
    attempts = 12
  }}
}}
exec {{
  command = "{sys.executable} {DUMP}"
  splay = "0s"
  env {{
    pristine = true
    custom = ["GREETING=hello"]
  }}
  kill_signal = "SIGTERM"
  kill_timeout = "2s"
}}
log_level = "warn"
max_stale = "10m"
pid_file = "{pid_file}"
kill_signal = "SIGINT"
reload_signal = "SIGHUP"
upcase = true
wait {{
  min = "100ms"
  max = "1s"
}}
prefix {{
  path = "readme/global"
}}
prefix {{
  path = "readme/redis"
  format = "prod_{{{{ key }}}}"
}}
secret {{
  path = "secret/creds"
}}
syslog {{
  enabled = true
}}
""")
    envd.env.pop("CONSUL_HTTP_ADDR")
    out = envd.run("-once", "-config", str(tmp_path / "envconsul.hcl"))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    got.pop("PWD", None)  # the command is a string, run by sh, which sets it
    assert got == {"A": "1", "B": "1", "PROD_A": "2", "GREETING": "hello"}
    assert not pid_file.exists()
    assert "secret: Vault secrets are not supported" in out.stderr
    assert "syslog: syslog is not supported" in out.stderr
    assert "consul.retry: not supported" in out.stderr
