"""The server core: the store, the FSM, the log that feeds it, and who leads.

In single-server mode this node is always the leader. ``propose`` is the only way to change state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from agentd.endpoints.blocking import QueryOptions, blocking_query
from agentd.errors import NotLeader
from agentd.fsm import FSM
from agentd.log.base import Log
from agentd.session_ttl import SessionTimers
from agentd.state.store import Store
from agentd.state.watch import WatchSet
from agentd.structs.commands import Command

T = TypeVar("T")


class Server:
    def __init__(
        self,
        store: Store,
        fsm: FSM,
        log: Log,
        rpc_addr: str,
        *,
        default_wait: float = 300.0,
        max_wait: float = 600.0,
    ) -> None:
        self.default_wait = default_wait
        self.max_wait = max_wait
        self.store = store
        self.fsm = fsm
        self.log = log
        self.rpc_addr = rpc_addr  # "ip:8300", what /v1/status/leader reports
        self.is_leader = True
        self.session_timers = SessionTimers()  # the leader's, in memory as in Consul

    @property
    def leader_addr(self) -> str:
        return self.rpc_addr if self.is_leader else ""

    @property
    def peers(self) -> list[str]:
        return [self.rpc_addr]

    def watch_set(self) -> WatchSet:
        return self.store.watch_set()

    async def propose(self, command: Command) -> Any:
        if not self.is_leader:
            raise NotLeader()
        return await self.log.propose(command)

    async def query(
        self, opts: QueryOptions, fn: Callable[[WatchSet], tuple[int, T]]
    ) -> tuple[int, T]:
        """A blocking read with this agent's wait bounds."""
        return await blocking_query(
            self.watch_set, opts, fn, default_wait=self.default_wait, max_wait=self.max_wait
        )
