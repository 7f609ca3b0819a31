"""Network coordinates: updates as commands, reads as blocking queries.

Consul's server queues ``Coordinate.Update`` calls and writes them every few seconds in batches;
here each update is written at once (one ``COORDINATE_BATCH_UPDATE`` command), so it is readable
as soon as the PUT answers.
"""

from __future__ import annotations

import asyncio
import logging

from agentd.endpoints.blocking import QueryOptions
from agentd.server import Server
from agentd.state.coordinate import NodeCoord
from agentd.state.watch import WatchSet
from agentd.structs.commands import MessageType
from cnslkit.coordinate import ORIGIN, Coord

log = logging.getLogger(__name__)
COORDINATE_INTERVAL = 15.0  # Consul's agent sends its coordinate every 15 s or so


async def update(srv: Server, updates: list[NodeCoord]) -> None:
    await srv.propose(
        {
            "Type": int(MessageType.COORDINATE_BATCH_UPDATE),
            "Updates": [u.to_json() for u in updates],
        }
    )


async def ensure_own(srv: Server, node: str, coord: Coord = ORIGIN) -> None:
    """Give this agent's node its coordinate (a fresh Vivaldi client's, as there is no gossip to
    refine it) unless the store already holds exactly that; called once the node is registered."""
    if srv.store.coordinates.segments(node).get("") != coord:
        await update(srv, [NodeCoord(node, "", coord)])


async def keep_own(srv: Server, node: str, interval: float = COORDINATE_INTERVAL) -> None:
    """Check every ``interval`` that this node still has its coordinate, as a Consul agent sends
    its own periodically (a restored snapshot or a txn can have removed it)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await ensure_own(srv, node)
        except Exception as exc:  # a background loop: report and try again next time
            log.warning("coordinate: update failed: %s", exc)


async def nodes(srv: Server, opts: QueryOptions) -> tuple[int, list[NodeCoord]]:
    table = srv.store.coordinates

    def run(ws: WatchSet) -> tuple[int, list[NodeCoord]]:
        return table.list_all(ws)

    return await srv.query(opts, run)


async def node(srv: Server, name: str, opts: QueryOptions) -> tuple[int, list[NodeCoord]]:
    table = srv.store.coordinates

    def run(ws: WatchSet) -> tuple[int, list[NodeCoord]]:
        return table.of_node(ws, name)

    return await srv.query(opts, run)
