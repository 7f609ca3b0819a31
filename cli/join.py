"""``cnsl join``: Consul's ``command/join``: ask the agent to join a cluster through each ADDRESS.

Every address is tried; one that fails prints ``Error joining address '<addr>': <error>``. The
command succeeds when at least one join did (``Successfully joined cluster by contacting N
nodes.``), else ``Failed to join any nodes.`` and exit 1. ``-wan`` joins the WAN pool (servers).
"""

from __future__ import annotations

from cli.command import EXIT_ERROR, EXIT_OK, Command
from cli.goflags import BOOL, Flag
from cli.httpflags import CLIENT_FLAGS
from cnslkit.api import wire
from cnslkit.api.call import Call, ignore, params
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND", "join"]

FLAGS = (
    Flag("wan", BOOL, help="Joins a server to another server in the WAN pool."),
    *CLIENT_FLAGS,
)


def join(addr: str, wan: bool) -> Call[None]:
    """Go's ``Agent.Join``: ``PUT /v1/agent/join/<addr>``, ``?wan=1`` for the WAN pool."""
    path = "/v1/agent/join/" + wire.quote_path(addr)
    return Call("PUT", path, ignore, params(("wan", "1" if wan else "")), b"")


def run(inv: Invocation) -> int:
    out = inv.out
    if not inv.args:
        out.error("At least one address to join must be specified.")
        return EXIT_ERROR
    http = inv.http()
    joins = 0
    for addr in inv.args:
        try:
            http.send(join(addr, inv.parsed.on("wan")))
        except ApiError as exc:
            out.error(f"Error joining address '{addr}': {exc}")
        else:
            joins += 1
    if joins == 0:
        out.error("Failed to join any nodes.")
        return EXIT_ERROR
    out.info(f"Successfully joined cluster by contacting {joins} nodes.")
    return EXIT_OK


COMMAND = Command(
    "join",
    FLAGS,
    run,
    usage="ADDRESS...",
    synopsis="Tell Consul agent to join cluster",
    help="Tell the agent to join a cluster by contacting at least one existing member at "
    "ADDRESS (host or host:port; the pool's gossip port by default).",
)
