"""envd's config: files (TOML; envconsul's HCL and JSON) under the flags, which win.

File keys are envconsul's: ``upcase``, ``sanitize``, ``pristine``, ``kill_signal``,
``reload_signal`` (here: the child's reload signal), ``log_level``, ``consul { address, token }``,
``exec { command, splay, kill_signal, kill_timeout, reload_signal }``, repeatable
``prefix { path, no_prefix }`` and ``service { name }`` (envconsul's ``query`` accepted).
Files are read by :mod:`watchd.config`'s reader (same formats, same directory rule).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

from cnslkit.configfiles import ConfigError, config_files, read_file
from cnslkit.duration import parse_duration
from envd.flags import UsageError

__all__ = ["Config", "ConfigError", "Prefix", "load", "signal_number"]


@dataclass(frozen=True, slots=True)
class Prefix:
    path: str
    no_prefix: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    prefixes: tuple[Prefix, ...] = ()
    services: tuple[str, ...] = ()
    upcase: bool = False
    sanitize: bool = False
    pristine: bool = False
    once: bool = False
    format: str = ""
    command: tuple[str, ...] = ()
    exec_kill_signal: int = signal.SIGTERM
    exec_kill_timeout: float = 30.0
    exec_reload_signal: int | None = None
    exec_splay: float = 0.0
    kill_signal: int = signal.SIGTERM
    address: str = ""
    token: str = ""
    log_level: str = "warn"


def signal_number(text: str | int | None) -> int | None:
    """``SIGHUP``, ``HUP`` or ``1``; None for empty."""
    if text is None or text == "":
        return None
    if isinstance(text, int) or text.isdigit():
        return int(text)
    name = text.upper() if text.upper().startswith("SIG") else "SIG" + text.upper()
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise ConfigError(f"unknown signal {text!r}") from None


def _seconds(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else parse_duration(str(value))


def load(given: dict[str, Any], command: list[str]) -> Config:
    doc: dict[str, Any] = {"prefix": [], "service": []}
    for path in given.get("config", []):
        for name in config_files(path):
            data = read_file(name)
            for key, value in data.items():
                if key in ("prefix", "service"):
                    doc[key].extend(value if isinstance(value, list) else [value])
                elif isinstance(value, dict) and isinstance(doc.get(key), dict):
                    doc[key] = {**doc[key], **value}
                else:
                    doc[key] = value
    ex: dict[str, Any] = doc.get("exec") or {}
    consul: dict[str, Any] = doc.get("consul") or {}
    no_prefix = given.get("no-prefix")
    prefixes = [
        Prefix(str(p["path"]).lstrip("/"), bool(p.get("no_prefix", True)))
        if isinstance(p, dict) else Prefix(str(p).lstrip("/"))
        for p in doc["prefix"]
    ]  # fmt: skip
    prefixes += [Prefix(p.lstrip("/")) for p in given.get("prefix", [])]
    if no_prefix is not None:
        prefixes = [Prefix(p.path, bool(no_prefix)) for p in prefixes]
    services = [str(s.get("name") or s.get("query")) if isinstance(s, dict) else str(s)
                for s in doc["service"]] + list(given.get("service", []))  # fmt: skip
    if "exec" in given:
        command = ["/bin/sh", "-c", str(given["exec"])]
    elif not command and ex.get("command"):
        cmd = ex["command"]
        command = [str(c) for c in cmd] if isinstance(cmd, list) else ["/bin/sh", "-c", str(cmd)]
    fmt = str(given.get("format", ""))
    if fmt not in ("", "dotenv", "json"):
        raise UsageError(f'invalid value "{fmt}" for flag -format: dotenv or json')
    if not prefixes and not services:
        raise UsageError("no data: give -prefix or -service")
    if not fmt and not command:
        raise UsageError("no command given (or -format to print the variables)")
    try:
        return Config(
            prefixes=tuple(prefixes),
            services=tuple(services),
            upcase=bool(given.get("upcase", doc.get("upcase", False))),
            sanitize=bool(given.get("sanitize", doc.get("sanitize", False))),
            pristine=bool(given.get("pristine", doc.get("pristine", False))),
            once=bool(given.get("once", doc.get("once", False))),
            format=fmt,
            command=tuple(command),
            exec_kill_signal=signal_number(
                given.get("exec-kill-signal") or ex.get("kill_signal") or "SIGTERM"
            )
            or signal.SIGTERM,
            exec_kill_timeout=_seconds(
                given.get("exec-kill-timeout", ex.get("kill_timeout", 30.0))
            ),
            exec_reload_signal=signal_number(
                given.get("exec-reload-signal")
                or given.get("reload-signal")
                or ex.get("reload_signal")
                or doc.get("reload_signal")
            ),
            exec_splay=_seconds(given.get("exec-splay", ex.get("splay", 0.0))),
            kill_signal=signal_number(given.get("kill-signal") or doc.get("kill_signal") or 15)
            or signal.SIGTERM,
            address=str(given.get("consul-addr") or consul.get("address") or ""),
            token=str(given.get("consul-token") or consul.get("token") or ""),
            log_level=str(given.get("log-level") or doc.get("log_level") or "warn"),
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
