"""How KV keys and service instances become variables: envconsul's rules, as pure functions.

Prefix keys (``prefix_environment``): each key relative to its prefix (leading ``/`` trimmed;
blank keys dropped); with ``no_prefix = false`` the prefix path (non-``[A-Za-z0-9_]`` -> ``_``)
and ``_`` are prepended; then the prefix's ``format`` (``{{ key }}``, ``replaceKey``); then
``sanitize`` turns every non-``[A-Za-z0-9_]`` into ``_`` (without it ``/`` stays in the name, as
in envconsul); then ``upcase``. Later prefixes win.

Services (``service_environment``), after every prefix: envconsul's ``<svc>/id``, ``/name``,
``/address``, ``/tag`` (comma-joined) and ``/port`` of an instance (the last one wins, as in
envconsul), each renamed by its ``format_*`` template (``{{ service }}``, ``{{ key }}``), but
only over instances passing their health checks, plus ``<svc>/addresses``: every healthy
``address:port``, comma-separated, which envconsul cannot give. Then upcase, then sanitize.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cnslkit.watch.records import HealthService, KeyPair
from envd.nameformat import SERVICE, NameFormat, compile_format

__all__ = [
    "SERVICE_FIELDS",
    "ServiceFormats",
    "dotenv",
    "name",
    "prefix_environment",
    "service_environment",
    "to_json",
]

_INVALID = re.compile(r"[^A-Za-z0-9_]")
_PLAIN = re.compile(r"[A-Za-z0-9_./:@,+%=-]*")

#: the variables of a service instance, in envconsul's order, then envd's ``addresses``
SERVICE_FIELDS = ("id", "name", "address", "tag", "port", "addresses")


def _key_funcs(key: str) -> dict[str, Callable[..., str]]:
    return {"key": lambda: key, "replaceKey": lambda old, new, k: k.replace(old, new)}


def name(
    key: str,
    *,
    path: str = "",
    no_prefix: bool = True,
    format: NameFormat | None = None,
    sanitize: bool,
    upcase: bool,
) -> str:
    if not no_prefix:
        key = f"{_INVALID.sub('_', path.strip('/'))}_{key}"
    if format is not None:
        key = format.render(_key_funcs(key))
    if sanitize:
        key = _INVALID.sub("_", key)
    return key.upper() if upcase else key


def prefix_environment(
    path: str,
    pairs: Sequence[KeyPair],
    *,
    no_prefix: bool,
    format: NameFormat | None = None,
    sanitize: bool,
    upcase: bool,
) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key = pair.Key.lstrip("/")
        if not key.strip():
            continue
        var = name(key, path=path, no_prefix=no_prefix, format=format, sanitize=sanitize,
                   upcase=upcase)  # fmt: skip
        out[var] = pair.Value
    return out


def _default_formats() -> dict[str, NameFormat]:
    return {f: compile_format(f"{{{{ service }}}}/{f}", SERVICE) for f in SERVICE_FIELDS}


@dataclass(frozen=True, slots=True)
class ServiceFormats:
    """``format_<field>`` templates by field; a field not given keeps ``{{ service }}/<field>``."""

    given: Mapping[str, NameFormat] = field(default_factory=dict)

    def get(self, which: str) -> NameFormat:
        return self.given.get(which) or _DEFAULTS[which]


_DEFAULTS = _default_formats()


def service_environment(
    service: str,
    instances: Sequence[HealthService],
    *,
    formats: ServiceFormats | None = None,
    sanitize: bool,
    upcase: bool,
) -> dict[str, str]:
    formats = formats or ServiceFormats()
    out: dict[str, str] = {}
    addresses = []
    for inst in instances:
        address = inst.Address or inst.NodeAddress
        addresses.append(f"{address}:{inst.Port}")
        values = {
            "id": inst.ID,
            "name": inst.Name,
            "address": address,
            "tag": ",".join(inst.Tags),
            "port": str(inst.Port),
        }
        svc = inst.Name or service
        for which, value in values.items():
            out[_service_name(formats.get(which), svc, which, sanitize, upcase)] = value
    if instances:
        svc = instances[-1].Name or service
        var = _service_name(formats.get("addresses"), svc, "addresses", sanitize, upcase)
        out[var] = ",".join(addresses)
    return out


def _service_name(fmt: NameFormat, service: str, which: str, sanitize: bool, upcase: bool) -> str:
    key = fmt.render({"service": lambda: service, "key": lambda: which})
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
