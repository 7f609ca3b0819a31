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
        route = self.router.match(req.path)
        label = route.path.strip("/").replace("/", "_") if route is not None else "unknown"
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
        route = self.router.match(path)
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
        need = route.acl[req.method]
        if need.kind != "public":
            req.identity = self.agent.acl.resolve(token(req))
            need(self.agent, req)
        resp = await handler(self.agent, req)
        if req.filtered and token(req):
            resp.headers.append(("X-Consul-Results-Filtered-By-ACLs", "true"))
        if req.has("pretty") and resp.content_type == "application/json" and resp.body:
            resp.body = json.dumps(json.loads(resp.body), indent=4).encode() + b"\n"
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


def check_common(agent: Agent, req: Request) -> None:
    """Query parameters every endpoint honours the same way."""
    if not req.query_string:
        return
    dc = req.arg("dc")
    if dc and dc != agent.config.datacenter:
        raise AgentError("No path to datacenter")
    for name, label in (("ns", "Namespaces"), ("partition", "Partitions")):
        value = req.arg(name)
        if value and value != "default":
            raise BadRequest(
                f'Invalid query parameter: "{name}" - {label} are a Consul Enterprise feature'
            )


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
    if not req.query_string:
        return QueryOptions()
    stale, consistent = req.has("stale"), req.has("consistent")
    if stale and consistent:
        raise BadRequest("Cannot specify ?stale with ?consistent, conflicting semantics.")
    mode = STALE if stale else CONSISTENT if consistent else LEADER
    min_index = 0
    raw_index = req.arg("index")
    if raw_index:
        if not raw_index.isdigit() or int(raw_index) >= 1 << 64:
            raise BadRequest("Invalid index")
        min_index = int(raw_index)
    wait = 0.0
    raw_wait = req.arg("wait")
    if raw_wait:
        from cnslkit.duration import parse_duration

        try:
            wait = parse_duration(raw_wait)
        except ValueError:
            raise BadRequest("Invalid wait time") from None
    return QueryOptions(min_index, wait, mode)


def meta_headers(resp: Response, index: int, opts: QueryOptions) -> Response:
    resp.headers += [
        ("X-Consul-Effective-Consistency", opts.consistency),
        ("X-Consul-Index", str(max(index, 1))),
        ("X-Consul-KnownLeader", "true"),
        ("X-Consul-LastContact", "0"),
    ]
    return resp


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(obj))
