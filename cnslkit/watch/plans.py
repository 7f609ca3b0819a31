"""Consul's watch plans (``consul watch``, the agent's ``watches``), shared by watchd, agentd and
``cnsl watch``.

:data:`TYPES` is THE table of watch types: each turns a watch's parameters into a
:class:`~cnslkit.watch.raw.RawQuery` (so the handler sees the API's JSON, as Consul's do).
:func:`parse_watch` reads one entry of Consul's ``watches`` array (or a TOML ``[[watch]]``).

:class:`Plan` semantics are Consul's: the handler runs for the first result (unless
``fire_on_start = false``) and then whenever the index moves and the data differs (the view's
duplicate suppression). Beyond Consul:

- at most one handler runs per watch; changes arriving meanwhile are coalesced into one call
  with the newest data;
- a failed handler is retried ``retries`` times with doubling backoff (``retry_backoff`` first,
  capped at 60 s), abandoned early when newer data arrives, which is then delivered instead;
- a keyprefix handler learns which keys were added, changed or deleted since its previous call;
- :class:`PlanState` (the last delivered result) outlives a plan, so a reload that keeps a watch
  does not fire it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnslkit.api import wire
from cnslkit.duration import parse_duration
from cnslkit.watch.errors import WatchError
from cnslkit.watch.handlers import Handler, HandlerFailed, HttpHandler, Invocation, ScriptHandler
from cnslkit.watch.raw import Payload, RawQuery
from cnslkit.watch.watcher import Subscription

if TYPE_CHECKING:
    from cnslkit.watch.watcher import Watcher

__all__ = [
    "TYPES",
    "Plan",
    "PlanState",
    "WatchConfigError",
    "WatchSpec",
    "changed_keys",
    "parse_watch",
    "query",
]

log = logging.getLogger(__name__)


class WatchConfigError(WatchError, ValueError):
    """A watch definition is invalid (unknown type, missing parameter, bad handler)."""


def _kv(p: Mapping[str, Any]) -> RawQuery:
    return RawQuery("/v1/kv/" + wire.quote_path(_need(p, "key")), single=True)


def _keyprefix(p: Mapping[str, Any]) -> RawQuery:
    prefix = _need(p, "prefix")
    return RawQuery("/v1/kv/" + wire.quote_path(prefix), (("recurse", None),), missing=[])


def _services(p: Mapping[str, Any]) -> RawQuery:
    return RawQuery("/v1/catalog/services", missing={})


def _nodes(p: Mapping[str, Any]) -> RawQuery:
    return RawQuery("/v1/catalog/nodes", missing=[])


def _service(p: Mapping[str, Any]) -> RawQuery:
    params: list[tuple[str, str | None]] = []
    tags = p.get("tag") or []
    params.extend(("tag", str(t)) for t in ([tags] if isinstance(tags, str) else tags))
    if _bool(p.get("passingonly", False)):
        params.append(("passing", None))
    path = "/v1/health/service/" + wire.quote_path(_need(p, "service"))
    return RawQuery(path, tuple(params), missing=[])


def _checks(p: Mapping[str, Any]) -> RawQuery:
    service, state = str(p.get("service") or ""), str(p.get("state") or "")
    if service and state:
        raise WatchConfigError("checks watch: give service or state, not both")
    if service:
        return RawQuery("/v1/health/checks/" + wire.quote_path(service), missing=[])
    return RawQuery("/v1/health/state/" + wire.quote_path(state or "any"), missing=[])


def _event(p: Mapping[str, Any]) -> RawQuery:
    name = str(p.get("name") or "")
    return RawQuery("/v1/event/list", (("name", name),) if name else (), missing=[])


def _table(*rows: tuple[str, Callable[[Mapping[str, Any]], RawQuery]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, build in rows:
        if name in table:
            raise RuntimeError(f"duplicate watch type {name!r}")
        table[name] = build
    return table


#: Watch type -> builder of its query from the watch's parameters.
TYPES: dict[str, Callable[[Mapping[str, Any]], RawQuery]] = _table(
    ("key", _kv),
    ("keyprefix", _keyprefix),
    ("services", _services),
    ("nodes", _nodes),
    ("service", _service),
    ("checks", _checks),
    ("event", _event),
)


def _need(p: Mapping[str, Any], name: str) -> str:
    value = p.get(name)
    if not value:
        raise WatchConfigError(f"{p.get('type')} watch: missing {name!r}")
    return str(value)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "t", "true", "yes")
    return bool(value)


def _seconds(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    if isinstance(value, int | float):
        return float(value)
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise WatchConfigError(f"invalid duration {value!r}: {exc}") from None


def query(params: Mapping[str, Any]) -> RawQuery:
    """The query of one watch definition; WatchConfigError if it is not valid."""
    kind = str(params.get("type") or "")
    build = TYPES.get(kind)
    if build is None:
        raise WatchConfigError(f"unknown watch type {kind!r}" if kind else "watch: missing type")
    dep = build(params)
    dc = str(params.get("datacenter") or "")
    token = str(params.get("token") or "")
    if dc or token:
        dep = RawQuery(dep.path, dep.params, dc, dep.missing, dep.single, token)
    return dep


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """One parsed watch: its query, handler and delivery options. ``name`` is its identity."""

    name: str
    kind: str
    query: RawQuery
    handler: Handler | None
    fire_on_start: bool = True
    retries: int = 3
    retry_backoff: float = 1.0


_HANDLER_KEYS = ("handler", "args", "handler_type", "http_handler_config", "timeout", "token")


def parse_watch(params: Mapping[str, Any], *, require_handler: bool = True) -> WatchSpec:
    """One entry of Consul's ``watches`` array (JSON/HCL) or a TOML ``[[watch]]`` table."""
    dep = query(params)
    handler = _handler(params)
    if handler is None and require_handler:
        raise WatchConfigError(f"{params.get('type')} watch: missing handler (args or http)")
    shape = {k: v for k, v in params.items() if k not in _HANDLER_KEYS}
    name = str(params.get("id") or f"{dep.key} {sorted(shape.items(), key=str)} {handler}")
    return WatchSpec(
        name,
        str(params["type"]),
        dep,
        handler,
        fire_on_start=_bool(params.get("fire_on_start", True)),
        retries=int(params.get("retries", 3)),
        retry_backoff=_seconds(params.get("retry_backoff"), 1.0),
    )


