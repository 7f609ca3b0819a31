"""envd's config against envconsul's keys and flags, without an agent."""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Any

import pytest

from envd import flags
from envd.childenv import ExecEnv
from envd.config import Config, ConfigError, load

# Every block of envconsul's documented configuration, as its README shows it.
ENVCONSUL_EXAMPLE = """\
# Consul connection
consul {
  auth {
    enabled  = true
    username = "test"
    password = "test"
  }
  address = "127.0.0.1:8500"
  token = "abcd1234"
  retry {
    enabled = true
    attempts = 12
    backoff = "250ms"
    max_backoff = "1m"
  }
  ssl {
    enabled = true
    verify = false
    cert = "/path/to/client/cert"
    key = "/path/to/client/key"
    ca_cert = "/path/to/ca"
    ca_path = "path/to/certs/"
    server_name = "my-server.com"
  }
}

exec {
  command = "/usr/bin/app"
  splay = "5s"
  env {
    pristine = false
    custom = ["PATH=$PATH:/etc/myapp/bin"]
    allowlist = ["CONSUL_*"]
    denylist = ["VAULT_*"]
  }
  reload_signal = ""
  kill_signal = "SIGINT"
  kill_timeout = "2s"
}

log_level = "warn"
max_stale = "10m"
pid_file = "/path/to/pid"
pristine = false

prefix {
  path = "foo/bar"
  format = "custom_{{ key }}"
  no_prefix = false
}

reload_signal = "SIGHUP"
kill_signal = "SIGINT"
sanitize = false

secret {
  no_prefix = true
  path = "secret/foo"
  key {
    name = "username"
    format = "foo_{{ key }}"
  }
}

service {
  query = "my-service"
  format_id = "{{ service }}_{{ key }}"
}

syslog {
  enabled = true
  facility = "LOCAL5"
}

upcase = true

vault {
  address = "https://vault.service.consul:8200"
  token = "abcd1234"
  renew_token = true
  ssl {
    enabled = true
    verify = true
  }
}

wait {
  min = "5s"
  max = "10s"
}
"""


def load_args(*argv: str) -> Config:
    given, command = flags.parse(list(argv))
    return load(given, command)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_envconsuls_example_loads_unchanged(tmp_path: Path) -> None:
    cfg = load_args("-config", write(tmp_path, "envconsul.hcl", ENVCONSUL_EXAMPLE))
    assert [w.split(": ", 1)[1] for w in cfg.warnings] == [
        "consul.retry: not supported: envd retries Consul forever as a daemon, "
        "4 times with -once or -format; ignored",
        "secret: Vault secrets are not supported (envd reads Consul only); ignored",
        "syslog: syslog is not supported (envd logs to standard error); ignored",
        "vault: Vault is not supported (envd reads Consul only); ignored",
    ]
    assert cfg.command == ("/bin/sh", "-c", "/usr/bin/app")
    assert (cfg.upcase, cfg.sanitize, cfg.max_stale, cfg.wait) == (True, False, 600.0, (5.0, 10.0))
    assert cfg.pid_file == "/path/to/pid"
    assert cfg.kill_signal == cfg.exec_kill_signal == signal.SIGINT
    assert cfg.reload_signal == signal.SIGHUP and cfg.exec_reload_signal is None
    assert (cfg.exec_splay, cfg.exec_kill_timeout) == (5.0, 2.0)
    assert cfg.exec_env == ExecEnv(
        pristine=False,
        custom=(("PATH", "$PATH:/etc/myapp/bin"),),
        allowlist=("CONSUL_*",),
        denylist=("VAULT_*",),
    )
    (prefix,) = cfg.prefixes
    assert (prefix.path, prefix.no_prefix) == ("foo/bar", False)
    assert prefix.format is not None and prefix.format.source == "custom_{{ key }}"
    (service,) = cfg.services
    assert service.query == "my-service"
    assert service.formats.get("id").source == "{{ service }}_{{ key }}"
    assert service.formats.get("port").source == "{{ service }}/port"
    client = cfg.client
    assert (client.scheme, client.host, client.port, client.token) == (
        "https", "127.0.0.1", 8500, "abcd1234"
    )  # fmt: skip
    assert client.http_auth == ("test", "test") and client.tls_verify is False
    assert (client.ca_file, client.client_cert, client.tls_server_name) == (
        "/path/to/ca", "/path/to/client/cert", "my-server.com"
    )  # fmt: skip


