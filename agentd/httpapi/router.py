"""Route matching with http.ServeMux's rules: exact paths, and prefixes ending in ``/`` that match
everything beneath them (the longest wins). A duplicate path fails at start-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentd.httpapi.need import Need
from agentd.httpapi.request import Request, Response

if TYPE_CHECKING:
    from agentd.agent import Agent

Handler = Callable[["Agent", Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    methods: dict[str, Handler]
    acl: dict[str, Need]  # what each method needs (see need.py); every method must say
    checks_size: bool = False  # the handler answers oversized bodies with its own 413
    label: str = field(init=False)  # the metrics label: "v1_kv" for /v1/kv/ (Consul's)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.path.strip("/").replace("/", "_"))
        missing = set(self.methods) - set(self.acl)
        extra = set(self.acl) - set(self.methods)
        if missing or extra:
            raise RuntimeError(
                f"route {self.path}: ACL needs must match methods "
                f"(undeclared: {sorted(missing)}, unknown: {sorted(extra)})"
            )


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self.exact: dict[str, Route] = {}
        self.prefixes: dict[str, Route] = {}
        for route in routes:
            table = self.prefixes if route.path.endswith("/") else self.exact
            if route.path in table:
                raise RuntimeError(f"duplicate route {route.path}")
            table[route.path] = route

    def match(self, path: str) -> Route | None:
        """The exact route, else the longest prefix route: every prefix ends with "/", so the
        candidates are the path cut after each of its slashes, longest first (a few dict
        lookups, however many routes there are)."""
        route = self.exact.get(path)
        if route is not None:
            return route
        prefixes = self.prefixes
        end = path.rfind("/")
        while end >= 0:
            route = prefixes.get(path[: end + 1])
            if route is not None:
                return route
            end = path.rfind("/", 0, end)
        return None

    @property
    def paths(self) -> list[str]:
        return [*self.exact, *self.prefixes]
