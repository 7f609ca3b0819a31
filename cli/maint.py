"""``cnsl maint``: Consul's ``command/maint``: node or service maintenance mode.

With ``-enable`` or ``-disable`` it toggles maintenance for the node, or with ``-service`` for one
service; with neither it lists what is in maintenance now, from the agent's
``_node_maintenance`` and ``_service_maintenance:<id>`` checks (blank when nothing is).
"""

from __future__ import annotations

from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem, no_args
from cli.goflags import BOOL, STRING, Flag
from cli.httpflags import CLIENT_FLAGS
from cli.textfmt import go_quote
from cnslkit.api import agent
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from cli.command import Invocation
    from cnslkit.api.models import HealthCheck

__all__ = ["COMMAND", "format_maintenance"]

NODE_CHECK = "_node_maintenance"
SERVICE_CHECK_PREFIX = "_service_maintenance:"
FLAGS = (
    Flag("disable", BOOL, help="Disable maintenance mode."),
    Flag("enable", BOOL, help="Enable maintenance mode."),
    Flag("reason", STRING, "", help="Text describing the maintenance reason (with -enable)."),
    Flag("service", STRING, "", help="Control maintenance mode for this service ID.", metavar="ID"),
    *CLIENT_FLAGS,
)


def format_maintenance(node_name: str, checks: Iterable[HealthCheck]) -> list[str]:
    """The listing's lines, in the order the agent returned the checks."""
    lines: list[str] = []
    for check in checks:
        if check.check_id == NODE_CHECK:
            lines += ["Node:", f"  Name:   {node_name}", f"  Reason: {check.notes}", ""]
        elif check.check_id.startswith(SERVICE_CHECK_PREFIX):
            lines += ["Service:", f"  ID:     {check.service_id}", f"  Reason: {check.notes}", ""]
    return lines


def run(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    no_args(inv)
    enable, disable = p.on("enable"), p.on("disable")
    reason, service = p.text("reason") or "", p.text("service") or ""
    if enable and disable:
        raise UsageProblem("Only one of -enable or -disable may be provided")
    if not enable and reason:
        raise UsageProblem("Reason may only be provided with -enable")
    if not enable and not disable and service:
        raise UsageProblem("Service requires either -enable or -disable")
    http = inv.http()
    node_name = http.send(agent.node_name())  # unreachable agent: "Error querying Consul agent"
    if not enable and not disable:
        try:
            checks = http.send(agent.checks())
        except ApiError as exc:
            out.error(f"Error getting checks: {exc}")
            return EXIT_ERROR
        for line in format_maintenance(node_name, checks.values()):
            out.info(line)
        return EXIT_OK
    verb = "enabling" if enable else "disabling"
    state = "enabled" if enable else "disabled"
    if service:
        call = (
            agent.enable_service_maintenance(service, reason)
            if enable
            else agent.disable_service_maintenance(service)
        )
        what, done = "service", f"Service maintenance is now {state} for {go_quote(service)}"
    else:
        call = agent.enable_node_maintenance(reason) if enable else agent.disable_node_maintenance()
        what, done = "node", f"Node maintenance is now {state}"
    try:
        http.send(call)
    except ApiError as exc:
        out.error(f"Error {verb} {what} maintenance: {exc}")
        return EXIT_ERROR
    out.info(done)
    return EXIT_OK


COMMAND = Command(
    "maint",
    FLAGS,
    run,
    synopsis="Controls node or service maintenance mode",
    help="Put the node (or with -service one service) into maintenance mode with -enable, take "
    "it out with -disable; with neither, show what is in maintenance now.",
)
