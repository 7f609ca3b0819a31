"""Agent service registrations: decode Consul's AgentServiceRegistration (case-insensitive keys,
snake_case aliases), validate with Consul's messages, expand checks and the Connect sidecar."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from agentd.checks import definition as checkdef
from agentd.checks.definition import CheckDefinition
from agentd.errors import BadRequest
from agentd.httpapi.decode import PROXY, canonical, field_str, fold, tagged_addresses
from agentd.structs.catalog import CHECK_STATUSES, Check, Health, Service

SIDECAR_PORTS = range(21000, 21256)
_META_KEY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True, slots=True)
class Registration:
    service: Service
    checks: tuple[CheckDefinition, ...]
    sidecar: Registration | None = None


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def _validate_meta(meta: dict[str, Any]) -> dict[str, str]:
    if len(meta) > 64:
        raise BadRequest(
            "Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs"
        )
    for key, value in meta.items():
        if not _META_KEY.match(key):
            raise BadRequest(f"Invalid Service Meta: Key contains invalid characters: {key!r}")
        if key.startswith("consul-"):
            raise BadRequest(f"Invalid Service Meta: Key prefix 'consul-' is reserved: {key!r}")
        if not isinstance(value, str) or len(value) > 512:
            raise BadRequest("Invalid Service Meta: Value is too long (limit: 512 characters)")
    return dict(meta)


def _weights(raw: Any) -> dict[str, int]:
    weights = {"Passing": 1, "Warning": 1}
    if raw is None:
        return weights
    if not isinstance(raw, dict):
        raise BadRequest("Invalid Weights: must be an object")
    for key, value in fold(raw).items():
        if key in ("passing", "warning"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadRequest("Invalid Weights: values must be integers")
            weights[key.capitalize()] = value
    if weights["Passing"] < 1:
        weights["Passing"] = 1
    if weights["Warning"] < 0 or weights["Passing"] > 65535 or weights["Warning"] > 65535:
        raise BadRequest("Invalid Weights: weights must be in [0, 65535], Passing at least 1")
    return weights


def _address(value: str) -> str:
    try:
        if ipaddress.ip_address(value).is_unspecified:
            raise BadRequest("Invalid service address")
    except ValueError:
        pass  # a host name
    return value


def decode(obj: Any, node: str, used_ports: set[int] | None = None) -> Registration:
    """An AgentServiceRegistration body (or a config-file ``service {}`` block). ``used_ports``
    are the sidecar ports taken by other services, for allocating a sidecar's port."""
    if not isinstance(obj, dict):
        raise BadRequest("Request decode failed: expected a JSON object")
    f = fold(obj)
    name = field_str(f, "name") or field_str(f, "service")
    if not name:
        raise BadRequest("Missing service name")
    sid = field_str(f, "id") or name
    tags = _as_list(f.get("tags"))
    if not all(isinstance(t, str) for t in tags):
        raise BadRequest("Request decode failed: Tags must be strings")
    port = f.get("port") or 0
    if isinstance(port, bool) or not isinstance(port, int):
        raise BadRequest("Request decode failed: Port must be an integer")
    connect = f.get("connect") or {}
    if isinstance(connect, list):  # HCL blocks arrive as lists
        connect = connect[0] if connect else {}
    service = Service(
        node=node,
        id=sid,
        service=name,
        tags=tuple(tags),
        address=_address(field_str(f, "address")),
        port=port,
        meta=_validate_meta(f.get("meta") or {}),
        tagged_addresses=tagged_addresses(f.get("taggedaddresses")),
        weights=_weights(f.get("weights")),
        enable_tag_override=bool(f.get("enabletagoverride")),
        kind=field_str(f, "kind"),
        proxy=canonical(f.get("proxy"), PROXY, "Proxy"),
        connect={"Native": True} if fold(connect).get("native") else {},
        socket_path=field_str(f, "socketpath"),
    )
    raws = _as_list(f.get("check")) + _as_list(f.get("checks"))
    checks = tuple(_service_check(raw, service, i, len(raws)) for i, raw in enumerate(raws, 1))
    sidecar = None
    side = fold(connect).get("sidecarservice") if isinstance(connect, dict) else None
    if isinstance(side, list):
        side = side[0] if side else {}
    if side is not None:
        sidecar = _sidecar(side, service, used_ports or set())
    return Registration(service, checks, sidecar)


def _service_check(raw: Any, service: Service, n: int, total: int) -> CheckDefinition:
    if not isinstance(raw, dict):
        raise BadRequest("Request decode failed: Check must be an object")
    defn = checkdef.from_json(raw, service_id=service.id)
    status = defn.status
    if status and status not in CHECK_STATUSES:
        raise BadRequest("Status for checks must 'passing', 'warning', 'critical'")
    check_id = defn.check_id or (
        f"service:{service.id}" if total == 1 else f"service:{service.id}:{n}"
    )
    name = defn.name or f"Service '{service.service}' check"
    defn = dataclasses.replace(
        defn, check_id=check_id, name=name, service_id=service.id, service_name=service.service
    )
    defn.validate()
    return defn


def _sidecar(raw: Any, parent: Service, used_ports: set[int]) -> Registration:
    f = fold(raw) if isinstance(raw, dict) else {}
    sid = f"{parent.id}-sidecar-proxy"
    port = f.get("port") or allocate_sidecar_port(used_ports)
    body: dict[str, Any] = {
        "ID": sid,
        "Name": f"{parent.service}-sidecar-proxy",
        "Kind": "connect-proxy",
        "Port": port,
        "Address": f.get("address") or parent.address,
        "Tags": f.get("tags") or list(parent.tags),
        "Meta": f.get("meta") or dict(parent.meta),
    }
    proxy = canonical(f.get("proxy"), PROXY, "Proxy")
    proxy.setdefault("DestinationServiceName", parent.service)
    proxy.setdefault("DestinationServiceID", parent.id)
    proxy.setdefault("LocalServiceAddress", "127.0.0.1")
    proxy.setdefault("LocalServicePort", parent.port)
    body["Proxy"] = proxy
    checks = f.get("checks") or f.get("check")
    reg = decode(body, parent.node)
    if not checks:
        checks = [
            {
                "CheckID": f"service:{sid}:1",
                "Name": "Connect Sidecar Listening",
                "TCP": f"{parent.address or '127.0.0.1'}:{port}",
                "Interval": "10s",
            },
            {
                "CheckID": f"service:{sid}:2",
                "Name": f"Connect Sidecar Aliasing {parent.id}",
                "AliasService": parent.id,
            },
        ]
    defs = tuple(
        _service_check(c, reg.service, i, len(_as_list(checks)))
        for i, c in enumerate(_as_list(checks), 1)
    )
    return Registration(reg.service, defs)


def allocate_sidecar_port(used: set[int]) -> int:
    """The lowest free port of the sidecar range, as Consul allocates."""
    for port in SIDECAR_PORTS:
        if port not in used:
            return port
    raise BadRequest("No free sidecar port in 21000-21255")


def check_record(defn: CheckDefinition, node: str) -> Check:
    """The catalog record of a check as first registered (status: given, or critical)."""
    shape = defn.to_json()
    return Check(
        node=node,
        check_id=defn.check_id,
        name=defn.name,
        status=defn.status or Health.CRITICAL,
        notes=defn.notes,
        service_id=defn.service_id,
        service_name=defn.service_name,
        type=shape["Type"],
        interval=shape["Interval"],
        timeout=shape["Timeout"],
        definition=shape["Definition"],
    )
