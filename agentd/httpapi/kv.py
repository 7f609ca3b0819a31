"""``/v1/kv/<key>``: GET (recurse, keys, separator, raw), PUT (flags, cas, acquire, release),
DELETE (recurse, cas)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from agentd.endpoints import kv as endpoint
from agentd.errors import AgentError, BadRequest, TooLarge
from agentd.httpapi.app import meta_headers, query_options
from agentd.httpapi.need import require, visible
from agentd.httpapi.request import Request, Response
from agentd.state.kv import KVEntry
from agentd.state.kv_verbs import KVOp

if TYPE_CHECKING:
    from agentd.agent import Agent

PREFIX = "/v1/kv/"


def entry_json(e: KVEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "LockIndex": e.lock_index,
        "Key": e.key,
        "Flags": e.flags,
        "Value": base64.b64encode(e.value).decode() if e.value is not None else None,
    }
    if e.session:
        out["Session"] = e.session
    out["CreateIndex"] = e.create_index
    out["ModifyIndex"] = e.modify_index
    return out


def parse_uint(raw: str) -> int:
    """strconv.ParseUint's rules and error text (Consul answers 500 with it)."""
    if not raw.isdigit() or not raw.isascii():
        raise AgentError(f'strconv.ParseUint: parsing "{raw}": invalid syntax')
    value = int(raw)
    if value >= 1 << 64:
        raise AgentError(f'strconv.ParseUint: parsing "{raw}": value out of range')
    return value


def _conflicting(req: Request, *names: str) -> None:
    if sum(1 for n in names if req.has(n)) > 1:
        pairs = sorted((k, v) for k, vs in req.query.items() for v in vs)
        raise BadRequest(f"Conflicting flags: {urlencode(pairs)}\n")


def _key(req: Request) -> str:
    key = req.path[len(PREFIX) :]
    if not key.isascii():
        try:
            key.encode()
        except UnicodeEncodeError:
            raise BadRequest("Invalid key: not valid UTF-8") from None
    return key


def _check_list(agent: Agent, req: Request, prefix: str) -> None:
    if agent.acl.settings.enable_key_list_policy:
        require(req, "key", "list", prefix)


async def get(agent: Agent, req: Request) -> Response:
    key = _key(req)
    opts = query_options(req)
    srv = agent.server
    if req.has("keys"):
        separator = req.arg("separator", req.arg("seperator", "")) or ""
        _check_list(agent, req, key)
        index, keys = await endpoint.keys(srv, key, separator, opts)
        keys = [k for k in keys if visible(req, "key", k)]
        if not keys and key:
            return meta_headers(Response(404, b"", None), index, opts)
        return meta_headers(Response(200, orjson.dumps(keys)), index, opts)
    if req.has("recurse"):
        _check_list(agent, req, key)
        index, entries = await endpoint.tree(srv, key, opts)
        entries = [e for e in entries if visible(req, "key", e.key)]
    elif not key:
        raise BadRequest("Missing key name")
    else:
        require(req, "key", "read", key)  # before existence, as Consul does
        index, entry = await endpoint.get(srv, key, opts)
        entries = [entry] if entry is not None else []
    if not entries:
        return meta_headers(Response(404, b"", None), index, opts)
    if req.has("raw") and not req.has("recurse"):
        resp = Response(200, entries[0].value or b"", "text/plain")
        resp.headers += [
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "sandbox"),
        ]
        return meta_headers(resp, index, opts)
    found = [entry_json(e) for e in entries]
    return meta_headers(Response(200, orjson.dumps(found), data=found), index, opts)


async def put(agent: Agent, req: Request) -> Response:
    _conflicting(req, "cas", "acquire", "release")
    key = _key(req)
    if not key:
        raise BadRequest("Missing key name")
    op = KVOp("set", key)
    if req.has("flags"):
        op.flags = parse_uint(req.arg("flags") or "")
    if req.has("cas"):
        op.verb, op.index = "cas", parse_uint(req.arg("cas") or "")
    if req.has("acquire"):
        op.verb, op.session = "lock", req.arg("acquire") or ""
    if req.has("release"):
        op.verb, op.session = "unlock", req.arg("release") or ""
    limit = agent.config.kv_max_value_size
    if req.content_length > limit:
        raise TooLarge(
            f"Request body({req.content_length} bytes) too large, max size: {limit} bytes. See "
            "https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size."
        )
    op.value = req.body or None
    ok = await endpoint.apply(agent.server, op)
    return Response(200, b"true" if ok else b"false")


async def delete(agent: Agent, req: Request) -> Response:
    _conflicting(req, "recurse", "cas")
    key = _key(req)
    op = KVOp("delete", key)
    if req.has("recurse"):
        op.verb = "delete-tree"
        require(req, "key", "write-prefix", key)
    elif not key:
        raise BadRequest("Missing key name")
    if req.has("cas"):
        op.verb, op.index = "delete-cas", parse_uint(req.arg("cas") or "")
    if op.verb != "delete-tree":
        require(req, "key", "write", key)
    ok = await endpoint.apply(agent.server, op)
    return Response(200, b"true" if ok else b"false")
