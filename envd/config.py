"""envd's config: files (:mod:`envd.configfile`) under the flags, which win.

File keys are envconsul's: ``upcase``, ``sanitize``, ``pristine``, ``kill_signal``,
``reload_signal``, ``log_level``, ``max_stale``, ``pid_file``, ``wait { min, max }`` (or
``"min:max"``), ``consul { address, token, ssl, auth }``, ``exec { command, splay, kill_signal,
kill_timeout, reload_signal, env { pristine, custom, allowlist, denylist } }``, repeatable
``prefix { path, format, no_prefix }`` and ``service { query, format_id, format_name,
format_address, format_tag, format_port }`` (plus envd's ``format_addresses``; ``name`` is
accepted for ``query``). Every value is checked here: a bad one is a :class:`ConfigError` naming
its key or flag, before anything starts.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cnslkit.api.config import ClientConfig
from cnslkit.configfiles import ConfigError
from cnslkit.watch.service import HealthServiceQuery
from envd.childenv import ExecEnv, parse_custom
from envd.client import client_config
from envd.configfile import read_all
from envd.env import SERVICE_FIELDS, ServiceFormats
from envd.flags import UsageError, parse_wait
from envd.nameformat import KEY, SERVICE, NameFormat
from envd.values import (
    as_bool,
    as_signal,
    block,
    caught_signal,
    convert,
    name_format,
    prefix_path,
    seconds,
    signal_number,
    strings,
    text,
)

__all__ = ["Config", "ConfigError", "Prefix", "Service", "load", "signal_number"]


@dataclass(frozen=True, slots=True)
class Prefix:
    path: str
    no_prefix: bool = True
    format: NameFormat | None = None


@dataclass(frozen=True, slots=True)
class Service:
    query: str
    formats: ServiceFormats = field(default_factory=ServiceFormats)


@dataclass(frozen=True, slots=True)
class Config:
    prefixes: tuple[Prefix, ...] = ()
    services: tuple[Service, ...] = ()
    upcase: bool = False
    sanitize: bool = False
    once: bool = False
    format: str = ""
    command: tuple[str, ...] = ()
    exec_env: ExecEnv = field(default_factory=ExecEnv)
    exec_kill_signal: int = signal.SIGTERM
    exec_kill_timeout: float = 30.0
    exec_reload_signal: int | None = None
    exec_splay: float = 0.0
    kill_signal: int = signal.SIGTERM
    reload_signal: int | None = None  # envd restarts the child on it (None: forwarded)
    wait: tuple[float, float] = (0.0, 0.0)  # quiescence (min, max); min 0: off
    max_stale: float = 2.0
    pid_file: str = ""
    client: ClientConfig = field(default_factory=ClientConfig)
    log_level: str = "warn"
    warnings: tuple[str, ...] = ()


def load(given: dict[str, Any], command: list[str]) -> Config:
    doc, warnings = read_all(given.get("config", []))
    ex, consul = block(doc, "exec"), block(doc, "consul")
    env = block(ex, "env", "exec.")

    def pick(flag: str, part: Mapping[str, Any], key: str, default: Any = None) -> tuple[Any, str]:
        """The flag's value if given, else the file's; with the name to blame."""
        if flag in given:
            return given[flag], f"-{flag}"
        where = "exec." if part is ex else ""
        return part.get(key, default), where + key

    if "exec" in given:
        command = ["/bin/sh", "-c", str(given["exec"])]
    elif not command and ex.get("command"):
        cmd = ex["command"]
        command = [str(c) for c in cmd] if isinstance(cmd, list) else ["/bin/sh", "-c", str(cmd)]
    fmt = str(given.get("format", ""))
    if fmt not in ("", "dotenv", "json"):
        raise UsageError(f'invalid value "{fmt}" for flag -format: dotenv or json')
    prefixes, services = _prefixes(given, doc["prefix"]), _services(given, doc["service"])
    if not prefixes and not services:
        raise UsageError("no data: give -prefix or -service")
    if not fmt and not command:
        raise UsageError("no command given (or -format to print the variables)")
    pristine = (
        as_bool(given["pristine"], "-pristine")
        if "pristine" in given
        else as_bool(doc.get("pristine", False), "pristine")
        or as_bool(env.get("pristine", False), "exec.env.pristine")
    )
    custom = strings(env.get("custom"), "exec.env.custom")
    exec_env = ExecEnv(
        pristine=pristine,
        custom=convert(parse_custom, custom, "exec.env.custom"),
        allowlist=strings(env.get("allowlist", env.get("whitelist")), "exec.env.allowlist"),
        denylist=strings(env.get("denylist", env.get("blacklist")), "exec.env.denylist"),
    )
    wait = given.get("wait") or convert(parse_wait, doc.get("wait") or 0, "wait")
    return Config(
        prefixes=prefixes,
        services=services,
        upcase=as_bool(*pick("upcase", doc, "upcase", False)),
        sanitize=as_bool(*pick("sanitize", doc, "sanitize", False)),
        once=as_bool(*pick("once", doc, "once", False)),
        format=fmt,
        command=tuple(command),
        exec_env=exec_env,
        exec_kill_signal=as_signal(*pick("exec-kill-signal", ex, "kill_signal")) or signal.SIGTERM,
        exec_kill_timeout=seconds(*pick("exec-kill-timeout", ex, "kill_timeout", 30.0)),
        exec_reload_signal=as_signal(*pick("exec-reload-signal", ex, "reload_signal")),
        exec_splay=seconds(*pick("exec-splay", ex, "splay", 0.0)),
        kill_signal=caught_signal(*pick("kill-signal", doc, "kill_signal")) or signal.SIGTERM,
        reload_signal=caught_signal(*pick("reload-signal", doc, "reload_signal")),
        wait=wait,
        max_stale=seconds(*pick("max-stale", doc, "max_stale", 2.0)),
        pid_file=text(*pick("pid-file", doc, "pid_file", "")),
        client=client_config(given, consul, as_bool),
        log_level=text(*pick("log-level", doc, "log_level", "warn")) or "warn",
        warnings=tuple(warnings),
    )


def _prefixes(given: Mapping[str, Any], blocks: list[Any]) -> tuple[Prefix, ...]:
    out = []
    for i, item in enumerate(blocks):
        where = f"prefix[{i}]"
        raw = {"path": item} if isinstance(item, str) else item
        if not isinstance(raw, dict) or not raw.get("path"):
            raise ConfigError(f"{where}.path is required")
        source = raw.get("format")
        out.append(
            Prefix(
                prefix_path(raw["path"], f"{where}.path"),
                as_bool(raw.get("no_prefix", True), f"{where}.no_prefix"),
                name_format(source, KEY, f"{where}.format") if source else None,
            )
        )
    out += [Prefix(prefix_path(p, "-prefix")) for p in given.get("prefix", [])]
    if "no-prefix" in given:
        out = [replace(p, no_prefix=bool(given["no-prefix"])) for p in out]
    return tuple(out)


def _services(given: Mapping[str, Any], blocks: list[Any]) -> tuple[Service, ...]:
    found: list[tuple[str, dict[str, Any], str]] = []
    for i, item in enumerate(blocks):
        raw = {"query": item} if isinstance(item, str) else item
        query = raw.get("query") or raw.get("name") if isinstance(raw, dict) else None
        if not query:
            raise ConfigError(f"service[{i}].query is required")
        found.append((str(query), raw, f"service[{i}]"))
    found += [(str(q), {}, "-service") for q in given.get("service", [])]
    out = []
    for query, raw, where in found:
        convert(HealthServiceQuery.parse, query, f"{where}.query" if raw else where)
        formats = {}
        for which in SERVICE_FIELDS:
            source, name = raw.get(f"format_{which}"), f"{where}.format_{which}"
            if f"service-format-{which}" in given:  # a flag applies to every service
                source, name = given[f"service-format-{which}"], f"-service-format-{which}"
            if source:
                formats[which] = name_format(source, SERVICE, name)
        out.append(Service(query, ServiceFormats(formats)))
    return tuple(out)
