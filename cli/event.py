"""``cnsl event``: Consul's ``command/event``: fire a user event, print its ID.

The filters are regular expressions the receiving agents apply; they are compiled here first
only to reject a bad one before anything is sent, as Consul does.
"""

from __future__ import annotations

import os
import re

from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem
from cli.goflags import STRING, Flag
from cli.httpflags import CLIENT_FLAGS
from cnslkit.api import agent, event
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND"]

FLAGS = (
    Flag("name", STRING, "", help="Name of the event (required)."),
    Flag("node", STRING, "", help="Regular expression to filter on node names."),
    Flag("service", STRING, "", help="Regular expression to filter on service names."),
    Flag("tag", STRING, "", help="Regular expression to filter on service tags (with -service)."),
    *CLIENT_FLAGS,
)


def run(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    name = p.text("name") or ""
    if not name:
        raise UsageProblem("Event name must be specified")
    filters = {k: p.text(k) or "" for k in ("node", "service", "tag")}
    for key, pattern in filters.items():
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UsageProblem(f"Failed to compile {key} filter regexp: {exc}") from None
    if filters["tag"] and not filters["service"]:
        raise UsageProblem("Cannot provide tag filter without service filter.")
    if len(inv.args) > 1:
        raise UsageProblem("Too many command line arguments.")
    payload = os.fsencode(inv.args[0]) if inv.args else None
    http = inv.http()
    http.send(agent.node_name())  # unreachable agent: "Error querying Consul agent"
    try:
        fired = http.send(event.fire(name, payload, **filters))
    except ApiError as exc:
        out.error(f"Error firing event: {exc}")
        return EXIT_ERROR
    out.info(f"Event ID: {fired.id}")
    return EXIT_OK


COMMAND = Command(
    "event",
    FLAGS,
    run,
    usage="[PAYLOAD]",
    synopsis="Fire a new event",
    help="Dispatch a user event named -name across the datacenter, with an optional payload; "
    "-node, -service and -tag restrict which agents keep it.",
)
