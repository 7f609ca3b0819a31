"""Alias checks over local services: mirror the target's aggregate health as it changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from agentd.checks.definition import CheckDefinition
from agentd.local.state import LocalState
from agentd.state.store import Store

RECHECK = 10.0


def _status(defn: CheckDefinition, local: LocalState) -> tuple[str, str]:
    from agentd.checks.alias import aggregate

    target = defn.alias_service
    checks = [lc.check for lc in local.checks.values() if lc.check.check_id != defn.check_id]
    result = aggregate(checks, service_id=target, service_exists=lambda: target in local.services)
    return result.status, result.output


async def run_alias(
    defn: CheckDefinition, local: LocalState, on_update: Callable[[str, str, str], None]
) -> None:
    changed = asyncio.Event()
    local.listeners.append(changed.set)
    last: tuple[str, str] | None = None
    try:
        while True:
            changed.clear()
            now = _status(defn, local)
            if now != last:
                last = now
                on_update(defn.check_id, *now)
            try:
                async with asyncio.timeout(RECHECK):
                    await changed.wait()
            except TimeoutError:
                pass
    finally:
        local.listeners.remove(changed.set)


async def run_remote_alias(
    defn: CheckDefinition, store: Store, on_update: Callable[[str, str, str], None]
) -> None:
    """An alias of another node (or a service on it): follow that node's checks in the catalog,
    woken by the catalog's own watch channels."""
    from agentd.checks.alias import aggregate

    catalog, node, target = store.catalog, defn.alias_node, defn.alias_service
    last: tuple[str, str] | None = None
    while True:
        ws = store.watch_set()
        _, checks = catalog.node_checks(ws, node)
        result = aggregate(
            checks,
            node=node,
            service_id=target,
            service_exists=lambda: (node.lower(), target) in catalog.services,
        )
        now = (result.status, result.output)
        if now != last:
            last = now
            on_update(defn.check_id, *now)
        await ws.wait(RECHECK)
