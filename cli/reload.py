"""``cnsl reload``: Consul's ``command/reload``: ask the agent to re-read its configuration."""

from __future__ import annotations

from cli.command import EXIT_ERROR, EXIT_OK, Command, no_args
from cli.httpflags import CLIENT_FLAGS
from cnslkit.api import agent
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND"]


def run(inv: Invocation) -> int:
    no_args(inv)
    http = inv.http()
    try:
        http.send(agent.reload())
    except ApiError as exc:
        inv.out.error(f"Error reloading: {exc}")
        return EXIT_ERROR
    inv.out.info("Configuration reload triggered")
    return EXIT_OK


COMMAND = Command(
    "reload",
    CLIENT_FLAGS,
    run,
    synopsis="Triggers the agent to reload configuration files",
    help="Make the agent reload its configuration files, as SIGHUP does.",
)
