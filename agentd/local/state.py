"""Local services and checks, each with an in-sync flag, and a change signal for anti-entropy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from agentd.structs.catalog import Check, Service


@dataclass(slots=True)
class LocalService:
    service: Service
    in_sync: bool = False
    token: str = ""


@dataclass(slots=True)
class LocalCheck:
    check: Check
    definition: Any = None  # agentd.checks.definition.CheckDefinition, None for maintenance
    in_sync: bool = False
    token: str = ""


class LocalState:
    def __init__(self, node: str) -> None:
        self.node = node
        self.services: dict[str, LocalService] = {}
        self.checks: dict[str, LocalCheck] = {}
        self.changed = asyncio.Event()  # set when something is out of sync
        self.listeners: list[Callable[[], None]] = []  # woken on any change (hash-blocking)

    def _changed(self) -> None:
        self.changed.set()
        for fn in self.listeners:
            fn()

    # ---- services -----------------------------------------------------------------------------

    def add_service(self, service: Service, token: str = "") -> None:
        self.services[service.id] = LocalService(replace(service, node=self.node), False, token)
        for lc in self.checks.values():  # service checks carry its name and tags
            if lc.check.service_id == service.id:
                lc.check = replace(
                    lc.check, service_name=service.service, service_tags=service.tags
                )
                lc.in_sync = False
        self._changed()

    def remove_service(self, service_id: str) -> list[str]:
        """Removes the service and its checks; returns the removed check IDs."""
        if self.services.pop(service_id, None) is None:
            return []
        removed = [cid for cid, lc in self.checks.items() if lc.check.service_id == service_id]
        for cid in removed:
            del self.checks[cid]
        self._changed()
        return removed

    # ---- checks -------------------------------------------------------------------------------

    def add_check(self, check: Check, definition: Any = None, token: str = "") -> None:
        check = replace(check, node=self.node)
        if check.service_id:
            svc = self.services.get(check.service_id)
            if svc is not None:
                check = replace(
                    check, service_name=svc.service.service, service_tags=svc.service.tags
                )
        old = self.checks.get(check.check_id)
        if old is not None:  # re-registration keeps the current status and output
            check = replace(check, status=old.check.status, output=old.check.output)
        self.checks[check.check_id] = LocalCheck(check, definition, False, token)
        self._changed()

    def remove_check(self, check_id: str) -> bool:
        if self.checks.pop(check_id, None) is None:
            return False
        self._changed()
        return True

    def update_check(self, check_id: str, status: str, output: str) -> bool:
        lc = self.checks.get(check_id)
        if lc is None:
            return False
        if lc.check.status == status and lc.check.output == output:
            return True
        lc.check = replace(lc.check, status=status, output=output)
        lc.in_sync = False
        self._changed()
        return True

    def service_checks(self, service_id: str) -> list[Check]:
        return [lc.check for lc in self.checks.values() if lc.check.service_id == service_id]

    def node_checks(self) -> list[Check]:
        return [lc.check for lc in self.checks.values() if not lc.check.service_id]
