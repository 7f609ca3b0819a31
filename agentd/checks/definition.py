"""A check as registered: decoded from Consul's JSON/HCL body, validated, encoded back.

Decoding follows Go's ``encoding/json`` plus Consul's ``CheckType.UnmarshalJSON``: keys match
case-insensitively, the snake_case aliases (``tls_skip_verify``, ``script_args``, ``args`` ...)
meet their CamelCase names, durations are Go strings or integer nanoseconds. Durations are held
as float seconds (0 = not set). ``validate()`` keeps Consul's error texts: clients grep for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

from agentd.checks.duration import format_duration, nanoseconds
from agentd.checks.result import DEFAULT_OUTPUT_MAX_SIZE
from agentd.errors import BadRequest
from cnslkit.duration import parse_duration

__all__ = ["MIN_INTERVAL", "CheckDefinition", "InvalidCheck", "from_json"]

# checks.MinInterval: a shorter interval is raised to this when the check runs (fork-bomb guard).
MIN_INTERVAL: Final = 1.0


class InvalidCheck(BadRequest):
    """A check body that cannot be decoded or fails validation (HTTP 400, message as body)."""


@dataclass(frozen=True, slots=True)
class CheckDefinition:
    check_id: str = ""
    name: str = ""
    notes: str = ""
    service_id: str = ""
    service_name: str = ""
    status: str = ""  # initial status; "" means the agent default (critical)
    args: tuple[str, ...] = ()
    interval: float = 0.0
    timeout: float = 0.0
    http: str = ""
    method: str = ""
    header: dict[str, list[str]] = field(default_factory=dict)
    body: str = ""
    tls_server_name: str = ""
    tls_skip_verify: bool = False
    disable_redirects: bool = False
    tcp: str = ""
    tcp_use_tls: bool = False
    udp: str = ""
    grpc: str = ""
    grpc_use_tls: bool = False
    h2ping: str = ""
    h2ping_use_tls: bool = False
    docker_container_id: str = ""
    shell: str = ""
    os_service: str = ""
    ttl: float = 0.0
    alias_node: str = ""
    alias_service: str = ""
    deregister_critical_service_after: float = 0.0
    success_before_passing: int = 0
    failures_before_warning: int = 0
    failures_before_critical: int = 0
    output_max_size: int = DEFAULT_OUTPUT_MAX_SIZE

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_node or self.alias_service)

    @property
    def type(self) -> str:
        """Consul's ``CheckType.Type()``: the same precedence, "" when nothing runnable is set."""
        periodic = self.interval > 0
        script = bool(self.args)
        if self.grpc and periodic:
            return "grpc"
        if self.http and periodic:
            return "http"
        if self.ttl > 0:
            return "ttl"
        if self.tcp and periodic:
            return "tcp"
        if self.udp and periodic:
            return "udp"
        if self.is_alias:
            return "alias"
        if script and self.docker_container_id and periodic:
            return "docker"
        if script and periodic:
            return "script"
        if self.h2ping and periodic:
            return "h2ping"
        if self.os_service and periodic:
            return "os_service"
        return ""

    @property
    def run_interval(self) -> float:
        """The interval the check really runs at: never below MIN_INTERVAL."""
        return max(self.interval, MIN_INTERVAL)

    def validate(self) -> None:
        """Raise InvalidCheck with Consul's ``CheckType.Validate`` texts, in its order."""
        periodic_kind = bool(
            self.args
            or self.http
            or self.tcp
            or self.udp
            or self.grpc
            or self.h2ping
            or self.os_service
        )
        if self.interval > 0 and self.ttl > 0:
            _invalid("Interval and TTL cannot both be specified")
        if periodic_kind and self.interval <= 0:
            _invalid("Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks")
        # Consul only rejects an alias that also names a periodic kind; a bare Interval on an
        # alias is refused here too, as the message (and the reference) says it should be.
        if self.is_alias and (periodic_kind or self.interval > 0):
            _invalid("Interval cannot be set for Alias checks")
        if self.is_alias and self.ttl > 0:
            _invalid("TTL must be not be set for Alias checks")
        if not periodic_kind and not self.is_alias and self.ttl <= 0:
            _invalid("TTL must be > 0 for TTL checks")
        if self.output_max_size < 0:
            _invalid("MaxOutputMaxSize must be positive")
        if self.failures_before_warning > self.failures_before_critical:
            _invalid("FailuresBeforeWarning can't be higher than FailuresBeforeCritical")

    def to_json(self) -> dict[str, Any]:
        """The HealthCheck fields a definition decides: ``Type``, ``Interval``, ``Timeout``
        (Go duration strings, "" when unset) and the ``omitempty`` ``Definition`` object."""
        return {
            "Type": self.type,
            "Interval": format_duration(self.interval) if self.interval else "",
            "Timeout": format_duration(self.timeout) if self.timeout else "",
            "Definition": self._definition(),
        }

    def _definition(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "HTTP": self.http,
            "TLSServerName": self.tls_server_name,
            "TLSSkipVerify": self.tls_skip_verify,
            "Header": self.header,
            "Method": self.method,
            "Body": self.body,
            "DisableRedirects": self.disable_redirects,
            "TCP": self.tcp,
            "TCPUseTLS": self.tcp_use_tls,
            "UDP": self.udp,
            "H2PING": self.h2ping,
            "OSService": self.os_service,
            "H2PingUseTLS": self.h2ping_use_tls,
            "Interval": format_duration(self.interval) if self.interval else "",
            "OutputMaxSize": (
                self.output_max_size if self.output_max_size != DEFAULT_OUTPUT_MAX_SIZE else 0
            ),
            "Timeout": format_duration(self.timeout) if self.timeout else "",
            "DeregisterCriticalServiceAfter": (
                format_duration(self.deregister_critical_service_after)
                if self.deregister_critical_service_after
                else ""
            ),
            "ScriptArgs": list(self.args),
            "DockerContainerID": self.docker_container_id,
            "Shell": self.shell,
            "GRPC": self.grpc,
            "GRPCUseTLS": self.grpc_use_tls,
            "AliasNode": self.alias_node,
            "AliasService": self.alias_service,
            # Consul's quirk: TTL inside Definition is integer nanoseconds.
            "TTL": nanoseconds(self.ttl),
        }
        return {k: v for k, v in d.items() if v}


