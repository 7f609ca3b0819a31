"""``cnsl leave``: Consul's ``command/leave``: the agent leaves its cluster gracefully and shuts
down; ``Graceful leave complete`` once it has answered."""

from __future__ import annotations

from cli.command import EXIT_ERROR, EXIT_OK, Command
from cli.httpflags import CLIENT_FLAGS
from cnslkit.api.call import Call, ignore
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND", "leave"]


def leave() -> Call[None]:
    """Go's ``Agent.Leave``."""
    return Call("PUT", "/v1/agent/leave", ignore, body=b"")


def run(inv: Invocation) -> int:
    out = inv.out
    if inv.args:
        out.error(f"Error found unexpected args: [{' '.join(inv.args)}]")
        return EXIT_ERROR
    try:
        inv.http().send(leave())
    except ApiError as exc:
        out.error(f"Error leaving: {exc}")
        return EXIT_ERROR
    out.info("Graceful leave complete")
    return EXIT_OK


COMMAND = Command(
    "leave",
    CLIENT_FLAGS,
    run,
    synopsis="Gracefully leaves the Consul cluster and shuts down",
    help="Causes the agent to gracefully leave the Consul cluster and shut down.",
)
