"""Agent configuration: Consul's config sources, merged in Consul's way, into one RuntimeConfig.

Sources, later winning: built-in defaults; ``-dev`` defaults; each ``-config-file``/``-config-dir``
in command-line order (a directory gives its ``*.json`` and ``*.hcl`` files in name order);
each ``-hcl`` fragment; the command-line flags. Merging follows Consul's ``merge.go``: scalars
are replaced, objects merged key by key, lists appended, so ``services``/``checks``/``watches``
(and the singular ``service``/``check``, folded into them per source) add up across files.

``load`` has one side effect, the ``<data_dir>/node-id`` file, so SIGHUP can call it again with
the same ``Flags``. Key tables and value checks live in ``config_schema``.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import socket
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TextIO

from lark.exceptions import LarkError

from agentd.config_schema import (
    DEFAULTS,
    DEV_DEFAULTS,
    LIST_KEYS,
    LOG_LEVELS,
    ONE_OR_LIST_KEYS,
    SCHEMA,
    ConfigError,
    LogLevel,
    check_source,
    is_uuid,
    lookup,
)
from agentd.flags import ConfigPath, Flags
from cnslkit import hcl
from cnslkit.duration import parse_duration

__all__ = [
    "TRACE",
    "ConfigError",
    "Listener",
    "RuntimeConfig",
    "load",
    "merge",
    "parse_text",
    "setup_logging",
]

log = logging.getLogger(__name__)

TRACE = logging.DEBUG - 5


@dataclass(frozen=True, slots=True)
class Listener:
    """One socket to listen on: TCP ``host:port`` or a Unix socket ``path``."""

    kind: Literal["tcp", "unix"]
    host: str = ""
    port: int = 0
    path: str = ""

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix://{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    """The validated agent configuration. ``raw`` keeps every merged key for later features."""

    dev: bool
    server: bool
    bootstrap: bool
    datacenter: str
    node_name: str
    node_id: str
    data_dir: str | None
    log_level: LogLevel
    domain: str
    bind_addr: str
    advertise_addr: str
    client_addrs: tuple[str, ...]
    http_port: int
    dns_port: int
    server_port: int
    http_listeners: tuple[Listener, ...]
    dns_listeners: tuple[Listener, ...]
    unix_socket_mode: int | None
    unix_socket_user: str | None
    unix_socket_group: str | None
    kv_max_value_size: int
    txn_max_req_len: int
    http_max_conns_per_client: int
    default_query_time: float
    max_query_time: float
    services: tuple[dict[str, Any], ...]
    checks: tuple[dict[str, Any], ...]
    watches: tuple[dict[str, Any], ...]
    raw: dict[str, Any]
    sources: tuple[str, ...]
    flags: Flags


def load(flags: Flags) -> RuntimeConfig:
    """Read, merge and validate every config source named by ``flags``."""
    raw = copy.deepcopy(DEFAULTS)
    if flags.dev:
        raw = merge(raw, copy.deepcopy(DEV_DEFAULTS))
    files: list[str] = []
    unsupported: dict[str, None] = {}
    for name, data in _user_sources(flags, files):
        _fold_singular(data)
        unsupported.update(dict.fromkeys(check_source(name, data)))
        raw = merge(raw, data)
    for path in unsupported:
        log.warning("config: %s is not supported yet", path)
    return _build(raw, flags, tuple(files))


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Consul's merge: objects merge recursively, lists append, other values replace; null skips."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if value is None:
            continue
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            out[key] = old + value
        else:
            out[key] = value
    return out


# --- sources -----------------------------------------------------------------------------------


def _user_sources(flags: Flags, files: list[str]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for cp in flags.config_paths:
        for path in _expand(cp, flags.config_format):
            out.append((path, _read_file(path, flags.config_format)))
            files.append(path)
    for i, fragment in enumerate(flags.hcl, 1):
        out.append((f"-hcl fragment {i}", parse_text(f"-hcl fragment {i}", fragment, "hcl")))
    out.append(("command-line flags", flags.config_overrides()))
    return out


def _format_of(path: str, forced: str | None) -> str | None:
    if forced:
        return forced
    ext = os.path.splitext(path)[1]
    return ext[1:] if ext in (".json", ".hcl") else None


def _expand(cp: ConfigPath, forced: str | None) -> list[str]:
    """The files one -config-file/-config-dir names; like Consul, the path itself decides."""
    if not os.path.isdir(cp.path):
        if not os.path.exists(cp.path):
            raise ConfigError(f"config: -config-{cp.kind} {cp.path}: no such file or directory")
        if _format_of(cp.path, forced) is None:
            raise ConfigError(
                f"config: {cp.path}: extension must be .hcl or .json, or -config-format must be set"
            )
        return [cp.path]
    try:
        names = sorted(os.listdir(cp.path))
    except OSError as e:
        raise ConfigError(f"config: cannot read directory {cp.path}: {e.strerror}") from None
    paths = [os.path.join(cp.path, n) for n in names]
    return [p for p in paths if os.path.isfile(p) and _format_of(p, forced) is not None]


def _read_file(path: str, forced: str | None) -> dict[str, Any]:
    fmt = _format_of(path, forced)
    assert fmt is not None  # _expand only yields files with a format
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"config: failed to read {path}: {e}") from None
    return parse_text(path, text, fmt)


def parse_text(name: str, text: str, fmt: str) -> dict[str, Any]:
    """Parse one JSON or HCL document into a plain dict with Consul's key names."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text) if fmt == "json" else hcl.loads(text, _combine)
    except (ValueError, LarkError) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(f"config: failed to parse {name}: {message}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config: failed to parse {name}: top level must be an object")
    return data


