"""watchd's config: files (or directories of them) holding watches, and how to reach Consul.

TOML: ``consul_addr``/``consul_token`` (or a ``[consul]`` table with ``address``/``token``) and
``[[watch]]`` tables. JSON and HCL: Consul's agent config shape, a ``watches`` array (TOML may
use ``watches`` too). Watches accumulate across files; other keys: later files win.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnslkit.configfiles import ConfigError, config_files, read_file
from cnslkit.watch.plans import WatchConfigError, WatchSpec, parse_watch

__all__ = ["ConfigError", "WatchdConfig", "config_files", "load", "read_file"]


@dataclass(frozen=True, slots=True)
class WatchdConfig:
    address: str = ""
    token: str = ""
    watches: tuple[WatchSpec, ...] = field(default_factory=tuple)


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
