"""Anti-entropy: make the catalog's view of this node agree with local state.

``plan`` is the sans-IO core: local state and the catalog's records for this node in, the writes to
make out. ``AntiEntropy.run`` applies them through the write path whenever local state changes, and
in full every ``interval`` so that a catalog that drifted (someone deregistered our service through
``/v1/catalog/deregister``) is repaired.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from agentd.endpoints import catalog as catalog_endpoint
from agentd.local.state import LocalState
from agentd.server import Server
from agentd.structs.catalog import SERF_CHECK_ID, Check, Node, Service

log = logging.getLogger(__name__)

SERVER_OWNED_SERVICES = frozenset({"consul"})
SERVER_OWNED_CHECKS = frozenset({SERF_CHECK_ID})


@dataclass(frozen=True, slots=True)
class Plan:
    register_services: tuple[Service, ...] = ()
    register_checks: tuple[Check, ...] = ()
    deregister_services: tuple[str, ...] = ()
    deregister_checks: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.register_services
            or self.register_checks
            or self.deregister_services
            or self.deregister_checks
        )


def _same(a: Service | Check, b: Service | Check) -> bool:
    return replace(a, create_index=0, modify_index=0) == replace(b, create_index=0, modify_index=0)


def plan(
    local: LocalState, remote_services: dict[str, Service], remote_checks: dict[str, Check]
) -> Plan:
    reg_services = [
        ls.service
        for sid, ls in local.services.items()
        if not ls.in_sync
        or sid not in remote_services
        or not _same(ls.service, remote_services[sid])
    ]
    reg_checks = [
        lc.check
        for cid, lc in local.checks.items()
        if not lc.in_sync or cid not in remote_checks or not _same(lc.check, remote_checks[cid])
    ]
    dereg_services = [
        sid
        for sid in remote_services
        if sid not in local.services and sid not in SERVER_OWNED_SERVICES
    ]
    dereg_checks = [
        cid
        for cid, chk in remote_checks.items()
        if cid not in local.checks
        and cid not in SERVER_OWNED_CHECKS
        and chk.service_id not in dereg_services
    ]
    return Plan(tuple(reg_services), tuple(reg_checks), tuple(dereg_services), tuple(dereg_checks))


class AntiEntropy:
    def __init__(
        self,
        server: Server,
        local: LocalState,
        node: Callable[[], Node],
        *,
        interval: float = 60.0,
    ) -> None:
        self.server = server
        self.local = local
        self.node = node
        self.interval = interval
        self.syncs = 0

    def _remote(self) -> tuple[dict[str, Service], dict[str, Check]]:
        catalog = self.server.store.catalog
        _, _, services = catalog.node_services(None, self.local.node)
        _, checks = catalog.node_checks(None, self.local.node)
        return {s.id: s for s in services}, {c.check_id: c for c in checks}

    async def sync(self) -> None:
        self.local.changed.clear()
        todo = plan(self.local, *self._remote())
        if not todo:
            return
        self.syncs += 1
        node = self.node()
        srv = self.server
        for sid in todo.deregister_services:
            await catalog_endpoint.deregister(srv, self.local.node, service_id=sid)
        for cid in todo.deregister_checks:
            await catalog_endpoint.deregister(srv, self.local.node, check_id=cid)
        for svc in todo.register_services:
            await catalog_endpoint.register(srv, node, svc, [], False)
            if svc.id in self.local.services and self.local.services[svc.id].service == svc:
                self.local.services[svc.id].in_sync = True
        for chk in todo.register_checks:
            if chk.service_id and chk.service_id not in self.local.services:
                continue  # its service went away meanwhile
            await catalog_endpoint.register(srv, node, None, [chk], False)
            lc = self.local.checks.get(chk.check_id)
            if lc is not None and lc.check == chk:
                lc.in_sync = True

    async def run(self) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:  # a top-level loop: log, back off, keep going
                log.exception("anti-entropy: sync failed")
                await asyncio.sleep(1.0)
            try:
                async with asyncio.timeout(self.interval):
                    await self.local.changed.wait()
            except TimeoutError:
                pass
