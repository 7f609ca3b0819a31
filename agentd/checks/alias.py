"""Alias checks: mirror the health of another service instance (and its node's checks).

``aggregate`` is Consul's ``CheckAlias.processChecks`` as a pure function: given the checks of
the target node it answers the alias's (status, output). Node-level checks count; checks of
other services do not; any critical wins ("Aliased check "x" failing: ..."), then warnings; all
passing reads "All checks passing."; no relevant check at all reads "No checks found." and is
passing, unless the target service does not exist, which is critical. Maintenance checks are
themselves critical, so maintenance on the target shows up as critical.

``AliasCheck`` is the stateful wrapper: whoever watches the target (local state, or a blocking
query for a remote ``AliasNode``) calls ``notify`` with the target node's current checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from agentd.checks.result import CRITICAL, PASSING, WARNING, OnUpdate, Result

__all__ = ["AliasCheck", "CheckLike", "aggregate"]


class CheckLike(Protocol):
    """What aliasing reads from a check (``agentd.structs.catalog.Check`` fits)."""

    @property
    def node(self) -> str: ...
    @property
    def check_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def output(self) -> str: ...
    @property
    def service_id(self) -> str: ...


def aggregate(
    checks: Iterable[CheckLike],
    *,
    node: str = "",
    service_id: str = "",
    service_exists: Callable[[], bool] | None = None,
) -> Result:
    """The alias status for ``service_id`` on ``node`` ("" = any node, i.e. local state).

    ``service_exists`` is asked only when no check of the service was seen (None: assume it
    exists); for a remote node it is an RPC, so it is not called otherwise.
    """
    health = PASSING
    msg = "No checks found."
    service_found = False
    for chk in checks:
        if node and chk.node.lower() != node.lower():
            continue
        matches = chk.service_id == service_id
        if chk.service_id and not matches:
            continue
        service_found = service_found or matches
        if chk.status in (CRITICAL, WARNING):
            health = chk.status
            msg = f'Aliased check "{chk.name}" failing: {chk.output}'
            if chk.status == CRITICAL:
                break  # nothing outranks critical; a warning may still be followed by one
        elif health == PASSING:
            msg = "All checks passing."
    if not service_found and service_exists is not None and not service_exists():
        return Result(CRITICAL, f"Service {service_id} could not be found on node {node}")
    return Result(health, msg)


class AliasCheck:
    """One alias check's last reported state; reports only changes through ``on_update``."""

    def __init__(
        self,
        check_id: str,
        on_update: OnUpdate,
        *,
        alias_service: str = "",
        alias_node: str = "",
        status: str = CRITICAL,
        output: str = "",
    ) -> None:
        self.check_id = check_id
        self.alias_service = alias_service
        self.alias_node = alias_node
        self._on_update = on_update
        self._reported = Result(status, output)

    @property
    def reported(self) -> Result:
        return self._reported

    def notify(
        self, checks: Iterable[CheckLike], *, service_exists: Callable[[], bool] | None = None
    ) -> Result:
        """Recompute from the target node's checks. For a local alias its own check is
        skipped, so a node-level alias never mirrors itself."""
        if not self.alias_node:
            checks = (c for c in checks if c.check_id != self.check_id)
        result = aggregate(
            checks,
            node=self.alias_node,
            service_id=self.alias_service,
            service_exists=service_exists,
        )
        if result != self._reported:
            self._reported = result
            self._on_update(self.check_id, result.status, result.output)
        return result
