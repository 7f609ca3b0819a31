"""``cnsl members``: Consul's ``command/members``: the gossip pool as a columnize table.

Columns ``Node Address Status Type Build Protocol DC Partition Segment``; ``-detailed`` gives
``Node Address Status Tags`` with every tag as ``k=v`` (sorted, comma-joined). Servers sort first,
then by segment, then by name. No member matching ``-status`` exits 2 with no output, as Consul.
"""

from __future__ import annotations

import re

from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem, no_args
from cli.goflags import BOOL, STRING, Flag
from cli.httpflags import CLIENT_FLAGS
from cli.textfmt import DELIM, table
from cnslkit.api import agent
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from cli.command import Invocation
    from cnslkit.api.models import Member

__all__ = ["COMMAND", "format_members", "normalise_tags", "status_name"]

ALL_SEGMENTS = "_all"
FLAGS = (
    Flag("detailed", BOOL, help="Show every tag of each member."),
    Flag("filter", STRING, "", help="Filter expression to use with the request.", metavar="EXPR"),
    Flag("segment", STRING, ALL_SEGMENTS, help="(Enterprise) Only members of this segment."),
    Flag("status", STRING, ".*", help="Only members whose status matches this regular expression."),
    Flag("wan", BOOL, help="List the WAN pool (servers of every datacenter)."),
    *CLIENT_FLAGS,
)
_STATUS = ("none", "alive", "leaving", "left", "failed")
HEADER = ("Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment")


def status_name(status: int) -> str:
    """serf's ``MemberStatus.String()``."""
    return _STATUS[status] if 0 <= status < len(_STATUS) else f"unknown({status})"


def normalise_tags(member: Member, segment: str) -> dict[str, str]:
    """The tags as Consul prints them: partition "default", segment "<all>" for servers of the
    default partition, "<default>" for clients without one."""
    tags = dict(member.tags)
    if not tags.get("ap"):
        tags["ap"] = "default"
    if tags["ap"] == "default":
        if segment == ALL_SEGMENTS and tags.get("role") == "consul":
            tags["segment"] = "<all>"
        elif not tags.get("segment"):
            tags["segment"] = "<default>"
    else:
        tags["segment"] = ""
    return tags


def _address(member: Member) -> str:
    host = f"[{member.addr}]" if ":" in member.addr else member.addr
    return f"{host}:{member.port}"


def _sort_key(member: Member, tags: dict[str, str]) -> tuple[bool, bool, str, str, str]:
    """Servers first, then the default partition, then by segment, partition and name."""
    partition = tags.get("ap", "")
    default = partition in ("", "default")
    segment = tags.get("segment", "")
    return (tags.get("role") != "consul", not default, segment, partition, member.name)


def format_members(members: Sequence[Member], detailed: bool, segment: str = ALL_SEGMENTS) -> str:
    tagged = [(m, normalise_tags(m, segment)) for m in members]
    tagged.sort(key=lambda mt: _sort_key(*mt))
    if detailed:
        rows = [DELIM.join(("Node", "Address", "Status", "Tags"))]
        for m, tags in tagged:
            pairs = ",".join(f"{k}={tags[k]}" for k in sorted(tags))
            rows.append(DELIM.join((m.name, _address(m), status_name(m.status), pairs)))
        return table(rows)
    rows = [DELIM.join(HEADER)]
    for m, tags in tagged:
        role = {"node": "client", "consul": "server"}.get(tags.get("role", ""))
        if role is None:
            cells = [m.name, _address(m), status_name(m.status), "unknown", "", "", "", "", ""]
        else:
            build = tags.get("build", "").split(":", 1)[0] or "< 0.3"
            cells = [m.name, _address(m), status_name(m.status), role, build, tags.get("vsn", "")]
            cells += [tags.get("dc", ""), tags["ap"], tags.get("segment", "")]
        rows.append(DELIM.join(cells))
    return table(rows)


def run(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    no_args(inv)
    try:
        status_re = re.compile(p.text("status") or "")
    except re.error as exc:
        raise UsageProblem(f"Failed to compile status regexp: {exc}") from None
    segment = p.text("segment") or ""
    http = inv.http()
    # "_all" is the default, meaning "no segment filter": it is not sent.
    call = agent.members(
        wan=p.on("wan"),
        segment="" if segment == ALL_SEGMENTS else segment,
        filter=p.text("filter") or "",
    )
    try:
        members = http.send(call)
    except ApiError as exc:
        out.error(f"Error retrieving members: {exc}")
        return EXIT_ERROR
    members = [m for m in members if status_re.search(status_name(m.status))]
    if not members:
        return 2
    out.info(format_members(members, p.on("detailed"), segment))
    return EXIT_OK


COMMAND = Command(
    "members",
    FLAGS,
    run,
    synopsis="Lists the members of a Consul cluster",
    help="Print the members of the agent's gossip pool (LAN, or WAN with -wan).",
)