def _combine(key: str, items: list[Any], kind: str) -> Any:
    """Agent config: ``service``/``check`` blocks stay one or a list; LIST_KEYS stay lists; other
    repeated blocks (and objects where the schema has an object) merge into one."""
    if kind == hcl.BLOCKS and key in ONE_OR_LIST_KEYS:
        return items[0] if len(items) == 1 else items
    if (
        kind != hcl.VALUES
        and key not in LIST_KEYS
        and (kind == hcl.BLOCKS or isinstance(SCHEMA.get(key), dict))
    ):
        merged: dict[str, Any] = {}
        for item in items:
            merged = merge(merged, item)
        return merged
    return items


def _fold_singular(data: dict[str, Any]) -> None:
    """``service``/``check`` join ``services``/``checks`` per source, as Consul's builder does."""
    for single, plural in (("service", "services"), ("check", "checks")):
        if single not in data:
            continue
        value = data.pop(single)
        extra = value if isinstance(value, list) else [value]
        current = data.get(plural)
        data[plural] = (current if isinstance(current, list) else []) + extra


# --- building ----------------------------------------------------------------------------------


def _build(raw: dict[str, Any], flags: Flags, sources: tuple[str, ...]) -> RuntimeConfig:
    data_dir = raw.get("data_dir") or None
    if data_dir is None and not flags.dev:
        raise ConfigError("data_dir: must be set unless -dev")
    if data_dir is not None and os.path.exists(data_dir) and not os.path.isdir(data_dir):
        raise ConfigError(f"data_dir: {data_dir} is not a directory")
    _check_modes(raw)
    client_addrs = tuple(str(raw["client_addr"]).split())
    if not client_addrs:
        log.warning("config: client_addr is empty, DNS and HTTP will not listen on TCP")
    bind_addr = str(raw["bind_addr"])
    http_port = int(lookup(raw, "ports.http"))
    dns_port = int(lookup(raw, "ports.dns"))
    kv_max = int(lookup(raw, "limits.kv_max_value_size"))
    mode = lookup(raw, "unix_sockets.mode")
    dns_listeners = _listeners("addresses.dns", raw, client_addrs, dns_port)
    if any(lst.kind == "unix" for lst in dns_listeners):
        raise ConfigError("addresses.dns: DNS cannot listen on a unix socket")
    return RuntimeConfig(
        dev=flags.dev,
        server=bool(raw["server"]),
        bootstrap=bool(raw["bootstrap"]),
        datacenter=str(raw["datacenter"]),
        node_name=_node_name(raw.get("node_name")),
        node_id=_node_id(raw.get("node_id"), data_dir),
        data_dir=data_dir,
        log_level=LOG_LEVELS[str(raw["log_level"]).lower()],
        domain=_fqdn(str(raw["domain"])),
        bind_addr=bind_addr,
        advertise_addr=_advertise(raw.get("advertise_addr"), bind_addr),
        client_addrs=client_addrs,
        http_port=http_port,
        dns_port=dns_port,
        server_port=int(lookup(raw, "ports.server")),
        http_listeners=_listeners("addresses.http", raw, client_addrs, http_port),
        dns_listeners=dns_listeners,
        unix_socket_mode=int(mode, 8) if mode is not None else None,
        unix_socket_user=lookup(raw, "unix_sockets.user"),
        unix_socket_group=lookup(raw, "unix_sockets.group"),
        kv_max_value_size=kv_max,
        txn_max_req_len=max(int(lookup(raw, "limits.txn_max_req_len")), kv_max),
        http_max_conns_per_client=int(lookup(raw, "limits.http_max_conns_per_client")),
        default_query_time=parse_duration(raw["default_query_time"]),
        max_query_time=parse_duration(raw["max_query_time"]),
        services=tuple(raw.get("services") or ()),
        checks=tuple(raw.get("checks") or ()),
        watches=tuple(raw.get("watches") or ()),
        raw=raw,
        sources=sources,
        flags=flags,
    )


