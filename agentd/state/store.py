"""The store: every table, the watch hub, and the index of the last applied command."""

from __future__ import annotations

from typing import Any

from agentd.state.acl import ACLTable
from agentd.state.catalog import CatalogTable
from agentd.state.coordinate import CoordinateTable
from agentd.state.kv import KVTable
from agentd.state.query import QueryTable
from agentd.state.session import SessionTable
from agentd.state.watch import WatchHub, WatchSet


class Store:
    def __init__(self) -> None:
        self.hub = WatchHub()
        self.kv = KVTable(self.hub)
        self.catalog = CatalogTable(self.hub)
        self.sessions = SessionTable(self.hub, self.kv, self.catalog)
        self.acl = ACLTable(self.hub)
        self.queries = QueryTable(self.hub, self.sessions)
        self.sessions.on_destroy.append(self.queries.delete_session)
        self.coordinates = CoordinateTable(self.hub)
        self.last_index = 0

    def watch_set(self) -> WatchSet:
        return WatchSet(self.hub)

    def session_exists(self, session_id: str) -> bool:
        return self.sessions.exists(session_id)

    def image(self) -> dict[str, Any]:
        return {
            "KV": self.kv.image(),
            "Catalog": self.catalog.image(),
            "Sessions": self.sessions.image(),
            "ACL": self.acl.image(),
            "Queries": self.queries.image(),
            "Coordinates": self.coordinates.image(),
        }

    def load(self, index: int, image: dict[str, Any]) -> None:
        self.kv.load(image.get("KV") or {})
        self.catalog.load(image.get("Catalog") or {})
        self.sessions.load(image.get("Sessions") or {})
        self.acl.load(image.get("ACL") or {})
        self.queries.load(image.get("Queries") or {})
        self.coordinates.load(image.get("Coordinates") or {})
        self.last_index = index
        self.hub.notify_all()
