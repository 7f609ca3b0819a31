"""The prepared-query table.

Lookups (Consul's ``PreparedQueryResolve``): an exact ID, then an exact name (case-insensitive,
static queries and templates alike), then the template with the longest matching name prefix
(the template named "" matches everything). Names are unique (case-insensitively), only one
template may have the empty name, a name may not be another query's ID, and a session a query is
bound to must exist; destroying that session deletes the query.

Indexes: every read reports the table index, the highest index of any prepared-query write.
Watch key: ``("table", "prepared-queries")``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agentd.state.query_template import CompiledTemplate, TemplateError, compile_template
from agentd.state.watch import WatchHub, WatchSet
from agentd.structs.query import PreparedQuery, from_wire, to_wire

if TYPE_CHECKING:
    from agentd.state.session import SessionTable

TABLE = "prepared-queries"


class QueryError(Exception):
    """A write the table refuses (Consul answers 500 with the message)."""


def is_uuid(text: str) -> bool:
    parts = text.split("-")
    if [len(p) for p in parts] != [8, 4, 4, 4, 12]:
        return False
    return all(c in "0123456789abcdefABCDEF" for p in parts for c in p)


class QueryTable:
    def __init__(self, hub: WatchHub, sessions: SessionTable) -> None:
        self._hub = hub
        self._sessions = sessions
        self.queries: dict[str, PreparedQuery] = {}
        self._templates: dict[str, CompiledTemplate] = {}
        self.index = 0

    # ---- reads: watch set first, (index, result) back -------------------------------------

    def get(self, ws: WatchSet | None, query_id: str) -> tuple[int, PreparedQuery | None]:
        self._watch(ws)
        return self.index, self.queries.get(query_id)

    def list_queries(self, ws: WatchSet | None) -> tuple[int, list[PreparedQuery]]:
        self._watch(ws)
        return self.index, sorted(self.queries.values(), key=lambda q: q.id)

    def resolve(
        self, ws: WatchSet | None, id_or_name: str, segment: str = ""
    ) -> tuple[int, PreparedQuery | None]:
        """The query ``id_or_name`` names, templates rendered for that name; None if none."""
        self._watch(ws)
        if not id_or_name:
            return self.index, None
        found = self.queries.get(id_or_name) if is_uuid(id_or_name) else None
        if found is None:
            found = self._by_name(id_or_name)
        if found is None:
            found = self._by_prefix(id_or_name)
        if found is None:
            return self.index, None
        tmpl = self._templates.get(found.id)
        return self.index, tmpl.render(id_or_name, segment) if tmpl is not None else found

    def _by_name(self, name: str) -> PreparedQuery | None:
        key = name.lower()
        return next((q for q in self.queries.values() if q.name and q.name.lower() == key), None)

    def _by_prefix(self, name: str) -> PreparedQuery | None:
        key = name.lower()
        best: PreparedQuery | None = None
        for tmpl in self._templates.values():
            q = tmpl.query
            if key.startswith(q.name.lower()) and (best is None or len(q.name) > len(best.name)):
                best = q
        return best

    def _watch(self, ws: WatchSet | None) -> None:
        if ws is not None:
            ws.add(("table", TABLE))

    # ---- writes: index first ----------------------------------------------------------------

    def set(self, index: int, query: PreparedQuery) -> PreparedQuery:
        """Create or replace a query; raise QueryError if the table refuses it."""
        existing = self.queries.get(query.id)
        self._check_name(query)
        if query.session and not self._sessions.exists(query.session):
            raise QueryError(f'invalid session "{query.session}"')
        try:
            tmpl = compile_template(query)
        except TemplateError as exc:
            raise QueryError(str(exc)) from None
        create = existing.create_index if existing is not None else index
        stored = replace(query, create_index=create, modify_index=index)
        self.queries[stored.id] = stored
        self._templates.pop(stored.id, None)
        if tmpl is not None:
            self._templates[stored.id] = CompiledTemplate(stored, tmpl.regexp)
        self._touched(index)
        return stored

    def _check_name(self, query: PreparedQuery) -> None:
        if query.name:
            other = self._by_name(query.name)
            if other is not None and other.id != query.id:
                raise QueryError(f"name '{query.name}' aliases an existing query name")
            if is_uuid(query.name) and query.name in self.queries:
                raise QueryError(f"name '{query.name}' aliases an existing query ID")
        elif query.is_template:
            other = next((t.query for t in self._templates.values() if not t.query.name), None)
            if other is not None and other.id != query.id:
                raise QueryError("a query template with an empty name already exists")

    def delete(self, index: int, query_id: str) -> bool:
        if self.queries.pop(query_id, None) is None:
            return False
        self._templates.pop(query_id, None)
        self._touched(index)
        return True

    def delete_session(self, index: int, session_id: str) -> None:
        """The session went away: so do the queries bound to it."""
        for qid in sorted(q.id for q in self.queries.values() if q.session == session_id):
            self.delete(index, qid)

    def _touched(self, index: int) -> None:
        self.index = max(self.index, index)
        self._hub.notify(("table", TABLE))

    # ---- snapshot image ---------------------------------------------------------------------

    def image(self) -> dict[str, Any]:
        return {"Queries": [to_wire(q) for q in self.queries.values()], "Index": self.index}

    def load(self, image: dict[str, Any]) -> None:
        self.queries, self._templates = {}, {}
        for raw in image.get("Queries") or []:
            q = from_wire(raw)
            self.queries[q.id] = q
            try:
                tmpl = compile_template(q)
            except TemplateError:
                tmpl = None  # it compiled when stored; a newer rule must not lose the query
            if tmpl is not None:
                self._templates[q.id] = tmpl
        index = image.get("Index", 0)
        self.index = index if isinstance(index, int) else 0
