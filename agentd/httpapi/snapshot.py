"""``/v1/snapshot``: save (GET) and restore (PUT) the whole state as a Consul archive.

The image is taken on the loop (so it is exactly the state at ``last_index``) and encoded in a
thread. A restore is verified and decoded in full before it is proposed as one RESTORE log
command: the log makes it durable and ordered like any write, and a bad archive changes nothing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from agentd.errors import BadRequest, TooLarge
from agentd.httpapi.app import query_options
from agentd.httpapi.request import Request, Response
from agentd.structs.commands import MessageType
from cnslkit import snapshot

if TYPE_CHECKING:
    from agentd.agent import Agent

CONTENT_TYPE = "application/x-gzip"


async def save(agent: Agent, req: Request) -> Response:
    opts = query_options(req)
    store = agent.server.store
    index, image = store.last_index, store.image()
    meta, archive = await asyncio.to_thread(snapshot.write_archive, index, image)
    return Response(
        200,
        archive,
        CONTENT_TYPE,
        [
            ("X-Consul-Index", str(max(meta.index, 1))),
            ("X-Consul-Effective-Consistency", opts.consistency),
            ("X-Consul-KnownLeader", "true"),
            ("X-Consul-LastContact", "0"),
        ],
    )


async def restore(agent: Agent, req: Request) -> Response:
    if req.truncated:
        raise TooLarge(f"Request body({req.content_length} bytes) too large")
    try:
        _, image = await asyncio.to_thread(snapshot.load_archive, req.body)
    except snapshot.SnapshotError as exc:
        raise BadRequest(f"Restore failed: {exc}") from None
    await agent.server.propose({"Type": int(MessageType.RESTORE), "Image": image})
    return Response(200, b"", None)
