"""``PUT /v1/txn``: up to 128 KV operations applied atomically; 409 with every error on rollback."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

import orjson

from agentd.endpoints import txn as endpoint
from agentd.errors import BadRequest, TooLarge
from agentd.httpapi.app import query_options
from agentd.httpapi.decode import fold, loads
from agentd.httpapi.kv import entry_json
from agentd.httpapi.need import require
from agentd.httpapi.request import Request, Response
from agentd.state.kv_verbs import READ_VERBS, KVOp

if TYPE_CHECKING:
    from agentd.agent import Agent

MAX_OPS = 128
_PARSE = "Failed to parse body"


def _int(value: Any, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest(f"{_PARSE}: {field}: expected an unsigned integer")
    return value


def _kv_op(raw: Any, max_value: int) -> KVOp:
    if not isinstance(raw, dict):
        raise BadRequest(f"{_PARSE}: KV operation must be an object")
    f = fold(raw)
    verb, key, session = f.get("verb") or "", f.get("key") or "", f.get("session") or ""
    if not all(isinstance(x, str) for x in (verb, key, session)):
        raise BadRequest(f"{_PARSE}: Verb, Key and Session must be strings")
    value: bytes | None = None
    raw_value = f.get("value")
    if raw_value is not None:
        if not isinstance(raw_value, str):
            raise BadRequest(f"{_PARSE}: Value must be a base64 string")
        try:
            value = base64.b64decode(raw_value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadRequest(f"{_PARSE}: illegal base64 data: {exc}") from None
        if len(value) > max_value:
            raise TooLarge(f'Value for key "{key}" is too large ({len(value)} > {max_value} bytes)')
    return KVOp(
        verb, key, value, _int(f.get("flags"), "Flags"), _int(f.get("index"), "Index"), session
    )


def parse(req: Request, agent: Agent) -> list[KVOp]:
    cfg = agent.config
    limit = max(cfg.txn_max_req_len, cfg.kv_max_value_size)
    if req.content_length > limit:
        raise TooLarge(
            f"Request body({req.content_length} bytes) too large, max size: {limit} bytes. See "
            "https://www.consul.io/docs/agent/config/config-files#txn_max_req_len."
        )
    body = loads(req.body, _PARSE)
    if not isinstance(body, list):
        raise BadRequest(f"{_PARSE}: expected a JSON array of operations")
    if len(body) > MAX_OPS:
        raise TooLarge(f"Transaction contains too many operations ({len(body)} > {MAX_OPS})")
    ops = []
    for item in body:
        if not isinstance(item, dict):
            raise BadRequest(f"{_PARSE}: each operation must be an object")
        f = fold(item)
        if "kv" not in f:
            kinds = ", ".join(sorted(item)) or "none"
            raise BadRequest(f"{_PARSE}: unsupported operation ({kinds}); only KV is supported")
        ops.append(_kv_op(f["kv"], cfg.kv_max_value_size))
    return ops


async def apply(agent: Agent, req: Request) -> Response:
    ops = parse(req, agent)
    for op in ops:
        if op.verb in READ_VERBS:
            require(req, "key", "read", op.key)
        else:
            require(req, "key", "write-prefix" if op.verb == "delete-tree" else "write", op.key)
    read_only = endpoint.is_read_only(ops)
    if read_only:
        query_options(req)  # validates ?stale/?consistent
    result = await endpoint.apply(agent.server, ops)
    body: dict[str, Any]
    if result.errors:
        body = {
            "Results": None,
            "Errors": [{"OpIndex": e.op_index, "What": e.what} for e in result.errors],
        }
        status = 409
    else:
        body = {"Results": [{"KV": entry_json(e)} for e in result.results], "Errors": None}
        status = 200
    resp = Response(status, b"")
    if read_only:
        body.update(Index=agent.server.store.last_index, LastContact=0, KnownLeader=True)
        resp.headers += [("X-Consul-KnownLeader", "true"), ("X-Consul-LastContact", "0")]
    resp.body = orjson.dumps(body)
    return resp
