"""templated's configuration: defaults, then ``-config`` files in order, then flags.

Keys are consul-template's (``consul {}``, ``template {}``, ``exec {}``, ``wait {}``,
``max_stale`` ...) plus templated's own (``syntax``, ``check``, ``allow_empty``,
``missing_timeout``, ``watch_files``). Unknown keys are an error naming the key, as in
consul-template; keys of consul-template features templated does not have (``vault``,
``syslog``, ``deduplicate`` ...) are accepted with a warning so migrated files still load.
:func:`load` returns an immutable :class:`Config`; every error is a
:class:`~templated.errors.ConfigError`.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnslkit.api.config import ClientConfig
from cnslkit.api.consul_block import client_from_block
from cnslkit.api.errors import ConfigError as ClientConfigError
from cnslkit.duration import parse_duration
from cnslkit.watch import RetryPolicy
from templated.configfile import load_path, merge
from templated.errors import ConfigError

__all__ = [
    "Config",
    "ExecConfig",
    "TemplateConfig",
    "WaitConfig",
    "load",
    "parse_signal",
    "parse_template_flag",
    "parse_wait",
]

log = logging.getLogger(__name__)

_IGNORED = frozenset(
    ("vault", "nomad", "syslog", "log_file", "deduplicate", "template_error_fatal", "namespace")
)
_TOP = frozenset(
    (
        "consul", "template", "exec", "wait", "max_stale", "block_query_wait", "log_level",
        "pid_file", "kill_signal", "reload_signal", "once", "dry", "parse_only", "explain",
        "syntax", "check", "allow_empty", "missing_timeout", "watch_files",
        "default_delimiters", "err_on_failed_lookup",
    )
) | _IGNORED  # fmt: skip
_TEMPLATE = frozenset(
    (
        "source", "contents", "destination", "command", "command_timeout", "exec", "perms",
        "backup", "wait", "left_delimiter", "right_delimiter", "error_on_missing_key",
        "error_fatal", "create_dest_dirs", "function_denylist", "function_blacklist",
        "sandbox_path", "syntax", "check", "allow_empty", "user", "group", "uid", "gid",
    )
)  # fmt: skip
_SYNTAXES = frozenset(("auto", "jinja", "go"))


@dataclass(frozen=True, slots=True)
class WaitConfig:
    """Quiescence: render ``min`` after the last change, no later than ``max`` after the first."""

    min: float = 0.0
    max: float = 0.0

    @property
    def enabled(self) -> bool:
        return self.min > 0


@dataclass(frozen=True, slots=True)
class TemplateConfig:
    destination: str
    source: str = ""
    contents: str | None = None
    command: str | tuple[str, ...] | None = None
    command_timeout: float = 30.0
    perms: int | None = None
    backup: bool = False
    wait: WaitConfig | None = None
    left_delimiter: str = "{{"
    right_delimiter: str = "}}"
    error_on_missing_key: bool = False
    create_dest_dirs: bool = True
    function_denylist: tuple[str, ...] = ()
    sandbox_path: str = ""
    syntax: str = "auto"
    check: str | None = None
    allow_empty: bool = False

    @property
    def name(self) -> str:
        return f"{self.source or '(inline)'} => {self.destination}"


@dataclass(frozen=True, slots=True)
class ExecConfig:
    command: str | tuple[str, ...]
    kill_signal: int = signal.SIGTERM
    kill_timeout: float = 30.0
    reload_signal: int | None = None
    splay: float = 0.0
    env_pristine: bool = False
    env_custom: tuple[str, ...] = ()
    env_allowlist: tuple[str, ...] = ()
    env_denylist: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    client: ClientConfig
    templates: tuple[TemplateConfig, ...] = ()
    exec: ExecConfig | None = None
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_backoff=60.0))
    wait: WaitConfig = field(default_factory=WaitConfig)
    max_stale: float = 2.0
    block_query_wait: float = 60.0
    log_level: str = "warn"
    pid_file: str = ""
    kill_signal: int | None = signal.SIGTERM
    reload_signal: int | None = signal.SIGHUP
    once: bool = False
    dry: bool = False
    parse_only: bool = False
    explain: bool = False
    missing_timeout: float = 0.0
    watch_files: bool = True
    config_paths: tuple[str, ...] = ()


def load(flags: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Config:
    """Build the config from ``-config`` paths and the other flags (see :mod:`templated.flags`)."""
    raw: dict[str, Any] = {}
    for path in flags.get("config", []):
        for name, doc in load_path(path):
            _check_keys(doc, _TOP, name)
            raw = merge(raw, doc)
    raw = merge(raw, _from_flags(flags))
    return build(raw, environ, tuple(flags.get("config", [])))


def build(
    raw: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    config_paths: tuple[str, ...] = (),
) -> Config:
    _check_keys(raw, _TOP, "config")
    for key in sorted(_IGNORED & set(raw)):
        log.warning("config: %s is not supported by templated; ignored", key)
    wait = parse_wait(raw.get("wait")) or WaitConfig()
    defaults = raw.get("default_delimiters") or {}
    templates = tuple(
        _template(t, i, defaults, raw) for i, t in enumerate(_list(raw.get("template")))
    )
    consul = _dict(raw.get("consul"), "consul")
    once = _bool(raw.get("once", False), "once")
    default_missing = 60.0 if once or raw.get("err_on_failed_lookup") is True else 0.0
    return Config(
        client=_client(consul, environ),
        templates=templates,
        exec=_exec(raw.get("exec")),
        retry=_retry(_dict(consul.get("retry"), "consul.retry")),
        wait=wait,
        max_stale=_duration(raw.get("max_stale", 2.0), "max_stale"),
        block_query_wait=_duration(raw.get("block_query_wait", 60.0), "block_query_wait"),
        log_level=str(raw.get("log_level") or "warn"),
        pid_file=str(raw.get("pid_file") or ""),
        kill_signal=parse_signal(raw.get("kill_signal", "SIGTERM"), "kill_signal"),
        reload_signal=parse_signal(raw.get("reload_signal", "SIGHUP"), "reload_signal"),
        once=once,
        dry=_bool(raw.get("dry", False), "dry"),
        parse_only=_bool(raw.get("parse_only", False), "parse_only"),
        explain=_bool(raw.get("explain", False), "explain"),
        missing_timeout=_duration(raw.get("missing_timeout", default_missing), "missing_timeout"),
        watch_files=_bool(raw.get("watch_files", True), "watch_files"),
        config_paths=config_paths,
    )


# --- flags -> the config's shape ---------------------------------------------------------------

_FLAG_KEYS = {
    "once": "once",
    "dry": "dry",
    "parse-only": "parse_only",
    "explain": "explain",
    "syntax": "syntax",
    "check": "check",
    "allow-empty": "allow_empty",
    "missing-timeout": "missing_timeout",
    "watch-files": "watch_files",
    "max-stale": "max_stale",
    "block-query-wait": "block_query_wait",
    "log-level": "log_level",
    "pid-file": "pid_file",
    "kill-signal": "kill_signal",
    "reload-signal": "reload_signal",
    "wait": "wait",
}
_CONSUL_FLAGS = {
    "consul-addr": ("address",),
    "consul-token": ("token",),
    "consul-token-file": ("token_file",),
    "consul-retry": ("retry", "enabled"),
    "consul-retry-attempts": ("retry", "attempts"),
    "consul-retry-backoff": ("retry", "backoff"),
    "consul-retry-max-backoff": ("retry", "max_backoff"),
    "consul-ssl": ("ssl", "enabled"),
    "consul-ssl-verify": ("ssl", "verify"),
    "consul-ssl-cert": ("ssl", "cert"),
    "consul-ssl-key": ("ssl", "key"),
    "consul-ssl-ca-cert": ("ssl", "ca_cert"),
    "consul-ssl-ca-path": ("ssl", "ca_path"),
    "consul-ssl-server-name": ("ssl", "server_name"),
}
_EXEC_FLAGS = {
    "exec": "command",
    "exec-kill-signal": "kill_signal",
    "exec-kill-timeout": "kill_timeout",
    "exec-reload-signal": "reload_signal",
    "exec-splay": "splay",
}


def _from_flags(flags: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: flags[f] for f, k in _FLAG_KEYS.items() if f in flags}
    consul: dict[str, Any] = {}
    for name, path in _CONSUL_FLAGS.items():
        if name in flags:
            target = consul
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = flags[name]
    if "consul-auth" in flags:
        user, _, password = str(flags["consul-auth"]).partition(":")
        consul["auth"] = {"enabled": True, "username": user, "password": password}
    if consul:
        out["consul"] = consul
    exec_block = {k: flags[f] for f, k in _EXEC_FLAGS.items() if f in flags}
    if exec_block:
        out["exec"] = exec_block
    delimiters = {
        side: flags[f"default-{side}-delimiter"]
        for side in ("left", "right")
        if f"default-{side}-delimiter" in flags
    }
    if delimiters:
        out["default_delimiters"] = delimiters
    templates = [parse_template_flag(t) for t in flags.get("template", [])]
    if templates:
        out["template"] = templates
    return out


def parse_template_flag(text: str) -> dict[str, Any]:
    """``in:out[:command]``; everything after the second colon is the command."""
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ConfigError(f'invalid template "{text}": want "in:out[:command]"')
    out: dict[str, Any] = {"source": parts[0], "destination": parts[1]}
    if len(parts) == 3 and parts[2].strip():
        out["command"] = parts[2]
    return out


# --- pieces -------------------------------------------------------------------------------------


def _template(
    value: Any, i: int, defaults: Mapping[str, Any], top: Mapping[str, Any]
) -> TemplateConfig:
    raw = _dict(value, f"template[{i}]")
    where = f"template[{i}]"
    _check_keys(raw, _TEMPLATE, where)
    source, contents = str(raw.get("source") or ""), raw.get("contents")
    if source and contents is not None:
        raise ConfigError(f"{where}: source and contents cannot both be set")
    if not source and contents is None:
        raise ConfigError(f"{where}: one of source or contents is required")
    destination = str(raw.get("destination") or "")
    if not destination and not _bool(top.get("dry", False), "dry"):
        raise ConfigError(f"{where}: destination is required")
    exec_block = _dict(raw.get("exec"), f"{where}.exec")
    command = exec_block.get("command", raw.get("command"))
    timeout = exec_block.get("timeout", raw.get("command_timeout", 30.0))
    syntax = str(raw.get("syntax") or top.get("syntax") or "auto")
    if syntax not in _SYNTAXES:
        raise ConfigError(f"{where}: syntax must be auto, jinja or go, not {syntax!r}")
    denylist = raw.get("function_denylist", raw.get("function_blacklist")) or ()
    return TemplateConfig(
        destination=destination,
        source=os.path.abspath(source) if source else "",
        contents=None if contents is None else str(contents),
        command=_command(command, f"{where}.command"),
        command_timeout=_duration(timeout, f"{where}.command_timeout"),
        perms=_perms(raw.get("perms"), where),
        backup=_bool(raw.get("backup", False), f"{where}.backup"),
        wait=parse_wait(raw.get("wait")),
        left_delimiter=str(raw.get("left_delimiter") or defaults.get("left") or "{{"),
        right_delimiter=str(raw.get("right_delimiter") or defaults.get("right") or "}}"),
        error_on_missing_key=_bool(raw.get("error_on_missing_key", False), where),
        create_dest_dirs=_bool(raw.get("create_dest_dirs", True), where),
        function_denylist=tuple(str(f) for f in denylist),
        sandbox_path=str(raw.get("sandbox_path") or ""),
        syntax=syntax,
        check=_opt_str(raw.get("check", top.get("check"))),
        allow_empty=_bool(raw.get("allow_empty", top.get("allow_empty", False)), where),
    )


def _exec(value: Any) -> ExecConfig | None:
    if value is None:
        return None
    raw = _dict(value, "exec")
    command = _command(raw.get("command"), "exec.command")
    if command is None:
        return None
    env = _dict(raw.get("env"), "exec.env")
    return ExecConfig(
        command=command,
        kill_signal=parse_signal(raw.get("kill_signal", "SIGTERM"), "exec.kill_signal")
        or signal.SIGTERM,
        kill_timeout=_duration(raw.get("kill_timeout", 30.0), "exec.kill_timeout"),
        reload_signal=parse_signal(raw.get("reload_signal"), "exec.reload_signal"),
        splay=_duration(raw.get("splay", 0.0), "exec.splay"),
        env_pristine=_bool(env.get("pristine", False), "exec.env.pristine"),
        env_custom=tuple(str(v) for v in env.get("custom") or ()),
        env_allowlist=tuple(str(v) for v in env.get("allowlist", env.get("whitelist")) or ()),
        env_denylist=tuple(str(v) for v in env.get("denylist", env.get("blacklist")) or ()),
    )


def _client(consul: Mapping[str, Any], environ: Mapping[str, str] | None) -> ClientConfig:
    try:
        return client_from_block(consul, _bool, environ=environ)
    except ClientConfigError as exc:
        raise ConfigError(str(exc)) from None


def _retry(raw: Mapping[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        enabled=_bool(raw.get("enabled", True), "consul.retry.enabled"),
        attempts=int(raw.get("attempts", 12)),
        backoff=_duration(raw.get("backoff", 0.25), "consul.retry.backoff"),
        max_backoff=_duration(raw.get("max_backoff", 60.0), "consul.retry.max_backoff"),
    )


def parse_wait(value: Any) -> WaitConfig | None:
    """``"5s"``, ``"5s:20s"`` or ``{min, max}``; max defaults to 4 x min; max < min is an error."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, Mapping):
        low = _duration(value.get("min", 0.0), "wait.min")
        high = _duration(value.get("max", 0.0), "wait.max") if value.get("max") else 0.0
    elif isinstance(value, str):
        first, _, second = value.partition(":")
        low = _duration(first, "wait")
        high = _duration(second, "wait") if second else 0.0
    else:
        low, high = _duration(value, "wait"), 0.0
    if not high:
        high = 4 * low
    if high < low:
        raise ConfigError(f"wait: max ({high:g}s) must be at least min ({low:g}s)")
    return WaitConfig(low, high)


def parse_signal(value: Any, where: str) -> int | None:
    """``"SIGHUP"``, ``"HUP"``, ``"1"`` -> 1; None or "" -> None (not listened to)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().upper()
    if text.isdigit():
        return int(text)
    name = text if text.startswith("SIG") else "SIG" + text
    sig = getattr(signal.Signals, name, None)
    if sig is None:
        raise ConfigError(f"{where}: unknown signal {value!r}")
    return int(sig)


def _perms(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 8)
    except ValueError:
        raise ConfigError(f"{where}.perms: {value!r} is not an octal mode") from None


def _command(value: Any, where: str) -> str | tuple[str, ...] | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: a command is a string or a list of strings")


def _duration(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: want a duration, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConfigError(f"{where}: want true or false, got {value!r}")


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _dict(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: want a block")
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check_keys(raw: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"{where}: invalid key(s): {', '.join(unknown)}")
