"""watchd's config: files (or directories of them) holding watches, and how to reach Consul.

TOML: ``consul_addr``/``consul_token`` (or a ``[consul]`` table with ``address``/``token``) and
``[[watch]]`` tables. JSON and HCL: Consul's agent config shape, a ``watches`` array (TOML may
use ``watches`` too). Watches accumulate across files; other keys: later files win.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnslkit import hcl
from cnslkit.watch.plans import WatchConfigError, WatchSpec, parse_watch

__all__ = ["ConfigError", "WatchdConfig", "config_files", "load", "read_file"]

_SUFFIXES = (".toml", ".hcl", ".json")


class ConfigError(Exception):
    """The config cannot be read or is invalid (exit code 1)."""


@dataclass(frozen=True, slots=True)
class WatchdConfig:
    address: str = ""
    token: str = ""
    watches: tuple[WatchSpec, ...] = field(default_factory=tuple)


#: Keys whose HCL blocks stay a list (watchd's and envd's repeatable blocks).
LIST_KEYS = frozenset(("watches", "watch", "prefix", "service"))


def _keep_lists(key: str, items: list[Any], kind: str) -> Any:
    if kind == hcl.BLOCKS and key not in LIST_KEYS:
        merged: dict[str, Any] = {}
        for item in items:
            merged.update(item)
        return merged
    return items


def read_file(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        if path.endswith(".json"):
            data = json.loads(text)
        elif path.endswith(".hcl"):
            data = hcl.loads(text, _keep_lists)
        else:
            data = tomllib.loads(text)
    except Exception as exc:  # each parser has its own error type; all are a config error
        raise ConfigError(f"failed to parse {path}: {str(exc).strip() or exc!r}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"failed to parse {path}: top level must be an object")
    return data


def config_files(path: str) -> list[str]:
    """A file as is; a directory: its *.toml, *.hcl, *.json files, recursively, sorted."""
    p = Path(path)
    if not p.is_dir():
        return [path]
    return sorted(
        str(Path(root) / name)
        for root, _dirs, names in os.walk(p, followlinks=False)
        for name in names
        if name.endswith(_SUFFIXES)
    )


def load(paths: list[str], address: str = "", token: str = "") -> WatchdConfig:
    raw: list[dict[str, Any]] = []
    for path in paths:
        for name in config_files(path):
            doc = read_file(name)
            consul = doc.get("consul") or {}
            address = str(doc.get("consul_addr") or consul.get("address") or address)
            token = str(doc.get("consul_token") or consul.get("token") or token)
            for key in ("watches", "watch"):
                items = doc.get(key) or []
                raw.extend(items if isinstance(items, list) else [items])
    specs: list[WatchSpec] = []
    for item in raw:
        try:
            specs.append(parse_watch(item))
        except WatchConfigError as exc:
            raise ConfigError(str(exc)) from None
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ConfigError("duplicate watch definition")
    return WatchdConfig(address, token, tuple(specs))
