"""``service "tag.name@dc~near|filter"``: health-checked instances of one service.

Written as ``health.service(tag.name@dc~near|passing)``. With no filter, or ``|passing`` alone,
the agent filters (``?passing``); any other filter (``any``, ``warning``, ``critical``,
``maintenance``, comma-separated, OR-ed) fetches every instance and keeps those whose aggregated
status is listed. Results are sorted by node then service ID unless ``~near`` orders them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from cnslkit.api import wire
from cnslkit.api.errors import ApiError
from cnslkit.watch.dependency import Dependency, Fetched, QueryOptions, fetched, match, request
from cnslkit.watch.errors import DependencyParseError
from cnslkit.watch.records import HealthService

if TYPE_CHECKING:
    from cnslkit.api.client import Client

__all__ = ["FILTERS", "HealthServiceQuery"]

FILTERS = frozenset(("any", "passing", "warning", "critical", "maintenance"))
_FORM = re.compile(
    r"(?:(?P<tag>[\w=:.\-]+)\.)?(?P<name>[\w\-]+)"
    r"(?:\?(?P<query>[\w\-=&]+))?"
    r"(?:@(?P<dc>[\w.\-]+))?"
    r"(?:~(?P<near>[\w.\-]+))?"
    r"(?:\|(?P<filter>[\w,]+))?"
)


@dataclass(frozen=True, slots=True)
class HealthServiceQuery(Dependency):
    name: str
    tag: str = ""
    dc: str = ""
    near: str = ""
    filters: tuple[str, ...] = ("passing",)

    kind: ClassVar[str] = "health.service"
    collection: ClassVar[bool] = True

    @classmethod
    def parse(cls, text: str) -> HealthServiceQuery:
        parts = match(_FORM, cls.kind, text)
        filters = tuple(sorted({f for f in parts["filter"].split(",") if f})) or ("passing",)
        unknown = set(filters) - FILTERS
        if unknown:
            why = f"unknown health filter {', '.join(sorted(unknown))!s}"
            raise DependencyParseError(cls.kind, text, why)
        if "any" in filters:
            filters = ("any",)
        return cls(parts["name"], parts["tag"], parts["dc"], parts["near"], filters)

    @property
    def key(self) -> str:
        text = (f"{self.tag}." if self.tag else "") + self.name
        text += (f"@{self.dc}" if self.dc else "") + (f"~{self.near}" if self.near else "")
        if self.filters != ("passing",):
            text += "|" + ",".join(self.filters)
        return f"{self.kind}({text})"

    @property
    def server_side_passing(self) -> bool:
        return self.filters == ("passing",)

    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        params: list[tuple[str, str | None]] = []
        if self.server_side_passing:
            params.append(("passing", None))
        if self.tag:
            params.append(("tag", self.tag))
        if self.near:
            params.append(("near", self.near))
        path = "/v1/health/service/" + wire.quote_path(self.name)
        reply = await request(client, path, opts, params=params, dc=self.dc)
        try:
            items = json.loads(reply.body) or []
        except ValueError as exc:
            raise ApiError(reply.status, f"Failed to decode response: {exc}") from None
        found = [HealthService.from_json(item) for item in items]
        if "any" not in self.filters:
            found = [s for s in found if s.Status in self.filters]
        if not self.near:
            found.sort(key=lambda s: (s.Node, s.ID))
        return fetched(found, reply)
