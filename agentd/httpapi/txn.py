"""``PUT /v1/txn``: up to 128 KV, Node, Service and Check operations applied atomically; 409 with
every error on rollback.

ACLs: a KV op needs ``key`` read (read verbs) or write on its key, else the request is refused
with 403. A catalog write is vetted the way Consul's servers do before the log: a node op needs
``node:write`` on the node, a service op ``service:write`` on the service (and on a proxy's
destination), a check op ``service:write`` on its service or, for a node check, ``node:write``;
a refusal is that op's error, and the transaction answers 409 without being applied. Catalog
``get`` results the token may not read are left out of the answer.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from string import hexdigits
from typing import TYPE_CHECKING, Any

import orjson

from agentd.checks.duration import format_duration
from agentd.endpoints import txn as endpoint
from agentd.errors import BadRequest, TooLarge
from agentd.httpapi.app import query_options
from agentd.httpapi.decode import PROXY, canonical, fold, loads, tagged_addresses
from agentd.httpapi.kv import entry_json
from agentd.httpapi.need import require
from agentd.httpapi.request import Request, Response
from agentd.httpapi.shapes import check_json, node_json, node_service_json
from agentd.state.kv import KVEntry
from agentd.state.kv_verbs import READ_VERBS, KVOp
from agentd.state.txn import TxnEntry, TxnError, TxnOp, TxnResult
from agentd.state.txn_catalog import CatalogOp
from agentd.structs.catalog import Check, Node, Service
from cnslkit.duration import parse_duration

if TYPE_CHECKING:
    from agentd.agent import Agent
    from agentd.state.store import Store

MAX_OPS = 128
_PARSE = "Failed to parse body"


def _bad(what: str) -> BadRequest:
    return BadRequest(f"{_PARSE}: {what}")


def _int(value: Any, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(f"{field}: expected an unsigned integer")
    return value


# ---- decoding: Go's encoding/json matches field names case-insensitively -----------------------


def _object(raw: Any, name: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad(f"{name} must be an object")
    return fold(raw)


def _str(f: dict[str, Any], name: str) -> str:
    value = f.get(name.lower())
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{name} must be a string")
    return value


def _signed(f: dict[str, Any], name: str) -> int:
    value = f.get(name.lower())
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"{name} must be an integer")
    return value


def _bool(f: dict[str, Any], name: str) -> bool:
    value = f.get(name.lower())
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _bad(f"{name} must be a boolean")
    return value


def _str_map(f: dict[str, Any], name: str) -> dict[str, str]:
    value = f.get(name.lower())
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _bad(f"{name} must be an object of strings")
    return value


def _str_list(f: dict[str, Any], name: str) -> tuple[str, ...]:
    value = f.get(name.lower())
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{name} must be a list of strings")
    return tuple(value)


def _nanos(value: Any, name: str) -> int:
    """A duration as Consul reads one: a Go duration string, or a number of nanoseconds."""
    if value is None:
        return 0
    if isinstance(value, str):
        try:
            return round(parse_duration(value) * 1e9)
        except ValueError as exc:
            raise _bad(str(exc)) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"{name} must be a duration")
    return int(value)


_DEFINITION_STRINGS = ("HTTP", "TLSServerName", "Method", "Body", "TCP", "GRPC", "OSService")
_DEFINITION_BOOLS = ("TLSSkipVerify", "GRPCUseTLS")
_DEFINITION_DURATIONS = ("Interval", "Timeout", "DeregisterCriticalServiceAfter")


def _definition(raw: Any) -> dict[str, Any]:
    """The fields of a check definition a txn keeps, as HealthCheck JSON shows them: empty ones
    left out, durations as Go duration strings (``IntervalDuration`` and the like are read too,
    for clients that send those)."""
    f = _object(raw, "Definition")
    out: dict[str, Any] = {}
    for name in _DEFINITION_DURATIONS:
        ns = _nanos(f.get(name.lower()), name) or _nanos(f.get(f"{name.lower()}duration"), name)
        if ns:
            out[name] = format_duration(ns / 1e9)
    for name in _DEFINITION_STRINGS:
        if text := _str(f, name):
            out[name] = text
    for name in _DEFINITION_BOOLS:
        if _bool(f, name):
            out[name] = True
    header = f.get("header")
    if header:
        if not isinstance(header, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in header.values()
        ):
            raise _bad("Header must be an object of string lists")
        out["Header"] = header
    return out


def _kv_op(raw: Any, max_value: int) -> KVOp:
    if not isinstance(raw, dict):
        raise _bad("KV operation must be an object")
    f = fold(raw)
    verb, key, session = f.get("verb") or "", f.get("key") or "", f.get("session") or ""
    if not all(isinstance(x, str) for x in (verb, key, session)):
        raise _bad("Verb, Key and Session must be strings")
    value: bytes | None = None
    raw_value = f.get("value")
    if raw_value is not None:
        if not isinstance(raw_value, str):
            raise _bad("Value must be a base64 string")
        try:
            value = base64.b64decode(raw_value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _bad(f"illegal base64 data: {exc}") from None
        if len(value) > max_value:
            raise TooLarge(f'Value for key "{key}" is too large ({len(value)} > {max_value} bytes)')
    return KVOp(
        verb, key, value, _int(f.get("flags"), "Flags"), _int(f.get("index"), "Index"), session
    )


def _node_op(raw: Any, datacenter: str) -> CatalogOp:
    f = _object(raw, "Node operation")
    n = _object(f.get("node"), "Node")
    node = Node(
        node=_str(n, "Node"),
        address=_str(n, "Address"),
        id=_str(n, "ID"),
        datacenter=_str(n, "Datacenter") or datacenter,
        tagged_addresses=_str_map(n, "TaggedAddresses"),
        meta=_str_map(n, "Meta"),
        modify_index=_int(n.get("modifyindex"), "ModifyIndex"),
    )
    return CatalogOp("Node", _str(f, "Verb"), node=node)


def _service_op(raw: Any) -> CatalogOp:
    f = _object(raw, "Service operation")
    node = _str(f, "Node")
    s = _object(f.get("service"), "Service")
    w = _object(s.get("weights"), "Weights")  # absent: zero weights, as Consul's txn stores them
    try:  # Consul's field names, as catalog registration stores them
        proxy = canonical(s.get("proxy"), PROXY, "Proxy")
        tagged = tagged_addresses(s.get("taggedaddresses"))
    except BadRequest as exc:
        raise _bad(exc.message.removeprefix("Request decode failed: ")) from None
    svc = Service(
        node=node,
        id=_str(s, "ID"),
        service=_str(s, "Service"),
        tags=_str_list(s, "Tags"),
        address=_str(s, "Address"),
        port=_signed(s, "Port"),
        meta=_str_map(s, "Meta"),
        weights={"Passing": _signed(w, "Passing"), "Warning": _signed(w, "Warning")},
        enable_tag_override=_bool(s, "EnableTagOverride"),
        kind=_str(s, "Kind"),
        proxy=proxy,
        tagged_addresses=tagged,
        modify_index=_int(s.get("modifyindex"), "ModifyIndex"),
    )
    return CatalogOp("Service", _str(f, "Verb"), node_name=node, service=svc)


def _check_op(raw: Any) -> CatalogOp:
    f = _object(raw, "Check operation")
    c = _object(f.get("check"), "Check")
    check = Check(
        node=_str(c, "Node"),
        check_id=_str(c, "CheckID"),
        name=_str(c, "Name"),
        status=_str(c, "Status"),  # empty: critical, when written
        notes=_str(c, "Notes"),
        output=_str(c, "Output"),
        service_id=_str(c, "ServiceID"),
        service_name=_str(c, "ServiceName"),
        service_tags=_str_list(c, "ServiceTags"),
        definition=_definition(c.get("definition")),
        modify_index=_int(c.get("modifyindex"), "ModifyIndex"),
    )
    return CatalogOp("Check", _str(f, "Verb"), check=check)


def parse(req: Request, agent: Agent) -> list[TxnOp]:
    cfg = agent.config
    limit = max(cfg.txn_max_req_len, cfg.kv_max_value_size)
    if req.content_length > limit:
        raise TooLarge(
            f"Request body({req.content_length} bytes) too large, max size: {limit} bytes. See "
            "https://www.consul.io/docs/agent/config/config-files#txn_max_req_len."
        )
    body = loads(req.body, _PARSE)
    if not isinstance(body, list):
        raise _bad("expected a JSON array of operations")
    if len(body) > MAX_OPS:
        raise TooLarge(f"Transaction contains too many operations ({len(body)} > {MAX_OPS})")
    ops: list[TxnOp] = []
    for i, item in enumerate(body):
        if not isinstance(item, dict):
            raise _bad("each operation must be an object")
        f = fold(item)
        if f.get("kv") is not None:
            ops.append(_kv_op(f["kv"], cfg.kv_max_value_size))
        elif f.get("node") is not None:
            ops.append(_node_op(f["node"], cfg.datacenter))
        elif f.get("service") is not None:
            ops.append(_service_op(f["service"]))
        elif f.get("check") is not None:
            ops.append(_check_op(f["check"]))
        else:
            raise _bad(f"operation {i} has none of KV, Node, Service, Check")
    return ops


# ---- checks before the log: Consul's pre-apply validation and ACLs -----------------------------


def _denied(req: Request, resource: str, level: str, name: str) -> str | None:
    identity = req.identity
    if identity is None or identity.allowed(resource, level, name):
        return None
    return identity.denied_message(resource, level, name)


def _uuid_error(text: str) -> str | None:
    """What Consul's UUID parser says about a malformed node ID."""
    if len(text) != 36:
        return "uuid string is wrong length"
    if any(text[i] != "-" for i in (8, 13, 18, 23)):
        return "uuid is improperly formatted"
    for ch in text[0:8] + text[9:13] + text[14:18] + text[19:23] + text[24:]:
        if ch not in hexdigits:
            shown = f" '{ch}'" if ch.isprintable() else ""
            return f"encoding/hex: invalid byte: U+{ord(ch):04X}{shown}"
    return None


