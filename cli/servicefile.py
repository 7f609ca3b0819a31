"""Service definition files (HCL or JSON) -> bodies for ``PUT /v1/agent/service/register``.

Consul reads these files with its agent-config loader, so the same ``service { ... }`` and
``services [ ... ]`` blocks that work in ``-config-dir`` work here, with the agent's key names
(snake_case, or CamelCase as in the API). Other top-level keys (``node_name`` ...) are ignored.
Each definition is sent in the API's spelling, PascalCase as Go's ``AgentServiceRegistration``
marshals it (``args`` becomes ``ScriptArgs``, a check's ``id`` becomes ``CheckID``). The contents
of ``meta``, ``header``, proxy ``config`` and the names in ``tagged_addresses`` are user data
and keep their spelling. The agent validates; nothing is checked here beyond the shape.

python-hcl2 returns string literals with their quotes and blocks as lists of one-element dicts
(marked ``__is_block__``): :mod:`cnslkit.hcl` turns that into JSON's shape first.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from cnslkit import hcl

__all__ = ["ServiceFileError", "load", "service_id", "to_api"]


class ServiceFileError(Exception):
    """A file could not be read or is not a service definition; the message says which."""


def _squash(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


_API_NAMES = (  # noqa: SIM905 (a word list reads better than ninety quoted names)
    # AgentServiceRegistration
    "Kind ID Name Tags Port Address SocketPath TaggedAddresses EnableTagOverride Meta Weights "
    "Check Checks Proxy Connect Namespace Partition Locality Token "
    # AgentServiceCheck
    "CheckID Notes Status ScriptArgs DockerContainerID Shell Interval Timeout TTL HTTP Header "
    "Method Body DisableRedirects TCP TCPUseTLS UDP TLSServerName TLSSkipVerify GRPC GRPCUseTLS "
    "H2PING H2PingUseTLS AliasNode AliasService SuccessBeforePassing FailuresBeforeWarning "
    "FailuresBeforeCritical DeregisterCriticalServiceAfter OutputMaxSize OSService ServiceID "
    # Connect, proxy, upstreams, expose, weights, locality
    "Native SidecarService DestinationServiceName DestinationServiceID LocalServiceAddress "
    "LocalServicePort LocalServiceSocketPath Mode TransparentProxy Config Upstreams MeshGateway "
    "Expose AccessLogs EnvoyExtensions DestinationType DestinationNamespace DestinationPartition "
    "DestinationPeer DestinationName Datacenter LocalBindAddress LocalBindPort "
    "LocalBindSocketPath LocalBindSocketMode CentrallyConfigured Checks Paths ListenerPort Path "
    "LocalPathPort Protocol OutboundListenerPort DialedDirectly Passing Warning Region Zone "
    "Required Arguments Enabled DisableListenerLogs JSONFormat TextFormat Type"
).split()
_NAMES = {_squash(name): name for name in _API_NAMES}
_NAMES["args"] = "ScriptArgs"
# Maps whose keys and values are the user's: copied as they are.
_VERBATIM = frozenset(("Meta", "Header", "Config", "Arguments"))
# Keys whose blocks stay a list; "service"/"check" blocks give one object, or a list of several.
_LIST_KEYS = frozenset(("services", "checks", "upstreams", "paths", "envoyextensions"))
_ONE_OR_LIST_KEYS = frozenset(("service", "check"))


def _api_key(key: str, in_check: bool) -> str:
    squashed = _squash(key)
    if in_check and squashed == "id":
        return "CheckID"
    name = _NAMES.get(squashed)
    if name is not None:
        return name
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_-]", key))


def _convert(value: Any, in_check: bool) -> Any:
    if isinstance(value, list):
        return [_convert(item, in_check) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _api_key(str(key), in_check)
        if name in _VERBATIM:
            out[name] = item
        elif name == "TaggedAddresses" and isinstance(item, dict):
            out[name] = {str(k): _convert(v, False) for k, v in item.items()}
        else:
            out[name] = _convert(item, name in ("Check", "Checks"))
    return out


def to_api(definition: dict[str, Any]) -> dict[str, Any]:
    """One service definition in the API's key spelling."""
    converted = _convert(definition, False)
    assert isinstance(converted, dict)
    return converted


def service_id(registration: dict[str, Any]) -> str:
    """The ID the agent will use: ``ID``, or the name when there is none."""
    return str(registration.get("ID") or registration.get("Name") or "")


# --- HCL ---------------------------------------------------------------------------------------


def _combine(key: str, items: list[Any], kind: str) -> Any:
    """``service``/``check`` blocks stay one or a list; repeated other blocks merge."""
    if kind != hcl.BLOCKS or _squash(key) in _LIST_KEYS:
        return items
    if _squash(key) in _ONE_OR_LIST_KEYS:
        return items[0] if len(items) == 1 else items
    merged: dict[str, Any] = {}
    for item in items:
        merged.update(item)
    return merged


def _parse_hcl(text: str) -> Any:
    return hcl.loads(text, _combine)


# --- files -------------------------------------------------------------------------------------


def parse(name: str, text: str) -> list[dict[str, Any]]:
    """The service definitions in one document (``.json`` is JSON; anything else is tried as
    JSON when it starts with ``{``, else as HCL, which is a superset for these files)."""
    is_json = name.endswith(".json") or (not name.endswith(".hcl") and text.lstrip()[:1] == "{")
    try:
        doc = json.loads(text) if is_json else _parse_hcl(text)
    except Exception as exc:  # json's ValueError, lark's parse errors
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ServiceFileError(f"Error parsing {name}: {first}") from None
    if not isinstance(doc, dict):
        raise ServiceFileError(f"Error parsing {name}: top level must be an object")
    fields = {_squash(str(k)): v for k, v in doc.items()}
    found: list[Any] = []
    for key in ("services", "service"):  # Consul's builder: the list first, then the single one
        value = fields.get(key)
        if value is not None:
            found.extend(value if isinstance(value, list) else [value])
    if not all(isinstance(item, dict) for item in found):
        raise ServiceFileError(f"Error parsing {name}: a service must be an object")
    return [to_api(item) for item in found]


def load(path: str) -> list[dict[str, Any]]:
    """The registrations defined in the file at ``path``."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise ServiceFileError(f"open {path}: {reason}") from None
    return parse(path, text)
