"""templated's command line: THE flag table, read with Go's ``flag`` rules.

``-name`` and ``--name`` are the same; values come as ``-name value`` or ``-name=value``; booleans
are ``-name``, ``-name=true`` or ``-name=false``; list flags repeat. Any positional argument is an
error, as in consul-template. :func:`parse` returns only the flags that were given (so config
files can fill in the rest), keyed by the flag's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnslkit.duration import parse_duration
from templated.errors import UsageError

__all__ = ["FLAGS", "Flag", "parse", "usage"]

BOOL, STRING, DURATION, INT, LIST = "bool", "string", "duration", "int", "list"
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


@dataclass(frozen=True, slots=True)
class Flag:
    name: str
    kind: str
    help: str


FLAGS: tuple[Flag, ...] = (
    Flag("template", LIST, '"in:out[:command]": render in to out (repeatable)'),
    Flag("config", LIST, "config file or directory, TOML, HCL or JSON (repeatable)"),
    Flag("once", BOOL, "render once, run the commands, and exit"),
    Flag("dry", BOOL, "print renders to stdout instead of writing files"),
    Flag("parse-only", BOOL, "parse the templates and exit"),
    Flag("explain", BOOL, "print each template's dependencies and which lack data, and exit"),
    Flag("wait", STRING, "quiescence min[:max] before rendering a change (max: 4 x min)"),
    Flag("syntax", STRING, "template syntax: auto (by extension), jinja or go"),
    Flag("check", STRING, 'validate the rendered temp file first ("{}" is its path)'),
    Flag("allow-empty", BOOL, "allow renders whose data vanished (disables the empty guard)"),
    Flag("missing-timeout", DURATION, "fail when data is still missing after this (0: wait)"),
    Flag("watch-files", BOOL, "re-read templates and config when they change (default true)"),
    Flag("default-left-delimiter", STRING, "left delimiter of Go-syntax templates"),
    Flag("default-right-delimiter", STRING, "right delimiter of Go-syntax templates"),
    Flag("exec", STRING, "command to supervise; restarted or signalled after renders"),
    Flag("exec-kill-signal", STRING, "signal that stops the child (default SIGTERM)"),
    Flag("exec-kill-timeout", DURATION, "wait this long before SIGKILL (default 30s)"),
    Flag("exec-reload-signal", STRING, "signal the child instead of restarting it"),
    Flag("exec-splay", DURATION, "random delay before signalling or restarting the child"),
    Flag("consul-addr", STRING, "Consul agent address (CONSUL_HTTP_ADDR)"),
    Flag("consul-token", STRING, "ACL token (CONSUL_HTTP_TOKEN)"),
    Flag("consul-token-file", STRING, "file holding the ACL token"),
    Flag("consul-auth", STRING, "HTTP basic auth user[:password]"),
    Flag("consul-retry", BOOL, "retry failed Consul requests (default true)"),
    Flag("consul-retry-attempts", INT, "attempts before giving up (0: forever; default 12)"),
    Flag("consul-retry-backoff", DURATION, "first retry delay, doubled each time (250ms)"),
    Flag("consul-retry-max-backoff", DURATION, "longest retry delay (1m)"),
    Flag("consul-ssl", BOOL, "use HTTPS"),
    Flag("consul-ssl-verify", BOOL, "verify the server certificate (default true)"),
    Flag("consul-ssl-cert", STRING, "client certificate"),
    Flag("consul-ssl-key", STRING, "client key"),
    Flag("consul-ssl-ca-cert", STRING, "CA certificate"),
    Flag("consul-ssl-ca-path", STRING, "directory of CA certificates"),
    Flag("consul-ssl-server-name", STRING, "SNI server name"),
    Flag("max-stale", DURATION, "allow stale reads this old (default 2s; 0: consistent)"),
    Flag("block-query-wait", DURATION, "wait time of each blocking query (default 60s)"),
    Flag("log-level", STRING, "trace, debug, info, warn or err (default warn)"),
    Flag("pid-file", STRING, "write the process id here"),
    Flag("kill-signal", STRING, "signal that stops templated (default SIGTERM; SIGINT too)"),
    Flag("reload-signal", STRING, "signal that reloads config and templates (default SIGHUP)"),
    Flag("version", BOOL, "print the version and exit"),
)
_BY_NAME = {f.name: f for f in FLAGS}
if len(_BY_NAME) != len(FLAGS):
    raise RuntimeError("duplicate flag in templated.flags.FLAGS")
_ALIASES = {"v": "version"}


def parse(argv: list[str]) -> dict[str, Any]:
    """The given flags by name; UsageError on anything Go's ``flag`` would refuse."""
    out: dict[str, Any] = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg in ("-", "--"):
            raise UsageError(f"unexpected argument: {arg!r} (every option is a -flag)")
        body = arg[2:] if arg.startswith("--") else arg[1:]
        name, eq, value = body.partition("=")
        if name in ("h", "help"):
            raise UsageError("")
        flag = _BY_NAME.get(_ALIASES.get(name, name))
        if flag is None:
            raise UsageError(f"flag provided but not defined: -{name}")
        if flag.kind == BOOL:
            out[flag.name] = _bool(flag, value) if eq else True
            continue
        if not eq:
            if not args:
                raise UsageError(f"flag needs an argument: -{name}")
            value = args.pop(0)
        out_value = _convert(flag, value)
        if flag.kind == LIST:
            out.setdefault(flag.name, []).append(out_value)
        else:
            out[flag.name] = out_value
    return out


def _bool(flag: Flag, value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f'invalid boolean value "{value}" for -{flag.name}: parse error')


def _convert(flag: Flag, value: str) -> Any:
    if flag.kind == DURATION:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise UsageError(f'invalid value "{value}" for flag -{flag.name}: {exc}') from None
    if flag.kind == INT:
        try:
            return int(value)
        except ValueError:
            raise UsageError(
                f'invalid value "{value}" for flag -{flag.name}: parse error'
            ) from None
    return value


def usage() -> str:
    lines = ["Usage: templated [options]", "", "Options:", ""]
    for flag in FLAGS:
        metavar = "" if flag.kind == BOOL else f" <{flag.kind}>"
        lines.append(f"  -{flag.name}{metavar}")
        lines.append(f"      {flag.help}")
    return "\n".join(lines) + "\n"
