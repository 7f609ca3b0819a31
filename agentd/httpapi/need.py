"""What a route needs from the request's ACL identity, declared next to the route.

Every (route, method) in ``routes.py`` names one of these; the router refuses a route that names
none, so nothing can be served without a decision. Kinds:

- ``public``: no permission (status, the token's own self-read).
- ``path(resource, level, prefix)``: the permission on the name that follows ``prefix``.
- ``this_agent(level)``: ``agent:<level>`` on this agent's node.
- ``scalar(resource, level)``: ``acl``, ``operator``, ``keyring`` ...
- ``in_handler(why)``: the name is in the body (registrations, txn ops): the handler calls
  ``require`` once it has parsed it.
- ``filtered(resource)``: a list; the handler keeps what ``visible`` allows, and the response says
  so in ``X-Consul-Results-Filtered-By-ACLs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentd.errors import PermissionDenied
from agentd.httpapi.request import Request

if TYPE_CHECKING:
    from agentd.agent import Agent


@dataclass(frozen=True, slots=True)
class Need:
    kind: str
    resource: str = ""
    level: str = ""
    prefix: str = ""
    why: str = ""
    check: Callable[[Agent, Request], None] | None = None

    def __call__(self, agent: Agent, req: Request) -> None:
        if self.check is not None:
            self.check(agent, req)


def require(req: Request, resource: str, level: str, name: str = "") -> None:
    identity = req.identity
    if identity is not None and not identity.allowed(resource, level, name):
        raise PermissionDenied(identity.denied_message(resource, level, name))


def visible(req: Request, resource: str, name: str, level: str = "read") -> bool:
    """For lists: whether an item may be shown; a hidden one marks the response filtered."""
    identity = req.identity
    if identity is None or identity.allowed(resource, level, name):
        return True
    req.filtered = True
    return False


def public() -> Need:
    return Need("public")


def path(resource: str, level: str, prefix: str) -> Need:
    def check(agent: Agent, req: Request) -> None:
        require(req, resource, level, req.path[len(prefix) :])

    return Need("path", resource, level, prefix, check=check)


def this_agent(level: str) -> Need:
    def check(agent: Agent, req: Request) -> None:
        require(req, "agent", level, agent.config.node_name)

    return Need("agent", "agent", level, check=check)


def scalar(resource: str, level: str) -> Need:
    def check(agent: Agent, req: Request) -> None:
        require(req, resource, level)

    return Need("scalar", resource, level, check=check)


def in_handler(why: str) -> Need:
    return Need("in_handler", why=why)


def filtered(resource: str) -> Need:
    return Need("filtered", resource)
