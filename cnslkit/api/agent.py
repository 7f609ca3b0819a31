"""``/v1/agent/*`` as :class:`~cnslkit.api.call.Call` records (Go's ``Agent``).

These talk to the local agent's own state: no ``?dc``, no blocking. A service registration is a
JSON object in the agent's wire form (PascalCase keys, as Go's ``AgentServiceRegistration``
marshals); it stays a mapping rather than a record because definitions carry open-ended nested
blocks (``Connect``, ``Proxy``, check variants) that the agent, not the client, validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cnslkit.api import wire
from cnslkit.api.call import Call, encode_json, expect_list, expect_object, ignore, params
from cnslkit.api.errors import ApiError
from cnslkit.api.models import AgentService, HealthCheck, Member

__all__ = [
    "checks",
    "disable_node_maintenance",
    "disable_service_maintenance",
    "enable_node_maintenance",
    "enable_service_maintenance",
    "members",
    "node_name",
    "reload",
    "self_",
    "service_deregister",
    "service_register",
    "services",
    "update_acl_token",
]


def self_() -> Call[dict[str, Any]]:
    """The agent's configuration, member record and stats."""
    return Call("GET", "/v1/agent/self", expect_object)


def _node_name(status: int, body: bytes) -> str:
    config = expect_object(status, body).get("Config")
    name = config.get("NodeName") if isinstance(config, dict) else None
    if not isinstance(name, str):
        raise ApiError(status, "Failed to decode response: no Config.NodeName")
    return name


def node_name() -> Call[str]:
    """The agent's node name (Go's ``Agent.NodeName``); also a cheap "is it there" probe."""
    return Call("GET", "/v1/agent/self", _node_name)


def _members(status: int, body: bytes) -> list[Member]:
    return [Member.from_json(item) for item in expect_list(status, body)]


def members(*, wan: bool = False, segment: str = "", filter: str = "") -> Call[list[Member]]:
    """The LAN (or with ``wan`` the WAN) gossip pool as this agent sees it."""
    query = params(("segment", segment), ("wan", "1" if wan else ""), ("filter", filter))
    return Call("GET", "/v1/agent/members", _members, query)


def _checks(status: int, body: bytes) -> dict[str, HealthCheck]:
    return {str(k): HealthCheck.from_json(v) for k, v in expect_object(status, body).items()}


def checks(*, filter: str = "") -> Call[dict[str, HealthCheck]]:
    """This agent's checks by check ID."""
    return Call("GET", "/v1/agent/checks", _checks, params(("filter", filter)))


def _services(status: int, body: bytes) -> dict[str, AgentService]:
    return {str(k): AgentService.from_json(v) for k, v in expect_object(status, body).items()}


def services(*, filter: str = "") -> Call[dict[str, AgentService]]:
    """This agent's services by service ID."""
    return Call("GET", "/v1/agent/services", _services, params(("filter", filter)))


def service_register(
    definition: Mapping[str, Any], *, replace_existing_checks: bool = False
) -> Call[None]:
    """Register (or replace) a service on this agent."""
    query = params(("replace-existing-checks", "true" if replace_existing_checks else ""))
    return Call("PUT", "/v1/agent/service/register", ignore, query, encode_json(dict(definition)))


def service_deregister(service_id: str) -> Call[None]:
    """Remove a service (and its checks) from this agent."""
    path = "/v1/agent/service/deregister/" + wire.quote_path(service_id)
    return Call("PUT", path, ignore, body=b"")


def enable_node_maintenance(reason: str = "") -> Call[None]:
    # Go always sends reason, even empty; the agent then uses its default note.
    query = (("enable", "true"), ("reason", reason))
    return Call("PUT", "/v1/agent/maintenance", ignore, query, b"")


def disable_node_maintenance() -> Call[None]:
    return Call("PUT", "/v1/agent/maintenance", ignore, (("enable", "false"),), b"")


def enable_service_maintenance(service_id: str, reason: str = "") -> Call[None]:
    path = "/v1/agent/service/maintenance/" + wire.quote_path(service_id)
    return Call("PUT", path, ignore, (("enable", "true"), ("reason", reason)), b"")


def disable_service_maintenance(service_id: str) -> Call[None]:
    path = "/v1/agent/service/maintenance/" + wire.quote_path(service_id)
    return Call("PUT", path, ignore, (("enable", "false"),), b"")


def reload() -> Call[None]:
    """Ask the agent to re-read its configuration files (like SIGHUP)."""
    return Call("PUT", "/v1/agent/reload", ignore, body=b"")


def _found(status: int, body: bytes) -> bool:
    return status != 404


def update_acl_token(kind: str, token: str) -> Call[bool]:
    """Set one of the agent's own tokens (``default``, ``agent``, ``agent_recovery``,
    ``replication``, ``config_file_service_registration``, ``dns``). False means the agent does
    not know ``kind`` (404): Go's client then retries under the type's legacy name."""
    path = "/v1/agent/token/" + wire.quote_path(kind)
    return Call("PUT", path, _found, body=encode_json({"Token": token}), expect=(200, 404))
