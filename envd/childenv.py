"""The child's environment: envconsul's ``exec { env { pristine, custom, allowlist, denylist } }``.

envd's own environment is the base (none with ``pristine``); the variables from Consul override
it; then only the names matching an ``allowlist`` pattern are kept (when there is an
allowlist), and those matching a ``denylist`` pattern are dropped (the denylist wins); the lists
filter the whole result, inherited and Consul-made variables alike. Finally every ``custom``
``NAME=value`` entry is added, whatever the lists say. Patterns are Go globs as envconsul
matches them (``filepath.Match``: ``*``, ``?``, ``[...]``, none of which matches a ``/``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

__all__ = ["ExecEnv", "child_environment", "glob_match", "parse_custom"]


@dataclass(frozen=True, slots=True)
class ExecEnv:
    pristine: bool = False
    custom: tuple[tuple[str, str], ...] = ()
    allowlist: tuple[str, ...] = ()
    denylist: tuple[str, ...] = ()


def parse_custom(entries: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``NAME=value`` entries; ValueError naming the first one without a name or ``=``."""
    out = []
    for entry in entries:
        key, eq, value = entry.partition("=")
        if not eq or not key:
            raise ValueError(f"{entry!r} is not NAME=value")
        out.append((key, value))
    return tuple(out)


def glob_match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match`` on a variable name: wildcards stop at ``/``."""
    parts, names = pattern.split("/"), name.split("/")
    if len(parts) != len(names):
        return False
    return all(fnmatchcase(n, p.replace("[^", "[!")) for p, n in zip(parts, names, strict=True))


def _any(patterns: Iterable[str], name: str) -> bool:
    return any(glob_match(p, name) for p in patterns)


def child_environment(
    parent: Mapping[str, str], variables: Mapping[str, str], spec: ExecEnv
) -> dict[str, str]:
    env = {} if spec.pristine else dict(parent)
    env.update(variables)
    if spec.allowlist:
        env = {k: v for k, v in env.items() if _any(spec.allowlist, k)}
    if spec.denylist:
        env = {k: v for k, v in env.items() if not _any(spec.denylist, k)}
    env.update(spec.custom)
    return env
