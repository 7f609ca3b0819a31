"""``cnsl force-leave``: Consul's ``command/forceleave``: force a member into the "left" state.

``-prune`` removes it from the member list at once, ``-wan`` acts on the WAN pool only (where
members are named ``<node>.<datacenter>``). Prints nothing on success; ``Error force leaving:
<error>`` and exit 1 otherwise (an unknown node is the agent's ``No node found with name``).
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

__all__ = ["COMMAND", "force_leave"]

FLAGS = (
    Flag("prune", BOOL, help="Remove agent completely from list of members"),
    Flag("wan", BOOL, help="Exclusively leave the agent from the WAN serf pool."),
    *CLIENT_FLAGS,
)


def force_leave(node: str, prune: bool = False, wan: bool = False) -> Call[None]:
    """Go's ``Agent.ForceLeaveOpts``."""
    path = "/v1/agent/force-leave/" + wire.quote_path(node)
    query = params(("prune", "1" if prune else ""), ("wan", "1" if wan else ""))
    return Call("PUT", path, ignore, query, b"")


def run(inv: Invocation) -> int:
    out, p = inv.out, inv.parsed
    if len(inv.args) != 1:
        out.error("A single node name must be specified to force leave.")
        return EXIT_ERROR
    try:
        inv.http().send(force_leave(inv.args[0], p.on("prune"), p.on("wan")))
    except ApiError as exc:
        out.error(f"Error force leaving: {exc}")
        return EXIT_ERROR
    return EXIT_OK


COMMAND = Command(
    "force-leave",
    FLAGS,
    run,
    usage="NODE",
    synopsis='Forces a member of the cluster to enter the "left" state',
    help='Forces a member of a Consul cluster to enter the "left" state. A member that is '
    "still alive rejoins; this is for cleaning out failed nodes that are never coming back.",
)
