"""envd's command line: THE flag table, read with Go's ``flag`` rules; parsing stops at the first
non-flag argument or ``--``, and the rest is the command (exec'd as given, not joined into a
``sh -c`` string as envconsul does, so its quoting survives).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnslkit.duration import parse_duration

__all__ = ["FLAGS", "UsageError", "parse", "parse_seconds", "parse_wait", "usage"]

BOOL, STRING, DURATION, LIST, WAIT = "bool", "string", "duration", "list", "min[:max]"
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


class UsageError(Exception):
    """The command line is wrong (exit 2); an empty message asks for the usage text."""


@dataclass(frozen=True, slots=True)
class Flag:
    name: str
    kind: str
    help: str


FLAGS: tuple[Flag, ...] = (
    Flag("prefix", LIST, "KV prefix whose keys become variables (repeatable; later wins)"),
    Flag("service", LIST, "service whose healthy instances become variables (repeatable)"),
    Flag("service-query", LIST, "same as -service (envconsul's name)"),
    Flag("service-format-id", STRING, "name of <svc>/id: {{ service }}, {{ key }} (all services)"),
    Flag("service-format-name", STRING, "name of <svc>/name (all services)"),
    Flag("service-format-address", STRING, "name of <svc>/address (all services)"),
    Flag("service-format-tag", STRING, "name of <svc>/tag (all services)"),
    Flag("service-format-port", STRING, "name of <svc>/port (all services)"),
    Flag("service-format-addresses", STRING, "name of <svc>/addresses (all services)"),
    Flag("upcase", BOOL, "upper-case variable names"),
    Flag("sanitize", BOOL, "replace characters invalid in names with _"),
    Flag("pristine", BOOL, "do not inherit envd's environment"),
    Flag("no-prefix", BOOL, "do not prepend the prefix path (default true; =false prepends)"),
    Flag("once", BOOL, "fetch once, run the command, exit with its code"),
    Flag("format", STRING, "print the variables as dotenv or json and exit (no command)"),
    Flag("exec", STRING, "command to run (instead of the trailing arguments)"),
    Flag("exec-kill-signal", STRING, "signal that stops the child (default SIGTERM)"),
    Flag("exec-kill-timeout", DURATION, "wait this long before SIGKILL (default 30s)"),
    Flag("exec-reload-signal", STRING, "on change signal the child instead of restarting it"),
    Flag("reload-signal", STRING, "signal on which envd restarts the child (default: forwarded)"),
    Flag("exec-splay", DURATION, "random delay before restarting or signalling the child"),
    Flag("kill-signal", STRING, "signal that stops envd and its child (default SIGTERM)"),
    Flag("wait", WAIT, "quiet time before the first start and each restart (max: 4 x min)"),
    Flag("max-stale", DURATION, "accept answers this stale from any server (default 2s)"),
    Flag("pid-file", STRING, "write envd's pid to this file (removed at exit)"),
    Flag("config", LIST, "config file or directory, TOML, HCL or JSON (repeatable)"),
    Flag("consul-addr", STRING, "Consul agent address (CONSUL_HTTP_ADDR)"),
    Flag("consul-token", STRING, "ACL token (CONSUL_HTTP_TOKEN)"),
    Flag("log-level", STRING, "debug, info, warn or err (default warn)"),
    Flag("version", BOOL, "print the version and exit"),
)
_BY_NAME = {f.name: f for f in FLAGS}
if len(_BY_NAME) != len(FLAGS):
    raise RuntimeError("duplicate flag in envd.flags.FLAGS")
_ALIASES = {"service-query": "service"}


def parse_wait(value: object) -> tuple[float, float]:
    """``"5s"``, ``"5s:20s"``, a number of seconds or ``{min, max}``: (min, max); max defaults to
    4 x min. ValueError when unreadable or when max < min."""
    if isinstance(value, dict):
        low, high = parse_seconds(value.get("min", 0)), parse_seconds(value.get("max") or 0)
    elif isinstance(value, str):
        first, _, second = value.partition(":")
        low, high = parse_seconds(first), parse_seconds(second) if second else 0.0
    else:
        low, high = parse_seconds(value), 0.0
    high = high or 4 * low
    if high < low:
        raise ValueError(f"max ({high:g}s) must be at least min ({low:g}s)")
    return low, high


def parse_seconds(value: object) -> float:
    """A Go duration string or a number of seconds, not negative."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a duration: {value!r}")
    seconds = float(value) if isinstance(value, int | float) else parse_duration(value)
    if seconds < 0:
        raise ValueError(f"negative duration: {value!r}")
    return seconds


def parse(argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """(the given flags by name, the command); UsageError on what Go's ``flag`` refuses."""
    out: dict[str, Any] = {}
    args = list(argv)
    while args:
        arg = args[0]
        if arg == "--":
            return out, args[1:]
        if not arg.startswith("-") or arg == "-":
            return out, args
        args.pop(0)
        body = arg[2:] if arg.startswith("--") else arg[1:]
        key, eq, value = body.partition("=")
        if key in ("h", "help"):
            raise UsageError("")
        flag = _BY_NAME.get("version" if key == "v" else key)
        if flag is None:
            raise UsageError(f"flag provided but not defined: -{key}")
        if flag.kind == BOOL:
            if eq and value not in _TRUE | _FALSE:
                raise UsageError(f'invalid boolean value "{value}" for -{key}: parse error')
            out[flag.name] = value in _TRUE if eq else True
            continue
        if not eq:
            if not args:
                raise UsageError(f"flag needs an argument: -{key}")
            value = args.pop(0)
        if flag.kind in (DURATION, WAIT):
            try:
                out[flag.name] = (
                    parse_duration(value) if flag.kind == DURATION else parse_wait(value)
                )
            except ValueError as exc:
                raise UsageError(f'invalid value "{value}" for flag -{key}: {exc}') from None
        elif flag.kind == LIST:
            out.setdefault(_ALIASES.get(flag.name, flag.name), []).append(value)
        else:
            out[flag.name] = value
    return out, []


def usage() -> str:
    lines = ["Usage: envd [options] [--] COMMAND [ARGS...]", "", "Options:", ""]
    for flag in FLAGS:
        metavar = "" if flag.kind == BOOL else f" <{flag.kind}>"
        lines += [f"  -{flag.name}{metavar}", f"      {flag.help}"]
    return "\n".join(lines) + "\n"