def _check_modes(raw: dict[str, Any]) -> None:
    server, expect = bool(raw["server"]), int(raw.get("bootstrap_expect") or 0)
    if raw["bootstrap"] and not server:
        raise ConfigError("bootstrap: 'bootstrap = true' requires 'server = true'")
    if expect > 0 and not server:
        raise ConfigError("bootstrap_expect: 'bootstrap_expect > 0' requires 'server = true'")
    if expect > 0 and raw["bootstrap"]:
        raise ConfigError(
            "bootstrap_expect: 'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive"
        )


def _node_name(configured: str | None) -> str:
    name = configured or socket.gethostname()
    if not name:
        raise ConfigError("node_name: cannot be empty (and the host name is empty)")
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):
        log.warning(
            "config: node name %r will not be discoverable via DNS due to invalid characters. "
            "Valid characters include all alpha-numerics and dashes.",
            name,
        )
    elif len(name) > 63:
        log.warning("config: node name %r will not be discoverable via DNS: too long", name)
    return name


def _node_id(configured: str | None, data_dir: str | None) -> str:
    """Configured, else ``<data_dir>/node-id``, else a new uuid4 (saved there if there is one)."""
    if configured:
        return configured.lower()
    if data_dir is None:
        return str(uuid.uuid4())
    path = os.path.join(data_dir, "node-id")
    try:
        with open(path, encoding="utf-8") as f:
            saved = f.read().strip()
    except FileNotFoundError:
        saved = None
    except OSError as e:
        raise ConfigError(f"node_id: cannot read {path}: {e.strerror}") from None
    if saved is not None:
        if not is_uuid(saved):
            raise ConfigError(f"node_id: invalid node ID {saved!r} in {path}")
        return saved.lower()
    node_id = str(uuid.uuid4())
    tmp = path + ".tmp"
    try:
        os.makedirs(data_dir, mode=0o700, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(node_id)
        os.replace(tmp, path)
    except OSError as e:
        raise ConfigError(f"data_dir: cannot write {path}: {e.strerror}") from None
    return node_id


def _advertise(configured: str | None, bind_addr: str) -> str:
    if configured in ("0.0.0.0", "::"):
        raise ConfigError("advertise_addr: cannot be 0.0.0.0, :: or [::]")
    if configured:
        return configured
    return {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(bind_addr, bind_addr)


def _fqdn(domain: str) -> str:
    return domain if domain.endswith(".") else domain + "."


def _listeners(
    key: str, raw: dict[str, Any], client_addrs: tuple[str, ...], port: int
) -> tuple[Listener, ...]:
    """``addresses.<x>`` if set (IPs and unix:///paths), else client_addr, on ``port``."""
    spec = lookup(raw, key)
    entries = spec.split() if isinstance(spec, str) and spec.strip() else list(client_addrs)
    out: list[Listener] = []
    for entry in entries:
        if entry.startswith("unix://"):
            out.append(Listener("unix", path=entry[len("unix://") :]))
        elif port != -1:
            out.append(Listener("tcp", host=entry, port=port))
    return tuple(out)


# --- logging -----------------------------------------------------------------------------------

_LEVELS = {
    "TRACE": TRACE,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERR": logging.ERROR,
}
_LEVEL_NAMES = {TRACE: "TRACE", logging.WARNING: "WARN", logging.CRITICAL: "ERROR"}


class _ConsulFormatter(logging.Formatter):
    """Consul's level names (TRACE, WARN, ERROR) and ISO timestamps with milliseconds."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        name = _LEVEL_NAMES.get(record.levelno)
        if name is None:
            return super().formatMessage(record)
        saved, record.levelname = record.levelname, name
        try:
            return super().formatMessage(record)
        finally:
            record.levelname = saved

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created).astimezone()
        return stamp.isoformat(timespec="milliseconds")


class _AgentHandler(logging.StreamHandler[TextIO]):
    """Marks the handler setup_logging installed, so a reload replaces it instead of adding one."""


def setup_logging(level: str) -> None:
    """Log to stderr as ``<time> [LEVEL] logger: message``; safe to call again on reload."""
    name = LOG_LEVELS.get(level.lower())
    if name is None:
        raise ValueError(f"invalid log level {level!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _AgentHandler)]:
        root.removeHandler(handler)
    handler = _AgentHandler(sys.stderr)
    handler.setFormatter(_ConsulFormatter("%(asctime)s [%(levelname)s] %(name)s: %(message)s"))
    handler.setLevel(_LEVELS[name])  # the root's level may drop while a monitor listens
    root.addHandler(handler)
    root.setLevel(_LEVELS[name])