def _handler(p: Mapping[str, Any]) -> Handler | None:
    kind = str(p.get("handler_type") or "")
    http = p.get("http_handler_config")
    if kind == "http" or (not kind and http):
        if not isinstance(http, Mapping) or not http.get("path"):
            raise WatchConfigError("http handler: http_handler_config needs a path")
        header = {str(k): list(v) if isinstance(v, list) else [str(v)]
                  for k, v in (http.get("header") or {}).items()}  # fmt: skip
        return HttpHandler(
            str(http["path"]),
            str(http.get("method") or "POST"),
            header,
            _seconds(http.get("timeout"), 10.0),
            _bool(http.get("tls_skip_verify", False)),
        )
    if kind not in ("", "script"):
        raise WatchConfigError(f"unknown handler_type {kind!r}")
    args, shell = p.get("args"), p.get("handler")
    if args:
        if isinstance(args, str):
            raise WatchConfigError("args must be a list of strings")
        return ScriptHandler(tuple(str(a) for a in args), timeout=_seconds(p.get("timeout"), 30.0))
    if shell:
        return ScriptHandler(shell=str(shell), timeout=_seconds(p.get("timeout"), 30.0))
    return None


def changed_keys(old: Any, new: Any) -> tuple[str, ...]:
    """Keys of a keyprefix result added, modified (ModifyIndex) or deleted since ``old``."""

    def index(body: Any) -> dict[str, int]:
        return {str(e["Key"]): int(e.get("ModifyIndex") or 0) for e in body or ()}

    before, after = index(old), index(new)
    keys = {k for k in after if before.get(k) != after[k]} | (before.keys() - after.keys())
    return tuple(sorted(keys))


@dataclass(slots=True)
class PlanState:
    """What a watch has delivered; kept across config reloads for watches that stay."""

    last: Payload | None = None
    calls: int = 0
    failures: int = 0


@dataclass(slots=True)
class Plan:
    """A running watch. :meth:`attach` subscribes (synchronously), :meth:`run` delivers."""

    spec: WatchSpec
    state: PlanState = field(default_factory=PlanState)
    _sub: Subscription = field(default_factory=Subscription)
    _watcher: Watcher | None = None

    def attach(self, watcher: Watcher) -> None:
        self._watcher = watcher
        self._sub.name = self.spec.name
        watcher.watch(self.spec.query, self._sub)

    async def run(self) -> None:
        """Deliver results until cancelled; the subscription is dropped on the way out."""
        watcher = self._watcher
        if watcher is None:
            raise RuntimeError("Plan.run before attach")
        dep = self.spec.query
        try:
            first = self.state.last is None
            while True:
                has, data = watcher.get(dep)
                if not has:
                    await self._sub.wait()
                    continue
                self._sub.drain()
                self._sub.event.clear()  # from here on it says "newer data arrived"
                if data != self.state.last:
                    if first and not self.spec.fire_on_start:
                        self.state.last = data
                    else:
                        await self._deliver(data)
                first = False
                await self._sub.wait()
        finally:
            watcher.unwatch(dep, self._sub)

    async def _deliver(self, data: Payload) -> None:
        changed = None
        if self.spec.kind == "keyprefix":
            changed = changed_keys(self.state.last.body if self.state.last else None, data.body)
        call = Invocation(data.body, data.index, changed)
        attempt = 0
        while True:
            try:
                await self._call(call)
                self.state.last = data
                self.state.calls += 1
                return
            except Exception as exc:  # the plan's edge: a handler bug must not stop the others
                expected = isinstance(exc, HandlerFailed)
                if not expected:
                    log.error("watch %s: handler error", self.spec.kind, exc_info=exc)
                self.state.failures += 1
                attempt += 1
                if attempt > self.spec.retries:
                    log.error("watch %s: handler failed, giving up: %s", self.spec.kind, exc)
                    self.state.last = data
                    return
                delay = min(self.spec.retry_backoff * 2 ** (attempt - 1), 60.0)
                log.warning("watch %s: %s; retry %d in %.1fs", self.spec.kind, exc, attempt, delay)
                try:
                    async with asyncio.timeout(delay):
                        await self._sub.event.wait()
                except TimeoutError:
                    continue
                return  # newer data arrived: the run loop delivers it instead

    async def _call(self, call: Invocation) -> None:
        if self.spec.handler is not None:
            await self.spec.handler(call)
