"""How KV keys and service instances become variables: envconsul's rules, as pure functions.

Prefix keys (``environment``): each key relative to its prefix (leading ``/`` trimmed; blank keys
dropped); with ``no_prefix = false`` the prefix path (non-``[A-Za-z0-9_]`` -> ``_``) and ``_``
are prepended; then ``sanitize`` turns every non-``[A-Za-z0-9_]`` into ``_`` (without it ``/``
stays in the name, as in envconsul); then ``upcase``. Later prefixes win.

Services (``service_environment``), after every prefix: envconsul's ``<svc>/id``, ``/name``,
``/address``, ``/tag`` (comma-joined) and ``/port`` of an instance (the last one wins, as in
envconsul), but only over instances passing their health checks, plus ``<svc>/addresses``: every
healthy ``address:port``, comma-separated, which envconsul cannot give.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from cnslkit.watch.records import HealthService, KeyPair

__all__ = ["dotenv", "name", "prefix_environment", "service_environment", "to_json"]

_INVALID = re.compile(r"[^A-Za-z0-9_]")
_PLAIN = re.compile(r"[A-Za-z0-9_./:@,+%=-]*")


def name(key: str, *, path: str = "", no_prefix: bool = True, sanitize: bool, upcase: bool) -> str:
    if not no_prefix:
        key = f"{_INVALID.sub('_', path.strip('/'))}_{key}"
    if sanitize:
        key = _INVALID.sub("_", key)
    return key.upper() if upcase else key


def prefix_environment(
    path: str, pairs: Sequence[KeyPair], *, no_prefix: bool, sanitize: bool, upcase: bool
) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key = pair.Key.lstrip("/")
        if not key.strip():
            continue
        var = name(key, path=path, no_prefix=no_prefix, sanitize=sanitize, upcase=upcase)
        out[var] = pair.Value
    return out


def service_environment(
    service: str, instances: Sequence[HealthService], *, sanitize: bool, upcase: bool
) -> dict[str, str]:
    out: dict[str, str] = {}
    addresses = []
    for inst in instances:
        address = inst.Address or inst.NodeAddress
        addresses.append(f"{address}:{inst.Port}")
        fields = {
            "id": inst.ID,
            "name": inst.Name,
            "address": address,
            "tag": ",".join(inst.Tags),
            "port": str(inst.Port),
        }
        for field, value in fields.items():
            out[_service_name(f"{service}/{field}", sanitize, upcase)] = value
    if instances:
        out[_service_name(f"{service}/addresses", sanitize, upcase)] = ",".join(addresses)
    return out


def _service_name(key: str, sanitize: bool, upcase: bool) -> str:
    key = key.upper() if upcase else key  # envconsul upcases services before sanitising
    return _INVALID.sub("_", key) if sanitize else key


def dotenv(env: Mapping[str, str]) -> str:
    """``NAME=value`` lines a shell can ``source``/``eval``: values quoted only when needed."""
    lines = []
    for key in sorted(env):
        value = env[key]
        if not _PLAIN.fullmatch(value):
            value = "'" + value.replace("'", "'\\''") + "'"
        lines.append(f"{key}={value}")
    return "".join(line + "\n" for line in lines)


def to_json(env: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(env.items())), indent=2) + "\n"
