"""Companion config files: TOML, HCL and JSON, one at a time or a directory of them.

Shared by watchd and envd (and any companion with the same file rules); the meaning of the keys
belongs to each companion.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from cnslkit import hcl

__all__ = ["LIST_KEYS", "ConfigError", "config_files", "read_file"]

_SUFFIXES = (".toml", ".hcl", ".json")


class ConfigError(Exception):
    """A config file cannot be read or parsed."""


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
