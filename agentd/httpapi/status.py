"""``/v1/status/leader`` and ``/v1/status/peers``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentd.httpapi.app import json_response
from agentd.httpapi.request import Request, Response

if TYPE_CHECKING:
    from agentd.agent import Agent


async def leader(agent: Agent, req: Request) -> Response:
    return json_response(agent.server.leader_addr)


async def peers(agent: Agent, req: Request) -> Response:
    return json_response(agent.server.peers)
