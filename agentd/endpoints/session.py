"""Session endpoint: create and destroy as SESSION commands, renew in the leader's memory (as in
Consul, a renew writes nothing), reads as blocking queries.

Validation that needs no state (behavior, TTL bounds) happens here, before the log, with Consul's
texts; validation against the catalog (node, checks) happens in the store when the command
applies. Session IDs are chosen here, since the FSM has no randomness.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

from agentd.checks.duration import format_duration
from agentd.endpoints.blocking import QueryOptions
from agentd.errors import AgentError
from agentd.server import Server
from agentd.structs.commands import MessageType
from agentd.structs.session import TTL_MAX, Behavior, Session, to_wire
from cnslkit.duration import parse_duration


def validate(session: Session, ttl_min: float) -> None:
    if session.behavior not in (Behavior.RELEASE, Behavior.DELETE):
        raise AgentError(f"Invalid Behavior setting '{session.behavior}'")
    if not session.node:
        raise AgentError("Must provide Node")
    if not session.ttl:
        return
    try:
        ttl = parse_duration(session.ttl)
    except ValueError as exc:
        raise AgentError(f"Session TTL '{session.ttl}' invalid: {exc}") from None
    if ttl != 0 and (ttl < ttl_min or ttl > TTL_MAX):
        raise AgentError(
            f"Invalid Session TTL '{round(ttl * 1e9)}', must be between "
            f"[{format_duration(ttl_min)}={format_duration(TTL_MAX)}]"
        )


async def create(srv: Server, session: Session, ttl_min: float) -> str:
    """Validate, pick a fresh ID, apply; a TTL session's window starts now."""
    validate(session, ttl_min)
    session_id = str(uuid.uuid4())
    while srv.store.sessions.exists(session_id):
        session_id = str(uuid.uuid4())
    command = {
        "Type": int(MessageType.SESSION),
        "Op": "create",
        "Session": to_wire(replace(session, id=session_id)),
    }
    result = await srv.propose(command)
    if isinstance(result, Exception):
        raise result
    created = srv.store.sessions.get(None, session_id)[1]
    if created is not None:
        srv.session_timers.reset(created, time.monotonic())
    return session_id


async def destroy(srv: Server, session_id: str) -> None:
    """Invalidate the session now (unknown IDs are fine, as in Consul)."""
    await srv.propose(
        {"Type": int(MessageType.SESSION), "Op": "destroy", "ID": session_id, "Now": time.time()}
    )
    srv.session_timers.clear(session_id)


async def renew(srv: Server, session_id: str) -> Session | None:
    """Restart a TTL session's window; None if there is no such session."""
    session = srv.store.sessions.get(None, session_id)[1]
    if session is not None:
        srv.session_timers.reset(session, time.monotonic())
    return session


async def get(srv: Server, session_id: str, opts: QueryOptions) -> tuple[int, Session | None]:
    table = srv.store.sessions
    return await srv.query(opts, lambda ws: table.get(ws, session_id))


async def list_(srv: Server, opts: QueryOptions) -> tuple[int, list[Session]]:
    table = srv.store.sessions
    return await srv.query(opts, table.list_sessions)


async def node_sessions(srv: Server, node: str, opts: QueryOptions) -> tuple[int, list[Session]]:
    table = srv.store.sessions
    return await srv.query(opts, lambda ws: table.node_sessions(ws, node))