def _invalid(reason: str) -> NoReturn:
    raise InvalidCheck(f"Invalid check: {reason}")


# Folded key (lower case, no "_") -> field, for every spelling Consul accepts. When two
# spellings of one field are both present, the first listed here wins.
_KEYS: Final[tuple[tuple[str, str], ...]] = (
    ("id", "check_id"),
    ("checkid", "check_id"),
    ("name", "name"),
    ("notes", "notes"),
    ("serviceid", "service_id"),
    ("servicename", "service_name"),
    ("status", "status"),
    ("scriptargs", "args"),
    ("args", "args"),
    ("interval", "interval"),
    ("timeout", "timeout"),
    ("http", "http"),
    ("method", "method"),
    ("header", "header"),
    ("body", "body"),
    ("tlsservername", "tls_server_name"),
    ("tlsskipverify", "tls_skip_verify"),
    ("disableredirects", "disable_redirects"),
    ("tcp", "tcp"),
    ("tcpusetls", "tcp_use_tls"),
    ("udp", "udp"),
    ("grpc", "grpc"),
    ("grpcusetls", "grpc_use_tls"),
    ("h2ping", "h2ping"),
    ("h2pingusetls", "h2ping_use_tls"),
    ("dockercontainerid", "docker_container_id"),
    ("shell", "shell"),
    ("osservice", "os_service"),
    ("ttl", "ttl"),
    ("aliasnode", "alias_node"),
    ("aliasservice", "alias_service"),
    ("deregistercriticalserviceafter", "deregister_critical_service_after"),
    ("successbeforepassing", "success_before_passing"),
    ("failuresbeforewarning", "failures_before_warning"),
    ("failuresbeforecritical", "failures_before_critical"),
    ("outputmaxsize", "output_max_size"),
)
_DURATIONS: Final = frozenset({"interval", "timeout", "ttl", "deregister_critical_service_after"})


def from_json(obj: dict[str, Any], *, service_id: str = "") -> CheckDefinition:
    """Decode a check body (agent check register, or one entry of a service's Check/Checks).

    ``service_id`` is the owning service for checks embedded in a service definition; it wins
    over any ServiceID in the body. Unknown keys are ignored. Raises InvalidCheck.
    """
    if not isinstance(obj, dict):
        raise InvalidCheck("Request decode failed: check definition must be an object")
    folded: dict[str, tuple[str, Any]] = {}
    for key, value in obj.items():
        folded.setdefault(str(key).lower().replace("_", ""), (key, value))
    values: dict[str, Any] = {}
    for fkey, name in _KEYS:
        if name in values or fkey not in folded:
            continue
        key, raw = folded[fkey]
        if raw is None:
            continue
        values[name] = _convert(name, key, raw)
    if service_id:
        values["service_id"] = service_id
    if values.get("h2ping") and "h2ping_use_tls" not in values:
        values["h2ping_use_tls"] = True  # Consul's default for H2PING checks
    if not values.get("output_max_size"):
        values.pop("output_max_size", None)
    return CheckDefinition(**values)


def _convert(name: str, key: str, raw: Any) -> Any:
    default = CheckDefinition.__dataclass_fields__[name].default
    if name in _DURATIONS:
        return _duration(key, raw)
    if name == "args":
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            _decode_error(key, "[]string", raw)
        return tuple(raw)
    if name == "header":
        return _header(key, raw)
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            _decode_error(key, "bool", raw)
        return raw
    if isinstance(default, int):
        if not _is_number(raw) or (isinstance(raw, float) and not raw.is_integer()):
            _decode_error(key, "int", raw)
        return int(raw)
    if not isinstance(raw, str):
        _decode_error(key, "string", raw)
    return raw


def _duration(key: str, raw: Any) -> float:
    if isinstance(raw, str):
        try:
            return parse_duration(raw)
        except ValueError as exc:
            raise InvalidCheck(f"Request decode failed: {exc}") from None
    if _is_number(raw) and math.isfinite(raw):
        return int(raw) / 1e9  # integer nanoseconds, as Go's time.Duration(float64)
    _decode_error(key, "duration", raw)


def _is_number(raw: Any) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _header(key: str, raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        _decode_error(key, "map[string][]string", raw)
    out: dict[str, list[str]] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            out[str(name)] = [value]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[str(name)] = list(value)
        else:
            _decode_error(f"{key}.{name}", "[]string", value)
    return out


def _decode_error(key: str, want: str, raw: Any) -> NoReturn:
    got = {bool: "bool", str: "string", list: "array", dict: "object"}.get(type(raw), "number")
    raise InvalidCheck(f"Request decode failed: cannot unmarshal {got} into {key} of type {want}")
