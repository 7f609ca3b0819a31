"""``/v1/session/*``: create, destroy, renew, info, node, list.

Create's defaults are Consul's: this agent's node, the ``serfHealth`` node check, a 15 s
lock-delay, behavior ``release``, no TTL. The deprecated ``Checks`` field follows Consul's
compatibility rules (an empty ``Checks`` empties the default node checks) and its IDs join the
node checks, which is what they are.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import orjson

from agentd.checks.duration import nanoseconds
from agentd.endpoints import session as endpoint
from agentd.errors import BadRequest, NotFound
from agentd.httpapi.app import meta_headers, query_options
from agentd.httpapi.decode import fold, loads
from agentd.httpapi.need import require, visible
from agentd.httpapi.request import Request, Response
from agentd.structs.catalog import SERF_CHECK_ID
from agentd.structs.session import LOCK_DELAY_DEFAULT, TTL_MIN_DEFAULT, Behavior, Session
from cnslkit.duration import parse_duration

if TYPE_CHECKING:
    from agentd.agent import Agent

_DECODE = "Request decode failed"
LOCK_DELAY_MIN_THRESHOLD = 1000  # numbers below this many nanoseconds are taken as seconds


def session_json(s: Session) -> dict[str, Any]:
    return {
        "ID": s.id,
        "Name": s.name,
        "Node": s.node,
        "LockDelay": nanoseconds(s.lock_delay),
        "Behavior": s.behavior,
        "TTL": s.ttl,
        "NodeChecks": list(s.node_checks),
        "ServiceChecks": (
            [{"ID": cid, "Namespace": ns} for cid, ns in s.service_checks]
            if s.service_checks
            else None
        ),
        "CreateIndex": s.create_index,
        "ModifyIndex": s.modify_index,
    }


# ---- decoding the create body ------------------------------------------------------------------


def _str(f: dict[str, Any], key: str, field: str, default: str = "") -> str:
    value = f.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"{_DECODE}: {field} must be a string")
    return value


def _strs(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"{_DECODE}: {field} must be a list of strings")
    return value


def lock_delay(value: Any) -> float:
    """Seconds from a Go duration string or a number of nanoseconds; below 1000 ns, the number
    is taken as seconds (clients send ``5`` meaning 5 s)."""
    if isinstance(value, str):
        try:
            ns = float(nanoseconds(parse_duration(value)))
        except ValueError as exc:
            try:
                ns = float(value)  # a bare number, as some clients send
            except ValueError:
                raise BadRequest(f"{_DECODE}: {exc}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ns = float(value)
    else:
        raise BadRequest(f"{_DECODE}: LockDelay must be a duration")
    if not math.isfinite(ns):
        raise BadRequest(f"{_DECODE}: LockDelay must be a duration")
    seconds = ns if ns < LOCK_DELAY_MIN_THRESHOLD else ns / 1e9
    return max(seconds, 0.0)


def _service_checks(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRequest(f"{_DECODE}: ServiceChecks must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest(f"{_DECODE}: ServiceChecks items must be objects")
        f = fold(item)
        out.append((_str(f, "id", "ServiceChecks.ID"), _str(f, "namespace", "Namespace")))
    return tuple(out)


def _node_checks(f: dict[str, Any]) -> tuple[str, ...]:
    """Consul's fixupEmptySessionChecks: both fields default to serfHealth; an empty ``Checks``
    empties the node checks; a default ``Checks`` defers to ``NodeChecks``."""
    node_checks = [SERF_CHECK_ID]
    checks = [SERF_CHECK_ID]
    if "checks" in f:
        checks = _strs(f["checks"], "Checks")
    if "nodechecks" in f:
        node_checks = _strs(f["nodechecks"], "NodeChecks")
    if not checks:
        node_checks = []
    elif checks == [SERF_CHECK_ID] or not node_checks:
        checks = []
    return tuple(dict.fromkeys([*node_checks, *checks]))


def decode_create(body: bytes, node: str) -> Session:
    raw = loads(body, _DECODE) if body.strip() else None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BadRequest(f"{_DECODE}: expected a JSON object")
    f = fold(raw)
    delay = LOCK_DELAY_DEFAULT
    if f.get("lockdelay") is not None:
        delay = lock_delay(f["lockdelay"])
    return Session(
        id="",
        node=_str(f, "node", "Node") or node,
        name=_str(f, "name", "Name"),
        lock_delay=delay,
        behavior=_str(f, "behavior", "Behavior") or Behavior.RELEASE,
        ttl=_str(f, "ttl", "TTL"),
        node_checks=_node_checks(f),
        service_checks=_service_checks(f.get("servicechecks")),
    )


def ttl_min(agent: Agent) -> float:
    raw = agent.config.raw.get("session_ttl_min")
    return parse_duration(raw) if isinstance(raw, str) and raw else TTL_MIN_DEFAULT


# ---- handlers -----------------------------------------------------------------------------------


def _id(req: Request, prefix: str) -> str:
    session_id = req.path.removeprefix(prefix)
    if not session_id:
        raise BadRequest("Missing session")
    return session_id


def _sessions(sessions: list[Session], index: int, req: Request) -> Response:
    sessions = [s for s in sessions if visible(req, "session", s.node)]
    body = orjson.dumps([session_json(s) for s in sessions])
    return meta_headers(Response(200, body), index, query_options(req))


def _require_own(agent: Agent, req: Request, session_id: str) -> None:
    session = agent.store.sessions.sessions.get(session_id)
    if session is not None:
        require(req, "session", "write", session.node)


async def create(agent: Agent, req: Request) -> Response:
    session = decode_create(req.body, agent.config.node_name)
    require(req, "session", "write", session.node)
    session_id = await endpoint.create(agent.server, session, ttl_min(agent))
    return Response(200, orjson.dumps({"ID": session_id}))


async def destroy(agent: Agent, req: Request) -> Response:
    session_id = _id(req, "/v1/session/destroy/")
    _require_own(agent, req, session_id)
    await endpoint.destroy(agent.server, session_id)
    return Response(200, b"true")


async def renew(agent: Agent, req: Request) -> Response:
    session_id = _id(req, "/v1/session/renew/")
    query_options(req)
    _require_own(agent, req, session_id)
    session = await endpoint.renew(agent.server, session_id)
    if session is None:
        raise NotFound(f"Session id '{session_id}' not found")
    return Response(200, orjson.dumps([session_json(session)]))


async def info(agent: Agent, req: Request) -> Response:
    session_id = _id(req, "/v1/session/info/")
    index, session = await endpoint.get(agent.server, session_id, query_options(req))
    return _sessions([session] if session is not None else [], index, req)


async def node(agent: Agent, req: Request) -> Response:
    name = req.path.removeprefix("/v1/session/node/")
    if not name:
        raise BadRequest("Missing node name")
    index, found = await endpoint.node_sessions(agent.server, name, query_options(req))
    return _sessions(found, index, req)


async def list_(agent: Agent, req: Request) -> Response:
    index, found = await endpoint.list_(agent.server, query_options(req))
    return _sessions(found, index, req)
