"""The HTTP application: path hygiene, routing, common query options, errors -> status codes.

Everything Consul does to every request happens here once: non-canonical paths redirect, unknown
paths get Consul's 404 text, wrong methods 405 with ``Allow``, ``?dc``/``?ns``/``?stale`` rules,
``X-Consul-Default-ACL-Policy`` on every answer, and no exception ever reaches a client as a
traceback.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import time
from typing import TYPE_CHECKING, Any

import orjson

from agentd.endpoints.blocking import CONSISTENT, LEADER, STALE, QueryOptions
from agentd.errors import AgentError, BadRequest, TooLarge
from agentd.httpapi.request import Request, Response
from agentd.httpapi.router import Router

if TYPE_CHECKING:
    from agentd.agent import Agent

log = logging.getLogger(__name__)

NOT_API = (
    "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'\n"
)
NOT_ROUTE = "Invalid URL path: not a recognized HTTP API endpoint\n"
UI_DISABLED = (
    "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent "
    "configuration and restart."
)


class App:
    def __init__(self, agent: Agent, router: Router) -> None:
        self.agent = agent
        cfg = agent.config
        self.body_limit = max(cfg.kv_max_value_size, cfg.txn_max_req_len)  # ordinary routes
        self.router = router
        self.default_acl_policy = (
            agent.acl.settings.default_policy if agent.acl.settings.enabled else "allow"
        )
        self.pretty = cfg.dev  # Consul's dev mode pretty-prints every JSON answer
        self.use_cache = bool((cfg.raw.get("http_config") or {}).get("use_cache", True))

    async def __call__(self, req: Request) -> Response:
        started = time.perf_counter()
        try:
            resp = await self._dispatch(req)
        except AgentError as exc:
            resp = Response.text(exc.status, exc.message)
        except Exception as exc:
            log.exception("http: %s %s: unexpected error", req.method, req.path)
            resp = Response.text(500, str(exc) or type(exc).__name__)
        resp.headers.append(("X-Consul-Default-ACL-Policy", self.default_acl_policy))
        self._measure(req, resp, started)
        return resp

    def _measure(self, req: Request, resp: Response, started: float) -> None:
        """``consul.api.http`` per route and method (Consul's labels), in milliseconds."""
        route = req.route
        label = route.label if route is not None else "unknown"
        ms = (time.perf_counter() - started) * 1000.0
        metrics = self.agent.metrics
        metrics.sample("consul.api.http", ms, method=req.method, path=label)
        metrics.incr("cnsl.http.requests", method=req.method, code=str(resp.status))

    async def _dispatch(self, req: Request) -> Response:
        path = req.path
        if not path.isprintable():
            raise BadRequest("Bad request: path contains non-printable characters")
        clean = clean_path(path)
        if clean != path:
            return redirect(clean, req.query_string)
        if path == "/":
            return Response.text(200, UI_DISABLED)
        route = req.route = self.router.match(path)
        if route is None:
            if path + "/" in self.router.prefixes:
                return redirect(path + "/", req.query_string)
            return Response.text(404, NOT_ROUTE if "/v1/" in path else NOT_API)
        allow = "OPTIONS," + ",".join(route.methods)
        if req.method == "OPTIONS":
            return Response(200, b"", None, [("Allow", allow)])
        handler = route.methods.get(req.method)
        if handler is None:
            resp = Response.text(405, f"method {req.method} not allowed")
            resp.headers.append(("Allow", allow))
            return resp
        if not route.checks_size and (req.truncated or req.content_length > self.body_limit):
            raise TooLarge(f"Request body({req.content_length} bytes) too large")
        check_common(self.agent, req)
        if not self.use_cache:
            req.use_cache = False
        need = route.acl[req.method]
        if need.kind != "public":
            req.identity = self.agent.acl.resolve(token(req))
            need(self.agent, req)
        resp = await handler(self.agent, req)
        if req.filtered and token(req):
            resp.headers.append(("X-Consul-Results-Filtered-By-ACLs", "true"))
        if req.query_string and resp.status == 200 and cached(req, route.path):
            resp.headers.append(("X-Cache", "MISS"))  # no agent cache: every answer is fresh
        if (
            resp.content_type == "application/json"
            and resp.body
            and (self.pretty or req.has("pretty"))
        ):
            resp.body = pretty_json(resp.body, resp.data)
        return resp


def redirect(location: str, query: str) -> Response:
    if query:
        location = f"{location}?{query}"
    return Response(301, b"", None, [("Location", location)])


def clean_path(path: str) -> str:
    """Go's path.Clean, keeping a trailing slash, as http.ServeMux does before routing."""
    if "//" not in path and "/." not in path:
        return path
    clean = posixpath.normpath(path)
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if path.endswith("/") and clean != "/":
        clean += "/"
    return clean


# Consul's CE agent refuses enterprise tenancy: (query parameter, header as received, header as
# Consul names it, feature).
_ENTERPRISE = (
    ("ns", "x-consul-namespace", "X-Consul-Namespace", "Namespaces"),
    ("partition", "x-consul-partition", "X-Consul-Partition", "Partitions"),
)


def check_common(agent: Agent, req: Request) -> None:
    """Query parameters (and headers) every endpoint honours the same way."""
    headers = req.headers
    if req.query_string or "x-consul-namespace" in headers or "x-consul-partition" in headers:
        check_enterprise(req)
    if not req.query_string:
        return
    dc = req.arg("dc")
    if dc and dc != agent.config.datacenter:
        raise AgentError("No path to datacenter")


def check_enterprise(req: Request) -> None:
    """Namespaces and partitions, by header (checked first, as Consul does) or query parameter,
    are Consul Enterprise features; the default one (or none) is what every request gets."""
    for param, received, header, feature in _ENTERPRISE:
        value = req.headers.get(received)
        if value and value != "default":
            raise BadRequest(
                f'Invalid header: "{header}" - {feature} are a Consul Enterprise feature'
            )
        value = req.arg(param) if req.query_string else None
        if value and value != "default":
            raise BadRequest(
                f'Invalid query parameter: "{param}" - {feature} are a Consul Enterprise feature'
            )


# Endpoints Consul answers from its agent cache when asked with ``?cached``.
_CACHED_ROUTES = frozenset(
    {
        "/v1/catalog/datacenters",
        "/v1/catalog/services",
        "/v1/catalog/service/",
        "/v1/catalog/connect/",
        "/v1/health/service/",
        "/v1/health/connect/",
        "/v1/health/ingress/",
        "/v1/agent/connect/ca/roots",
        "/v1/agent/connect/ca/leaf/",
    }
)


def cached(req: Request, route: str) -> bool:
    """Whether the request asked for, and may get, an answer from the agent cache."""
    if not (req.use_cache and req.has("cached")):
        return False
    return route in _CACHED_ROUTES or (route == "/v1/query/" and req.path.endswith("/execute"))


def pretty_json(body: bytes, data: Any = None) -> bytes:
    """A JSON body as ``?pretty`` (and dev mode) answers it: indented by 4 spaces, with a
    trailing newline, as Go's ``json.MarshalIndent(v, "", "    ")`` plus the newline Consul adds.

    orjson indents by 2; the indentation is doubled afterwards. Outside strings its output has
    no two spaces in a row except indentation, so when no string of the document holds two
    (the usual case) one replace of every pair doubles exactly the indentation. ``data``, when
    given, is the value ``body`` encodes (which spares parsing it)."""
    if body == b"true" or body == b"false":  # most writes answer one of these
        return body + b"\n"
    last = _last_pretty[0]
    if body == last[0]:  # the same answer again: a wake-up of many blocked queries on one key
        return last[1]
    pretty = _pretty(body, data)
    _last_pretty[0] = (body, pretty)
    return pretty


# The last body pretty_json formatted, and the result (one entry: compared in one step).
_last_pretty: list[tuple[bytes, bytes]] = [(b"", b"")]


def _pretty(body: bytes, data: Any) -> bytes:
    try:
        if data is None:
            data = orjson.loads(body)
        pretty = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return body  # not JSON after all: sent as it is
    if (b" " not in body and b"\\" not in body) or (
        b"  " not in body and b"\\u0020" not in body
    ):  # (single bytes are found fastest: try those first)
        return pretty.replace(b"  ", b"    ") + b"\n"
    return _reindent(pretty) + b"\n"


_UNITS = [b"  " * depth for depth in range(1, 256)]  # orjson nests at most 255 deep


def _reindent(pretty: bytes) -> bytes:
    """Doubles the indentation of every line, whatever the strings hold: deepest first, each
    line's new start marked by a byte JSON text never holds raw (control characters are
    escaped), so a shallower pass cannot match it again."""
    depth = 0
    while depth < len(_UNITS) and b"\n" + _UNITS[depth] in pretty:
        depth += 1
    for unit in reversed(_UNITS[:depth]):
        pretty = pretty.replace(b"\n" + unit, b"\x00" + unit + unit)
    return pretty.replace(b"\x00", b"\n")


def token(req: Request) -> str:
    """The request's token, in Consul's precedence: ?token, X-Consul-Token, Bearer."""
    tok = req.arg("token")
    if tok:
        return tok
    tok = req.headers.get("x-consul-token", "")
    if tok:
        return tok
    auth = req.headers.get("authorization", "").strip()
    scheme, _, rest = auth.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip().split(" ")[0]
    return ""


def query_options(req: Request) -> QueryOptions:
    """The query options of a read (Consul's ``parse``): consistency, cache control, blocking."""
    if "cache-control" in req.headers:
        check_cache_control(req.headers["cache-control"])
    if not req.query_string:
        return QueryOptions()
    stale, consistent = req.has("stale"), req.has("consistent")
    raw_max_stale = req.arg("max_stale")
    if raw_max_stale:
        try:
            max_stale = _duration(raw_max_stale)
        except ValueError:
            raise BadRequest(
                f"Invalid max_stale value {json.dumps(raw_max_stale, ensure_ascii=False)}"
            ) from None
        stale = stale or max_stale > 0
    if stale and consistent:
        raise BadRequest("Cannot specify ?stale with ?consistent, conflicting semantics.")
    if consistent and req.use_cache and req.has("cached"):
        raise BadRequest("Cannot specify ?cached with ?consistent, conflicting semantics.")
    mode = STALE if stale else CONSISTENT if consistent else LEADER
    min_index, wait = blocking_args(req)
    return QueryOptions(min_index, wait, mode)


def blocking_args(req: Request) -> tuple[int, float]:
    """``?index`` and ``?wait`` (Consul's ``parseWait``), for index and hash blocking alike."""
    min_index = 0
    raw_index = req.arg("index")
    if raw_index:
        if not raw_index.isdigit() or int(raw_index) >= 1 << 64:
            raise BadRequest("Invalid index")
        min_index = int(raw_index)
    wait = 0.0
    raw_wait = req.arg("wait")
    if raw_wait:
        try:
            wait = _duration(raw_wait)
        except ValueError:
            raise BadRequest("Invalid wait time") from None
    return min_index, wait


def _duration(text: str) -> float:
    from cnslkit.duration import parse_duration

    return parse_duration(text)


_ATOI = re.compile(r"[+-]?[0-9]+")


def check_cache_control(header: str) -> None:
    """``Cache-Control: max-age=N, stale-if-error=N`` must carry integers (Go's ``Atoi``)."""
    for directive in header.lower().split(","):
        directive = directive.strip()
        for name in ("max-age=", "stale-if-error="):
            if directive.startswith(name):
                value = directive[len(name) :]
                if not _ATOI.fullmatch(value) or not -(1 << 63) <= int(value) < 1 << 63:
                    raise BadRequest("Invalid Cache-Control header.")


def meta_headers(resp: Response, index: int, opts: QueryOptions) -> Response:
    resp.headers += [
        ("X-Consul-Effective-Consistency", opts.consistency),
        ("X-Consul-Index", str(max(index, 1))),
        ("X-Consul-KnownLeader", "true"),
        ("X-Consul-LastContact", "0"),
    ]
    return resp


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(obj), data=obj)
