"""The ``agentd`` command line, parsed the way Go's ``flag`` package parses ``consul agent``.

Rules copied from Go (users paste Consul command lines): one or two leading dashes;
``-flag value`` or ``-flag=value``; booleans only take a value with ``=`` (``-dev=false``;
``-dev false`` is ``-dev`` followed by a stray argument); parsing stops at ``--`` or at the
first non-flag argument; the error texts are Go's. A leading ``agent`` word is skipped so
``agentd agent -dev`` works like ``consul agent -dev``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["USAGE", "ConfigPath", "Flags", "UsageError", "parse_flags"]


class UsageError(Exception):
    """Bad command line. ``help`` is the usage text the caller prints before exiting with 2.

    ``help_requested`` is true for -h/-help, where only the usage text should be shown.
    """

    def __init__(self, message: str, *, help_requested: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.help = USAGE
        self.help_requested = help_requested


@dataclass(frozen=True, slots=True)
class ConfigPath:
    """One -config-file or -config-dir argument, in command-line order."""

    kind: Literal["file", "dir"]
    path: str


@dataclass(frozen=True, slots=True)
class Flags:
    """Parsed agent flags. ``None`` means "not given", so config files keep their value."""

    dev: bool = False
    server: bool | None = None
    bootstrap: bool | None = None
    data_dir: str | None = None
    node_name: str | None = None
    datacenter: str | None = None
    client_addr: str | None = None
    bind_addr: str | None = None
    advertise_addr: str | None = None
    http_port: int | None = None
    dns_port: int | None = None
    server_port: int | None = None
    log_level: str | None = None
    node_id: str | None = None
    domain: str | None = None
    config_paths: tuple[ConfigPath, ...] = ()
    config_format: Literal["hcl", "json"] | None = None
    hcl: tuple[str, ...] = ()

    def config_overrides(self) -> dict[str, Any]:
        """The flags that set config keys, as a config fragment (Consul key names)."""
        out: dict[str, Any] = {}
        for spec in _SPECS.values():
            if spec.key is None:
                continue
            value = getattr(self, spec.attr)
            if value is None:
                continue
            section, _, leaf = spec.key.rpartition(".")
            target = out.setdefault(section, {}) if section else out
            target[leaf] = value
        return out


@dataclass(frozen=True, slots=True)
class _Spec:
    attr: str  # Flags field
    kind: Literal["bool", "int", "str", "path", "hcl", "format"]
    help: str
    key: str | None = None  # config key it overrides, dotted for sections


_SPECS: dict[str, _Spec] = {
    "advertise": _Spec(
        "advertise_addr", "str", "Sets the advertise address to use.", "advertise_addr"
    ),
    "bind": _Spec(
        "bind_addr", "str", "Sets the bind address for cluster communication.", "bind_addr"
    ),
    "bootstrap": _Spec("bootstrap", "bool", "Sets server to bootstrap mode.", "bootstrap"),
    "client": _Spec(
        "client_addr",
        "str",
        "Sets the address to bind for client access (DNS, HTTP). Space-separated list.",
        "client_addr",
    ),
    "config-dir": _Spec(
        "config_paths",
        "path",
        "Path to a directory to read configuration files from: every '.json' and '.hcl' file,\n"
        "in alphabetical order. Can be specified multiple times.",
    ),
    "config-file": _Spec(
        "config_paths",
        "path",
        "Path to a file in JSON or HCL format with a matching file extension.\n"
        "Can be specified multiple times.",
    ),
    "config-format": _Spec(
        "config_format",
        "format",
        "Config files are in this format irrespective of their extension. Must be 'hcl' or 'json'.",
    ),
    "data-dir": _Spec(
        "data_dir", "str", "Path to a data directory to store agent state.", "data_dir"
    ),
    "datacenter": _Spec("datacenter", "str", "Datacenter of the agent.", "datacenter"),
    "dev": _Spec("dev", "bool", "Starts the agent in development mode."),
    "dns-port": _Spec("dns_port", "int", "DNS port to use.", "ports.dns"),
    "domain": _Spec("domain", "str", "Domain to use for DNS interface.", "domain"),
    "hcl": _Spec("hcl", "hcl", "hcl config fragment. Can be specified multiple times."),
    "http-port": _Spec("http_port", "int", "Sets the HTTP API port to listen on.", "ports.http"),
    "log-level": _Spec("log_level", "str", "Log level of the agent.", "log_level"),
    "node": _Spec(
        "node_name", "str", "Name of this node. Must be unique in the cluster.", "node_name"
    ),
    "node-id": _Spec(
        "node_id",
        "str",
        "A unique ID for this node across space and time. Defaults to a randomly-generated ID\n"
        "that persists in the data-dir.",
        "node_id",
    ),
    "server": _Spec("server", "bool", "Switches agent to server mode.", "server"),
    "server-port": _Spec(
        "server_port", "int", "Sets the server port to listen on.", "ports.server"
    ),
}


def _usage() -> str:
    lines = [
        "Usage: agentd [agent] [options]",
        "",
        "  Starts the cnsl agent and runs until an interrupt is received. The",
        "  agent represents a single node in a cluster.",
        "",
        "Options:",
    ]
    for name, spec in _SPECS.items():
        lines.append("")
        lines.append(f"  -{name}" + ("" if spec.kind == "bool" else "=<value>"))
        lines.extend(f"     {line}" for line in spec.help.splitlines())
    return "\n".join(lines) + "\n"


USAGE = _usage()

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def _parse_go_int(text: str) -> int:
    """strconv.ParseInt(s, 0, 64): decimal, 0x/0o/0b prefixes, and a leading 0 meaning octal."""
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        value = int(digits, 8)
        return -value if text.startswith("-") else value
    value = int(text, 0)
    if not -(1 << 63) <= value < (1 << 63):
        raise ValueError(text)
    return value


def _apply(values: dict[str, Any], name: str, spec: _Spec, raw: str) -> None:
    """Store one flag value in ``values`` (keyed by Flags attribute)."""
    if spec.kind == "bool":
        if raw in _TRUE:
            values[spec.attr] = True
        elif raw in _FALSE:
            values[spec.attr] = False
        else:
            raise UsageError(f"invalid boolean value {_go_quote(raw)} for -{name}: parse error")
    elif spec.kind == "int":
        try:
            values[spec.attr] = _parse_go_int(raw)
        except ValueError:
            raise UsageError(
                f"invalid value {_go_quote(raw)} for flag -{name}: parse error"
            ) from None
    elif spec.kind == "path":
        path = ConfigPath("dir" if name == "config-dir" else "file", raw)
        values[spec.attr] = (*values.get(spec.attr, ()), path)
    elif spec.kind == "hcl":
        values[spec.attr] = (*values.get(spec.attr, ()), raw)
    elif spec.kind == "format":
        if raw not in ("hcl", "json"):
            raise UsageError(
                f"invalid value {_go_quote(raw)} for flag -{name}: must be 'hcl' or 'json'"
            )
        values[spec.attr] = raw
    else:
        values[spec.attr] = raw


def parse_flags(argv: list[str]) -> Flags:
    """Parse agent arguments (without the program name); raise UsageError on bad input."""
    args = list(argv)
    if args[:1] == ["agent"]:
        args = args[1:]
    values: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if len(arg) < 2 or arg[0] != "-":
            break  # first non-flag argument ends the flags, as in Go
        if arg == "--":
            i += 1
            break
        name = arg[2:] if arg.startswith("--") else arg[1:]
        if not name or name[0] in "-=":
            raise UsageError(f"bad flag syntax: {arg}")
        name, has_value, raw = name.partition("=")
        i += 1
        if name in ("h", "help") and name not in _SPECS:
            raise UsageError("flag: help requested", help_requested=True)
        spec = _SPECS.get(name)
        if spec is None:
            raise UsageError(f"flag provided but not defined: -{name}")
        if not has_value:
            if spec.kind == "bool":
                raw = "true"
            elif i < len(args):
                raw = args[i]
                i += 1
            else:
                raise UsageError(f"flag needs an argument: -{name}")
        _apply(values, name, spec, raw)
    if i < len(args):
        extra = " ".join(args[i:])
        raise UsageError(f"Unknown extra arguments: [{extra}]")
    return Flags(**values)


def _go_quote(s: str) -> str:
    """Go's %q for the common cases: double quotes with backslash escapes."""
    escaped = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'
