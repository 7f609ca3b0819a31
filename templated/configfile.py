"""Reading config files: TOML (tomllib), consul-template's HCL (python-hcl2) and JSON, into one
plain dict shape, and merging several of them.

A directory is read recursively in lexical order without following symlinks (consul-template's
rule), taking ``*.toml``, ``*.hcl`` and ``*.json``. Merging: later values win, maps merge key by
key, and ``template`` blocks accumulate. HCL output is normalised to JSON's shape: strings
unquoted, one-off blocks (``consul {}``) folded to a dict, ``template {}`` kept as a list, and
``perms = 0644`` read as octal (HCL drops the leading zero that said so).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from cnslkit import hcl
from templated.errors import ConfigError

__all__ = ["LIST_KEYS", "load_path", "merge"]

#: Keys whose values accumulate across blocks and files.
LIST_KEYS = frozenset(("template",))
_SUFFIXES = (".toml", ".hcl", ".json")
_HCL_META = frozenset(
    {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}
)
_ESCAPE = re.compile(r'\\(["\\/bfnrt])|\\u([0-9a-fA-F]{4})|\$\$\{|%%\{')
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def load_path(path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every config document under ``path`` (a file or a directory), as (file name, dict)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(
            Path(root) / name
            for root, _dirs, names in os.walk(p, followlinks=False)
            for name in names
            if name.endswith(_SUFFIXES)
        )
        return [(str(f), load_file(str(f))) for f in files]
    return [(str(p), load_file(str(p)))]


def load_file(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = _parse(path, text)
    except ConfigError:
        raise
    except Exception as exc:  # each parser has its own error type; all are a config error
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"config: failed to parse {path}: {message}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config: failed to parse {path}: top level must be an object")
    return data


def _parse(path: str, text: str) -> Any:
    if path.endswith(".toml"):
        return tomllib.loads(text)
    if path.endswith(".json"):
        return json.loads(text)
    if path.endswith(".hcl"):
        return _parse_hcl(text)
    # Unknown suffix: TOML first, then HCL (which also reads JSON).
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _parse_hcl(text)


def _combine(key: str, items: list[Any], kind: str) -> Any:
    """Repeated blocks merge into one, except the LIST_KEYS (``template`` ...), which list."""
    if kind == hcl.BLOCKS and key not in LIST_KEYS:
        merged: dict[str, Any] = {}
        for item in items:
            merged = merge(merged, item)
        return merged
    return items


def _leaf(key: str, value: Any) -> Any:
    return _octal_digits(value) if key == "perms" and isinstance(value, int) else value


def _parse_hcl(text: str) -> Any:
    return hcl.loads(text, _combine, _leaf)


def _octal_digits(number: int) -> int:
    text = str(number)
    if all(c in "01234567" for c in text):
        return int(text, 8)
    raise ConfigError(f"config: perms {number} is not an octal mode")


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: maps merge, LIST_KEYS accumulate, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if key in LIST_KEYS:
            extra = value if isinstance(value, list) else [value]
            current = out.get(key)
            out[key] = (current if isinstance(current, list) else []) + extra
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
