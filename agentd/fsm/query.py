"""Applying prepared-query commands: one ``PREPARED_QUERY`` message type, ``Op`` set or delete."""

from __future__ import annotations

from agentd.errors import AgentError
from agentd.state.query import QueryError
from agentd.state.store import Store
from agentd.structs.commands import Command
from agentd.structs.query import from_wire


def apply_prepared_query(store: Store, index: int, cmd: Command) -> bool | AgentError:
    """Set answers True or the table's refusal; delete answers whether the query existed."""
    if cmd["Op"] == "delete":
        return store.queries.delete(index, cmd["ID"])
    try:
        store.queries.set(index, from_wire(cmd["Query"]))
    except QueryError as exc:
        return AgentError(str(exc))
    return True