def _vet_node(req: Request, op: CatalogOp) -> str | None:
    node = op.node
    assert node is not None
    if not node.node:
        return "Must provide node"
    if node.id:
        err = _uuid_error(node.id)
        if err is not None:
            return f"Bad node ID: {err}"
        op.node = replace(node, id=node.id.lower())
    return _denied(req, "node", "write", node.node)


def _vet_service(req: Request, op: CatalogOp) -> str | None:
    svc = op.service
    assert svc is not None
    if not svc.id and svc.service:
        svc = op.service = replace(svc, id=svc.service)
    if svc.id and not svc.service:
        return "Must provide service name with ID"
    if svc.address in ("0.0.0.0", "::", "[::]"):
        return "Invalid service address"
    denied = _denied(req, "service", "write", svc.service)
    if denied is None and svc.kind == "connect-proxy":  # proxies need write on their destination
        dest = fold(svc.proxy).get("destinationservicename")
        denied = _denied(req, "service", "write", dest if isinstance(dest, str) else "")
    return denied


def _vet_check(req: Request, store: Store, op: CatalogOp) -> str | None:
    chk = op.check
    assert chk is not None
    if not chk.check_id and chk.name:
        chk = op.check = replace(chk, check_id=chk.name)
    if not chk.service_id:
        return _denied(req, "node", "write", chk.node)
    name = chk.service_name
    if not name:  # not given: the name the catalog knows the service by
        svc = store.catalog.services.get((chk.node.lower(), chk.service_id))
        name = svc.service if svc is not None else ""
    return _denied(req, "service", "write", name)