def test_the_same_keys_in_json(tmp_path: Path) -> None:
    doc = (
        '{"upcase": true, "prefix": [{"path": "a", "format": "x_{{ key }}"}, {"path": "b"}],'
        ' "service": {"query": "web", "format_port": "WEB_PORT"}, "wait": "2s",'
        ' "exec": {"command": ["/bin/app", "-v"], "env": {"custom": ["A=1"]}}}'
    )
    cfg = load_args("-config", write(tmp_path, "c.json", doc))
    assert [p.path for p in cfg.prefixes] == ["a", "b"] and cfg.wait == (2.0, 8.0)
    assert cfg.services[0].formats.get("port").source == "WEB_PORT"
    assert cfg.command == ("/bin/app", "-v") and cfg.exec_env.custom == (("A", "1"),)


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    text = (
        'colour = "blue"\nexec {\n  command = "x"\n  env {\n    alowlist = ["A"]\n  }\n}\n'
        'prefix {\n  path = "p"\n  formt = "{{ key }}"\n}\nconsul = "10.0.0.1:8500"\n'
    )
    cfg = load_args("-config", write(tmp_path, "u.hcl", text))
    name = str(tmp_path / "u.hcl")
    assert cfg.warnings == (
        f'{name}: consul = "..." is deprecated; use consul {{ address }}',
        f'{name}: unknown key "colour" ignored',
        f'{name}: unknown key "exec.env.alowlist" ignored',
        f'{name}: unknown key "prefix.formt" ignored',
    )
    assert cfg.client.host == "10.0.0.1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('wait = "soon"', "wait: "),
        ('wait {\n  min = "10s"\n  max = "5s"\n}', "wait: max (5s) must be at least min (10s)"),
        ('max_stale = "-1s"', "max_stale: negative duration"),
        ('kill_signal = "SIGNOPE"', "kill_signal: unknown signal 'SIGNOPE'"),
        ('reload_signal = "SIGKILL"', "reload_signal: SIGKILL cannot be caught"),
        ("exec {\n  kill_signal = 999\n}", "exec.kill_signal: unknown signal 999"),
        ('exec {\n  kill_timeout = "forever"\n}', "exec.kill_timeout: "),
        ('exec {\n  env {\n    custom = ["NOVALUE"]\n  }\n}', "exec.env.custom: 'NOVALUE'"),
        ('exec {\n  env {\n    allowlist = "A"\n    denylist = [1]\n  }\n}', "exec.env.denylist"),
        ('prefix {\n  path = "p"\n  format = "{{ nope }}"\n}', "prefix[1].format: function"),
        ('prefix {\n  path = "p"\n  no_prefix = "maybe"\n}', "prefix[1].no_prefix: "),
        ("prefix {\n  format = 1\n}", "prefix[1].path is required"),
        ('service {\n  query = "web"\n  format_tag = "{{ key"\n}', "service[0].format_tag"),
        ("service {\n  format_id = 1\n}", "service[0].query is required"),
        ('service {\n  query = "bad name!"\n}', "service[0].query: "),
        ("upcase = 3", "upcase: "),
        ("pid_file = 3", "pid_file: must be a string"),
        ('consul {\n  ssl = "yes"\n}', "consul.ssl: must be a block"),
    ],
)
def test_invalid_values_name_their_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.hcl", 'prefix {\n  path = "ok"\n}\n' + text + "\n")
    with pytest.raises(ConfigError, match="^" + re.escape(message)):
        load_args("-config", path, "-format", "json")


def test_flags_win_and_name_themselves(tmp_path: Path) -> None:
    path = write(tmp_path, "f.hcl", 'wait = "1s"\nmax_stale = "1m"\npid_file = "a"\n')
    cfg = load_args("-config", path, "-wait", "2s:3s", "-max-stale", "0", "-pid-file", "b",
                    "-prefix", "p", "env")  # fmt: skip
    assert (cfg.wait, cfg.max_stale, cfg.pid_file) == ((2.0, 3.0), 0.0, "b")
    with pytest.raises(ConfigError, match=r"^-kill-signal: unknown signal"):
        load_args("-prefix", "p", "-kill-signal", "NOPE", "env")
    with pytest.raises(ConfigError, match=r"^-service: "):
        load_args("-service", "bad name!", "env")
    with pytest.raises(flags.UsageError, match='invalid value "3s:1s" for flag -wait'):
        load_args("-prefix", "p", "-wait", "3s:1s", "env")


def test_service_flags(tmp_path: Path) -> None:
    path = write(tmp_path, "s.hcl", 'service {\n  query = "db"\n  format_id = "DB_ID"\n}\n')
    cfg = load_args("-config", path, "-service-query", "web", "-service", "api",
                    "-service-format-port", "{{ service }}_PORT", "env")  # fmt: skip
    assert [s.query for s in cfg.services] == ["db", "web", "api"]
    for service in cfg.services:  # a format flag applies to every service
        assert service.formats.get("port").source == "{{ service }}_PORT"
    assert cfg.services[0].formats.get("id").source == "DB_ID"
    assert cfg.services[1].formats.get("id").source == "{{ service }}/id"


def test_prefix_paths_read_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    path = write(tmp_path, "p.hcl", 'prefix {\n  path = "/apps/{{ env \\"APP_ENV\\" }}/web"\n}\n')
    cfg = load_args("-config", path, "-prefix", '{{ env "APP_ENV" }}/x', "env")
    assert [p.path for p in cfg.prefixes] == ["apps/prod/web", "prod/x"]


def test_pristine_from_either_key(tmp_path: Path) -> None:
    def pristine(text: str, *argv: str) -> Any:
        path = write(tmp_path, "x.hcl", text)
        return load_args("-config", path, "-prefix", "p", *argv, "env").exec_env.pristine

    assert pristine("pristine = true\n") is True
    assert pristine("exec {\n  env {\n    pristine = true\n  }\n}\n") is True
    assert pristine("pristine = true\n", "-pristine=false") is False
    assert pristine("upcase = true\n") is False
