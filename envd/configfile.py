"""envd's config files: read (TOML, envconsul's HCL, JSON), checked against envconsul's keys and
merged in order.

Each file is read by :mod:`cnslkit.configfiles` (same formats, same directory rule as watchd).
A key envd does not know is a warning naming it (``exec.env.foo``); envconsul's keys for what
envd deliberately does not do (Vault, syslog, ...) are a warning saying so. Later files win:
objects merge key by key, ``prefix`` and ``service`` blocks add up.
"""

from __future__ import annotations

from typing import Any

from cnslkit.configfiles import config_files, read_file

__all__ = ["SCHEMA", "UNSUPPORTED", "read_all"]

_LEAF: dict[str, Any] = {}  # a value, not an object: not looked into
_SSL = dict.fromkeys(
    ("enabled", "verify", "cert", "key", "ca_cert", "ca_path", "server_name"), _LEAF
)
_FORMATS = ("format_id", "format_name", "format_address", "format_tag", "format_port")

#: every key envd reads, as nested objects; ``prefix``'s and ``service``'s are each block's
SCHEMA: dict[str, Any] = {
    **dict.fromkeys(
        ("kill_signal", "reload_signal", "log_level", "max_stale", "pid_file", "pristine",
         "sanitize", "upcase", "once"),
        _LEAF,
    ),
    "consul": {
        "address": _LEAF,
        "token": _LEAF,
        "ssl": _SSL,
        "auth": dict.fromkeys(("enabled", "username", "password"), _LEAF),
    },
    "exec": {
        **dict.fromkeys(
            ("command", "splay", "kill_signal", "kill_timeout", "reload_signal"), _LEAF
        ),
        "env": dict.fromkeys(
            ("pristine", "custom", "allowlist", "denylist", "whitelist", "blacklist"), _LEAF
        ),
    },
    "wait": dict.fromkeys(("min", "max"), _LEAF),
    "prefix": dict.fromkeys(("path", "format", "no_prefix"), _LEAF),
    "service": dict.fromkeys(("query", "name", *_FORMATS, "format_addresses"), _LEAF),
}  # fmt: skip

#: envconsul keys envd does not support, and why
UNSUPPORTED = {
    "vault": "Vault is not supported (envd reads Consul only)",
    "secret": "Vault secrets are not supported (envd reads Consul only)",
    "syslog": "syslog is not supported (envd logs to standard error)",
    "consul.retry": "not supported: envd retries Consul forever as a daemon, "
    "4 times with -once or -format",
    "consul.transport": "HTTP transport tuning is not supported",
}
_LISTS = ("prefix", "service")


def read_all(paths: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The merged document of every file under ``paths``, and the warnings about its keys."""
    doc: dict[str, Any] = {"prefix": [], "service": []}
    warnings: list[str] = []
    for path in paths:
        for name in config_files(path):
            data = read_file(name)
            if isinstance(data.get("consul"), str):  # envconsul's old `consul = "host:port"`
                warnings.append(f'{name}: consul = "..." is deprecated; use consul {{ address }}')
                data["consul"] = {"address": data["consul"]}
            warnings += [f"{name}: {w}" for w in _check(data, SCHEMA, "")]
            _merge(doc, data)
    return doc, warnings


def _check(data: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    out = []
    for key, value in data.items():
        dotted = f"{where}{key}"
        if dotted in UNSUPPORTED:
            out.append(f"{dotted}: {UNSUPPORTED[dotted]}; ignored")
        elif key not in schema:
            out.append(f'unknown key "{dotted}" ignored')
        elif schema[key] is not _LEAF:
            items = value if isinstance(value, list) and not where and key in _LISTS else [value]
            for item in items:
                if isinstance(item, dict):
                    out += _check(item, schema[key], dotted + ".")
    return out


def _merge(doc: dict[str, Any], data: dict[str, Any], top: bool = True) -> None:
    for key, value in data.items():
        if top and key in _LISTS:
            doc[key].extend(value if isinstance(value, list) else [value])
        elif isinstance(value, dict) and isinstance(doc.get(key), dict):
            inner = dict(doc[key])
            _merge(inner, value, top=False)
            doc[key] = inner
        else:
            doc[key] = value
