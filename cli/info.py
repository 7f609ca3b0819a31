"""``cnsl info``: Consul's ``command/info``: the agent's ``Stats`` from ``/v1/agent/self``.

Sections sorted by name, each ``name:`` then ``\\tkey = value`` lines sorted by key.
"""

from __future__ import annotations

from cli.command import EXIT_ERROR, EXIT_OK, Command, no_args
from cli.httpflags import CLIENT_FLAGS
from cnslkit.api import agent
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from cli.command import Invocation

__all__ = ["COMMAND", "format_stats"]


def format_stats(stats: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for section in sorted(stats):
        lines.append(f"{section}:")
        values = stats[section] or {}
        lines += [f"\t{key} = {values[key]}" for key in sorted(values)]
    return "\n".join(lines)


def run(inv: Invocation) -> int:
    no_args(inv)
    try:
        info = inv.http().send(agent.self_())
    except ApiError as exc:
        inv.out.error(f"Error querying agent: {exc}")
        return EXIT_ERROR
    stats = info.get("Stats")
    if not isinstance(stats, dict):
        inv.out.error("Agent response did not contain 'Stats' key")
        return EXIT_ERROR
    inv.out.info(format_stats(stats))
    return EXIT_OK


COMMAND = Command(
    "info",
    CLIENT_FLAGS,
    run,
    synopsis="Provides debugging information for operators.",
    help="Print the agent's statistics (agent, build, consul, raft, runtime), by section.",
)
