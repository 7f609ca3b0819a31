"""Config values, each checked and blamed on the key (or flag) it came from: a bad one is a
:class:`~cnslkit.configfiles.ConfigError` starting with that name."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from typing import Any

from cnslkit.api.config import parse_bool
from cnslkit.configfiles import ConfigError
from cnslkit.watch.errors import DependencyParseError
from envd.flags import parse_seconds
from envd.nameformat import PATH, FormatError, NameFormat, compile_format

__all__ = [
    "as_bool",
    "as_signal",
    "block",
    "caught_signal",
    "convert",
    "name_format",
    "prefix_path",
    "seconds",
    "signal_number",
    "strings",
    "text",
]


def signal_number(text: str | int | None) -> int | None:
    """``SIGHUP``, ``HUP`` or ``1``; None for empty."""
    if text is None or text == "":
        return None
    if isinstance(text, int) or text.isdigit():
        try:
            return int(signal.Signals(int(text)))
        except ValueError:
            raise ConfigError(f"unknown signal {text!r}") from None
    name = text.upper() if text.upper().startswith("SIG") else "SIG" + text.upper()
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise ConfigError(f"unknown signal {text!r}") from None


def convert(fn: Callable[[Any], Any], value: Any, name: str) -> Any:
    try:
        return fn(value)
    except (ValueError, TypeError, DependencyParseError) as exc:
        raise ConfigError(f"{name}: {exc}") from None


def block(doc: Mapping[str, Any], key: str, where: str = "") -> dict[str, Any]:
    value = doc.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}{key}: must be a block")
    return value


def as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    return bool(convert(lambda v: parse_bool(str(v)), value, name))


def seconds(value: Any, name: str) -> float:
    return float(convert(parse_seconds, value, name))


def as_signal(value: Any, name: str) -> int | None:
    try:
        return signal_number(value if isinstance(value, int | str) or value is None else "?")
    except ConfigError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def caught_signal(value: Any, name: str) -> int | None:
    """A signal envd itself listens for."""
    sig = as_signal(value, name)
    if sig in (signal.SIGKILL, signal.SIGSTOP):
        raise ConfigError(f"{name}: {signal.Signals(sig).name} cannot be caught")
    return sig


def text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name}: must be a string")
    return value


def strings(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ConfigError(f"{name}: must be a list of strings")
    return tuple(items)


def name_format(source: Any, functions: Mapping[str, int], name: str) -> NameFormat:
    if not isinstance(source, str):
        raise ConfigError(f"{name}: must be a string")
    try:
        return compile_format(source, functions)
    except FormatError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def prefix_path(source: Any, name: str) -> str:
    """A prefix path; ``{{ env "X" }}`` is envd's environment variable X."""
    path = name_format(source, PATH, name).render({"env": lambda var: os.environ.get(var, "")})
    return path.lstrip("/")
