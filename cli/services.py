"""``cnsl services register|deregister``: Consul's ``command/services/*``.

A registration comes from flags or from definition files (:mod:`cli.servicefile`), not both;
flag values fill what a file's services leave empty (Consul's ``CombineArgs``). Each service is
sent to ``PUT /v1/agent/service/register`` in turn and reported as ``Registered service: NAME``;
the first failure stops the run with exit 1.
"""

from __future__ import annotations

from typing import Any

from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem, command_table, map_flag
from cli.goflags import INT, LIST, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.servicefile import ServiceFileError, load, service_id
from cli.textfmt import go_quote
from cnslkit.api import agent
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation
    from cli.goflags import Parsed

__all__ = ["COMMANDS", "combine", "from_flags", "parse_service_addr"]

REGISTER_FLAGS = (
    Flag("address", STRING, "", help="Address of the service (flag-based registration)."),
    Flag("id", STRING, "", help="ID of the service; defaults to -name."),
    Flag("kind", STRING, "", help="The service's kind (connect-proxy, mesh-gateway ...)."),
    Flag("meta", LIST, help="Service metadata as key=value (repeatable).", metavar="KEY=VALUE"),
    Flag("name", STRING, "", help="Name of the service (flag-based registration)."),
    Flag("port", INT, 0, help="Port of the service."),
    Flag("socket", STRING, "", help="Unix socket path of the service (instead of address/port)."),
    Flag("tag", LIST, help="A tag for the service (repeatable).", metavar="TAG"),
    Flag(
        "tagged-address",
        LIST,
        help="A tagged address as key=host:port (repeatable).",
        metavar="KEY=ADDR",
    ),
    *HTTP_FLAGS,
)
DEREGISTER_FLAGS = (
    Flag("id", STRING, "", help="ID of the service to deregister (instead of FILE arguments)."),
    *HTTP_FLAGS,
)


def parse_service_addr(text: str) -> dict[str, Any]:
    """Go's ``api.ParseServiceAddr``: ``host:port`` or a bare host; ValueError on a bad port."""
    host, port = text, 0
    if text.startswith("[") and "]:" in text:
        host, _, port_text = text[1:].partition("]:")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        port_text = ""
    if port_text or host != text:
        if not port_text.isdigit():
            raise ValueError(f'failed to parse port "{port_text}"')
        port = int(port_text)
        if port > 65535:
            raise ValueError(f"invalid port {port}")
    return {"Address": host, "Port": port}


def from_flags(p: Parsed) -> dict[str, Any]:
    """The registration the flags describe, with Go's omitempty fields left out."""
    tagged = {}
    for key, value in map_flag(p, "tagged-address"):
        try:
            tagged[key] = parse_service_addr(value)
        except ValueError as exc:
            raise UsageProblem(f"Invalid Tagged Address: {exc}") from None
    fields: dict[str, Any] = {
        "Kind": p.text("kind"),
        "ID": p.text("id"),
        "Name": p.text("name"),
        "Tags": p.items("tag"),
        "Port": p.num("port"),
        "Address": p.text("address"),
        "SocketPath": p.text("socket"),
        "TaggedAddresses": tagged,
        "Meta": dict(map_flag(p, "meta")),
    }
    return {k: v for k, v in fields.items() if v}


def combine(from_file: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """Consul's ``CombineArgs``: flag values fill empty scalars; meta, tagged addresses and tags
    from flags are added to the file's."""
    out = dict(from_file)
    for key in ("ID", "Name", "Address", "Port", "Kind", "SocketPath"):
        if flags.get(key) and not out.get(key):
            out[key] = flags[key]
    out["Meta"] = {**(out.get("Meta") or {}), **flags.get("Meta", {})}
    out["TaggedAddresses"] = {
        **(out.get("TaggedAddresses") or {}),
        **flags.get("TaggedAddresses", {}),
    }
    out["Tags"] = [*(out.get("Tags") or []), *flags.get("Tags", [])]
    return out


def _from_files(inv: Invocation) -> list[dict[str, Any]] | None:
    found: list[dict[str, Any]] = []
    for path in inv.args:
        try:
            services = load(path)
        except ServiceFileError as exc:
            inv.out.error(f"Error: {exc}")
            return None
        if not services:
            inv.out.error(f'Error: {path}: no service definitions ("service" or "services")')
            return None
        found.extend(services)
    return found


def run_register(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    flags = from_flags(p)
    if not inv.args and not p.text("name"):
        raise UsageProblem("Service registration requires at least one argument or flags.")
    if inv.args and p.text("name"):
        raise UsageProblem("Service registration requires arguments or -id, not both.")
    services = [flags]
    if inv.args:
        found = _from_files(inv)
        if found is None:
            return EXIT_ERROR
        services = [combine(svc, flags) for svc in found]
    http = inv.http()
    for svc in services:
        name = str(svc.get("Name") or "")
        try:
            http.send(agent.service_register(svc))
        except ApiError as exc:
            out.error(f"Error registering service {go_quote(name)}: {exc}")
            return EXIT_ERROR
        out.info(f"Registered service: {name}")
    return EXIT_OK


def run_deregister(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    flag_id = p.text("id") or ""
    if not inv.args and not flag_id:
        raise UsageProblem("Service deregistration requires at least one argument or -id.")
    if inv.args and flag_id:
        raise UsageProblem("Service deregistration requires arguments or -id, not both.")
    services: list[dict[str, Any]] = [{"ID": flag_id}]
    if inv.args:
        found = _from_files(inv)
        if found is None:
            return EXIT_ERROR
        services = found
    http = inv.http()
    for svc in services:
        sid = service_id(svc)
        if not sid:
            continue
        try:
            http.send(agent.service_deregister(sid))
        except ApiError as exc:
            out.error(f"Error deregistering service {go_quote(sid)}: {exc}")
            return EXIT_ERROR
        out.info(f"Deregistered service: {sid}")
    return EXIT_OK


COMMANDS: dict[str, Command] = command_table(
    Command(
        "register",
        REGISTER_FLAGS,
        run_register,
        usage="[FILE...]",
        synopsis="Register services with the local agent",
        help="Register the services defined in each FILE (HCL or JSON, service {} or "
        "services [] blocks as in agent configuration), or one service described by flags.",
    ),
    Command(
        "deregister",
        DEREGISTER_FLAGS,
        run_deregister,
        usage="[FILE...]",
        synopsis="Deregister services with the local agent",
        help="Deregister the service -id, or the services defined in each FILE.",
    ),
)
