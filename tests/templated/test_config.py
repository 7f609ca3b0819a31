"""Flags (Go style), config files (TOML, HCL, JSON, directories), merging and validation."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from templated.config import WaitConfig, load, parse_signal, parse_template_flag, parse_wait
from templated.errors import ConfigError, UsageError
from templated.flags import FLAGS, parse


def test_go_style_flags() -> None:
    given = parse(
        ["-template", "a:b", "--template=c:d:cmd x", "-once", "-dry=false", "--wait", "1s:3s",
         "-consul-retry-attempts=3", "-max-stale", "10m", "-v"]
    )  # fmt: skip
    assert given == {
        "template": ["a:b", "c:d:cmd x"],
        "once": True,
        "dry": False,
        "wait": "1s:3s",
        "consul-retry-attempts": 3,
        "max-stale": 600.0,
        "version": True,
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-nope"], "flag provided but not defined: -nope"),
        (["-template"], "flag needs an argument: -template"),
        (["-once=maybe"], 'invalid boolean value "maybe"'),
        (["-max-stale", "soon"], 'invalid value "soon" for flag -max-stale'),
        (["stray"], "unexpected argument"),
    ],
)
def test_flag_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse(argv)


def test_every_issue_flag_exists() -> None:
    names = {f.name for f in FLAGS}
    for name in (
        "template", "once", "dry", "wait", "exec", "exec-kill-signal", "exec-reload-signal",
        "exec-splay", "config", "consul-addr", "consul-token", "consul-retry",
        "consul-retry-attempts", "consul-retry-backoff", "consul-retry-max-backoff",
        "max-stale", "log-level", "pid-file", "kill-signal", "reload-signal", "parse-only",
        "syntax", "check", "explain",
    ):  # fmt: skip
        assert name in names


def test_template_flag() -> None:
    assert parse_template_flag("in:out") == {"source": "in", "destination": "out"}
    assert parse_template_flag("in:out:a:b c") == {
        "source": "in",
        "destination": "out",
        "command": "a:b c",
    }
    with pytest.raises(ConfigError):
        parse_template_flag("in")


def test_wait_and_signals() -> None:
    assert parse_wait("2s") == WaitConfig(2.0, 8.0)
    assert parse_wait("2s:3s") == WaitConfig(2.0, 3.0)
    assert parse_wait({"min": "1s", "max": "5s"}) == WaitConfig(1.0, 5.0)
    assert parse_wait(None) is None
    with pytest.raises(ConfigError, match="max"):
        parse_wait("5s:1s")
    assert parse_signal("SIGHUP", "x") == signal.SIGHUP
    assert parse_signal("usr1", "x") == signal.SIGUSR1
    assert parse_signal("15", "x") == 15 and parse_signal("", "x") is None
    with pytest.raises(ConfigError, match="unknown signal"):
        parse_signal("SIGNOPE", "x")


HCL = """
consul {
  address = "10.0.0.1:8500"
  token   = "secret"
  retry {
    attempts    = 3
    backoff     = "1s"
    max_backoff = "10s"
  }
}
max_stale = "10m"
wait { min = "2s" }
template {
  source      = "a.ctmpl"
  destination = "/tmp/a"
  perms       = 0600
  command     = ["systemctl", "reload", "x"]
  wait { min = "1s" max = "2s" }
}
template {
  contents    = "{{ key \\"x\\" }}"
  destination = "/tmp/b"
  exec { command = "true" timeout = "5s" }
}
exec {
  command       = "app"
  reload_signal = "SIGHUP"
  splay         = "3s"
  env { pristine = true custom = ["A=1"] }
}
vault { address = "ignored" }
"""


def test_hcl_config(tmp_path: Path) -> None:
    (tmp_path / "c.hcl").write_text(HCL)
    config = load({"config": [str(tmp_path / "c.hcl")]}, environ={})
    assert config.client.address == "10.0.0.1:8500" and config.client.token == "secret"
    assert (config.retry.attempts, config.retry.backoff, config.retry.max_backoff) == (3, 1.0, 10.0)
    assert config.max_stale == 600.0 and config.wait == WaitConfig(2.0, 8.0)
    a, b = config.templates
    assert a.perms == 0o600 and a.command == ("systemctl", "reload", "x")
    assert a.wait == WaitConfig(1.0, 2.0) and a.source == str(Path("a.ctmpl").resolve())
    assert b.contents == '{{ key "x" }}' and b.command == "true" and b.command_timeout == 5.0
    assert config.exec is not None and config.exec.reload_signal == signal.SIGHUP
    assert (
        config.exec.splay == 3.0 and config.exec.env_pristine and config.exec.env_custom == ("A=1",)
    )


def test_toml_json_directories_and_flags_on_top(tmp_path: Path) -> None:
    d = tmp_path / "conf.d"
    d.mkdir()
    (d / "10.toml").write_text(
        'log_level = "debug"\n[consul]\naddress = "a:1"\n'
        '[[template]]\nsource = "x"\ndestination = "y"\nperms = 0o640\n'
    )
    (d / "20.json").write_text('{"template": [{"source": "p", "destination": "q"}], "once": true}')
    (d / "ignored.txt").write_text("not config")
    config = load({"config": [str(d)], "consul-addr": "b:2", "template": ["m:n"]}, environ={})
    assert [t.destination for t in config.templates] == ["y", "q", "n"]
    assert config.templates[0].perms == 0o640
    assert config.client.address == "b:2" and config.log_level == "debug" and config.once
    assert config.missing_timeout == 60.0  # -once bounds the wait by default


def test_environment_is_the_default_address() -> None:
    config = load(
        {"template": ["a:b"]}, environ={"CONSUL_HTTP_ADDR": "e:9", "CONSUL_HTTP_TOKEN": "t"}
    )
    assert config.client.address == "e:9" and config.client.token == "t"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bogus = 1\n", "invalid key(s): bogus"),
        ('[[template]]\nsource = "a"\n', "destination is required"),
        ('[[template]]\ndestination = "a"\n', "one of source or contents"),
        ('[[template]]\nsource="a"\ncontents="b"\ndestination="c"\n', "cannot both be set"),
        ('[[template]]\nsource="a"\ndestination="c"\nsyntax="erb"\n', "syntax must be"),
        ('max_stale = "soon"\n', "max_stale"),
        ("= broken", "failed to parse"),
    ],
)
def test_config_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "c.toml").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load({"config": [str(tmp_path / "c.toml")]}, environ={})
