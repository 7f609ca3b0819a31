"""Request bodies decoded as Go's encoding/json does: field names match case-insensitively."""

from __future__ import annotations

from typing import Any

import orjson

from agentd.errors import BadRequest


def loads(body: bytes, prefix: str = "Request decode failed") -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"{prefix}: {exc}") from None


def fold(obj: dict[str, Any]) -> dict[str, Any]:
    """Keys lower-cased without ``_``: ``ServiceID``, ``serviceid`` and ``service_id`` meet."""
    return {k.lower().replace("_", ""): v for k, v in obj.items()}


def object_body(body: bytes) -> dict[str, Any]:
    """A request body that must be a JSON object, folded for case-insensitive lookups."""
    obj = loads(body)
    if not isinstance(obj, dict):
        raise BadRequest("Request decode failed: expected a JSON object")
    return fold(obj)


def field_str(f: dict[str, Any], key: str) -> str:
    value = f.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"Request decode failed: {key} must be a string")
    return value


def field_map(f: dict[str, Any], key: str) -> dict[str, Any]:
    value = f.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Request decode failed: {key} must be an object")
    return value


def field_int(f: dict[str, Any], key: str) -> int:
    value = f.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"Request decode failed: {key} must be an integer")
    return value


# ---- nested structs in Go's shape -------------------------------------------------------------
#
# Go decodes a struct field whatever the case of its JSON key and drops keys it does not know, so
# Consul stores (and echoes) its own field names. A shape lists a struct's fields: ``None`` for a
# value kept as given (scalars, and maps such as ``Config`` that are opaque), another shape for a
# nested struct, a one-element list for a list of structs.

Shape = dict[str, Any]

MESH_GATEWAY: Shape = {"Mode": None}
EXPOSE_PATH: Shape = dict.fromkeys(
    ("ListenerPort", "Path", "LocalPathPort", "Protocol", "ParsedFromCheck")
)
EXPOSE: Shape = {"Checks": None, "Paths": [EXPOSE_PATH]}
UPSTREAM: Shape = {
    **dict.fromkeys(
        (
            "DestinationType",
            "DestinationNamespace",
            "DestinationPartition",
            "DestinationPeer",
            "DestinationName",
            "Datacenter",
            "LocalBindAddress",
            "LocalBindPort",
            "LocalBindSocketPath",
            "LocalBindSocketMode",
            "Config",
            "CentrallyConfigured",
            "IngressHosts",
        )
    ),
    "MeshGateway": MESH_GATEWAY,
}
PROXY: Shape = {
    **dict.fromkeys(
        (
            "DestinationServiceName",
            "DestinationServiceID",
            "LocalServiceAddress",
            "LocalServicePort",
            "LocalServiceSocketPath",
            "Mode",
            "Config",
            "MutualTLSMode",
        )
    ),
    "EnvoyExtensions": [
        dict.fromkeys(("Name", "Required", "Arguments", "ConsulVersion", "EnvoyVersion"))
    ],
    "Upstreams": [UPSTREAM],
    "MeshGateway": MESH_GATEWAY,
    "Expose": EXPOSE,
    "TransparentProxy": {"OutboundListenerPort": None, "DialedDirectly": None},
    "AccessLogs": dict.fromkeys(
        ("Enabled", "DisableListenerLogs", "Type", "Path", "JSONPath", "TextPath")
    ),
}

SERVICE_ADDRESS: Shape = {"Address": None, "Port": None}
# structs.HealthCheckDefinition: a catalog-registered check's Definition
CHECK_DEFINITION: Shape = dict.fromkeys(
    (
        "HTTP", "TLSServerName", "TLSSkipVerify", "Header", "Method", "Body",
        "DisableRedirects", "TCP", "TCPUseTLS", "UDP", "H2PING", "H2PingUseTLS", "GRPC",
        "GRPCUseTLS", "OSService", "Interval", "OutputMaxSize", "Timeout",
        "DeregisterCriticalServiceAfter", "ScriptArgs",
    )
)  # fmt: skip
CONNECT: Shape = {"Native": None, "SidecarService": None}


def _one(value: Any) -> Any:
    """An HCL block arrives as a list of objects: the first one counts."""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value[0] if value else None
    return value


def canonical(value: Any, shape: Shape, what: str) -> dict[str, Any]:
    """``value`` (an object, or null) with its keys spelled as the Go struct's fields, keys of no
    field dropped, nested structs alike."""
    value = _one(value)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"Request decode failed: {what} must be an object")
    names = {k.lower(): k for k in shape}
    out: dict[str, Any] = {}
    for key, v in value.items():
        name = names.get(key.lower().replace("_", "")) if isinstance(key, str) else None
        if name is None or v is None:  # null leaves Go's zero value, which these omit
            continue
        below = shape[name]
        if isinstance(below, dict):
            v = canonical(v, below, f"{what}.{name}")
        elif isinstance(below, list):
            if not isinstance(v, list):
                raise BadRequest(f"Request decode failed: {what}.{name} must be a list")
            v = [canonical(item, below[0], f"{what}.{name}") for item in v]
        out[name] = v
    return out


def service_address(value: Any, what: str) -> dict[str, Any]:
    """A ``ServiceAddress``: always both ``Address`` and ``Port``, as Consul emits it."""
    f = canonical(value, SERVICE_ADDRESS, what)
    address, port = f.get("Address"), f.get("Port")
    if address is None:
        address = ""
    if not isinstance(address, str):
        raise BadRequest(f"Request decode failed: {what}.Address must be a string")
    if port is None:
        port = 0
    if isinstance(port, bool) or not isinstance(port, int):
        raise BadRequest(f"Request decode failed: {what}.Port must be an integer")
    return {"Address": address, "Port": port}


def tagged_addresses(value: Any) -> dict[str, dict[str, Any]]:
    """A service's ``TaggedAddresses``: a map of name -> ``ServiceAddress``."""
    value = _one(value)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("Request decode failed: TaggedAddresses must be an object")
    return {
        str(name): service_address(addr, f"TaggedAddresses.{name}") for name, addr in value.items()
    }
