"""Service definition files (HCL or JSON) -> bodies for ``PUT /v1/agent/service/register``.

Consul reads these files with its agent-config loader, so the same ``service { ... }`` and
``services [ ... ]`` blocks that work in ``-config-dir`` work here, with the agent's key names
(snake_case, or CamelCase as in the API). Other top-level keys (``node_name`` ...) are ignored.
Each definition is sent in the API's spelling, PascalCase as Go's ``AgentServiceRegistration``
marshals it (``args`` becomes ``ScriptArgs``, a check's ``id`` becomes ``CheckID``). The contents
of ``meta``, ``header``, proxy ``config`` and the names in ``tagged_addresses`` are user data
and keep their spelling. The agent validates; nothing is checked here beyond the shape.

python-hcl2 returns string literals with their quotes and blocks as lists of one-element dicts
(marked ``__is_block__``): :func:`normalise_hcl` turns that into JSON's shape first.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

__all__ = ["ServiceFileError", "load", "normalise_hcl", "service_id", "to_api"]


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

_HCL_META = frozenset(
    ("__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__")
)
_ESCAPE = re.compile(r'\\(["\\/bfnrt])|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\$\$\{|%%\{')
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(m: re.Match[str]) -> str:
    if m.group(1):
        return _SIMPLE[m.group(1)]
    if m.group(2) or m.group(3):
        return chr(int(m.group(2) or m.group(3), 16))
    return m.group(0)[1:]  # $${ -> ${ and %%{ -> %{


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return _ESCAPE.sub(_unescape, text[1:-1])
    return text


def normalise_hcl(value: Any, key: str = "", markers: bool = True) -> Any:
    """python-hcl2 output in JSON's shape: plain strings, one object per non-list block.

    ``markers``: blocks carry ``__is_block__`` (python-hcl2 8); before 8, every list of objects
    is taken for blocks.
    """
    if isinstance(value, str):
        return _unquote(value) if markers else value
    if isinstance(value, dict):
        return {
            _unquote(k): normalise_hcl(v, _unquote(k), markers)
            for k, v in value.items()
            if k not in _HCL_META
        }
    if not isinstance(value, list):
        return value
    items = [normalise_hcl(v, "", markers) for v in value]
    blocks = bool(value) and all(
        isinstance(v, dict) and ("__is_block__" in v or not markers) for v in value
    )
    if not blocks or _squash(key) in _LIST_KEYS:
        return items
    if _squash(key) in _ONE_OR_LIST_KEYS:
        return items[0] if len(items) == 1 else items
    merged: dict[str, Any] = {}
    for item in items:
        merged.update(item)
    return merged


def _parse_hcl(text: str) -> Any:
    import hcl2

    try:
        from hcl2.utils import SerializationOptions
    except ImportError:  # python-hcl2 < 8: plain strings, blocks without markers
        return normalise_hcl(hcl2.loads(text), markers=False)
    options = SerializationOptions(
        with_comments=False,
        explicit_blocks=True,
        preserve_heredocs=False,
        preserve_scientific_notation=False,
    )
    return normalise_hcl(hcl2.loads(text, serialization_options=options))


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