def precheck(req: Request, store: Store, ops: list[TxnOp]) -> list[TxnError]:
    """KV ops the token may not use refuse the request (403); catalog writes are vetted one by
    one, each refusal or invalid op becoming that op's error. Catalog reads are not vetted: their
    results are filtered instead."""
    for op in ops:
        if isinstance(op, KVOp):
            if op.verb in READ_VERBS:
                require(req, "key", "read", op.key)
            else:
                require(req, "key", "write-prefix" if op.verb == "delete-tree" else "write", op.key)
    errors = []
    for i, op in enumerate(ops):
        if not isinstance(op, CatalogOp) or op.is_read:
            continue
        if op.kind == "Node":
            what = _vet_node(req, op)
        elif op.kind == "Service":
            what = _vet_service(req, op)
        else:
            what = _vet_check(req, store, op)
        if what is not None:
            errors.append(TxnError(i, what))
    return errors


# ---- the answer --------------------------------------------------------------------------------


def _readable(req: Request, entry: TxnEntry) -> bool:
    identity = req.identity
    if identity is None or isinstance(entry, KVEntry):  # KV reads were checked up front
        return True
    if isinstance(entry, Node):
        return identity.allowed("node", "read", entry.node)
    if isinstance(entry, Service):
        return identity.allowed("service", "read", entry.service)
    if entry.service_name:
        return identity.allowed("service", "read", entry.service_name)
    return identity.allowed("node", "read", entry.node)


def result_json(entry: TxnEntry) -> dict[str, Any]:
    if isinstance(entry, KVEntry):
        return {"KV": entry_json(entry)}
    if isinstance(entry, Node):
        return {"Node": node_json(entry)}
    if isinstance(entry, Service):
        return {"Service": node_service_json(entry)}
    return {"Check": check_json(entry)}


async def apply(agent: Agent, req: Request) -> Response:
    ops = parse(req, agent)
    errors = precheck(req, agent.store, ops)
    read_only = endpoint.is_read_only(ops)
    if read_only:
        query_options(req)  # validates ?stale/?consistent
    result = TxnResult(errors=errors) if errors else await endpoint.apply(agent.server, ops)
    body: dict[str, Any]
    if result.errors:
        body = {
            "Results": None,
            "Errors": [{"OpIndex": e.op_index, "What": e.what} for e in result.errors],
        }
        status = 409
    else:
        results = [result_json(e) for e in result.results if _readable(req, e)]
        body = {"Results": results, "Errors": None}
        status = 200
    resp = Response(status, b"")
    if read_only:
        body.update(Index=agent.server.store.last_index, LastContact=0, KnownLeader=True)
        resp.headers += [("X-Consul-KnownLeader", "true"), ("X-Consul-LastContact", "0")]
    resp.body = orjson.dumps(body)
    return resp
