"""The contract every log back end keeps.

A log turns proposals into an ordered, durable sequence of ``(index, command)`` and feeds it to
the FSM exactly once, in index order. ``propose`` returns only when the command is durable (local
log: fsynced; etcd: committed) *and* applied by this process's FSM; it returns what ``fsm.apply``
returned (or raises what it raised). Indexes start at 1 and only grow. ``open`` restores the FSM
(newest snapshot, then the tail of the log) before any proposal; ``run`` owns background work
(flushing, snapshots, tailing) until cancelled; ``close`` makes everything acknowledged durable and
releases files or connections.
"""

from __future__ import annotations

import abc
from typing import Any, Protocol

from agentd.structs.commands import Command


class StateMachine(Protocol):
    """What a log needs from the FSM."""

    def apply(self, index: int, command: Command) -> Any: ...

    def snapshot(self) -> Any:
        """A msgpack-encodable image of the state at ``last_index``; cheap to take on the loop
        (immutable records, shallow copies), so that encoding can happen in a thread."""

    def restore(self, index: int, image: Any) -> None: ...

    @property
    def last_index(self) -> int: ...


class Log(abc.ABC):
    def __init__(self, fsm: StateMachine) -> None:
        self.fsm = fsm

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def propose(self, command: Command) -> Any: ...

    @abc.abstractmethod
    async def run(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...
