"""``cnsl version``: Consul's ``command/version``, naming the Consul version it speaks and the
cnsl revision; ``-format json`` gives Consul's JSON document."""

from __future__ import annotations

import json

from cli.command import EXIT_ERROR, EXIT_OK, Command, no_args
from cli.goflags import STRING, Flag
from cnslkit.version import CNSL_VERSION, CONSUL_VERSION, PROTOCOL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND", "format_version"]

BUILD_DATE = "2026-01-01T00:00:00Z"
PROTOCOL_MAX = 3
FLAGS = (Flag("format", STRING, "pretty", help="Output format: pretty or json.", metavar="FMT"),)


def format_version() -> str:
    return "\n".join(
        [
            f"Consul v{CONSUL_VERSION}",
            f"Revision cnsl-{CNSL_VERSION}",
            f"Build Date {BUILD_DATE}",
            f"Protocol {PROTOCOL} spoken by default, understands {PROTOCOL} to {PROTOCOL_MAX} "
            f"(agent will automatically use protocol >{PROTOCOL} when speaking to compatible "
            "agents)",
        ]
    )


def run(inv: Invocation) -> int:
    no_args(inv)
    fmt = inv.parsed.text("format") or "pretty"
    if fmt == "pretty":
        inv.out.info(format_version())
        return EXIT_OK
    if fmt != "json":
        inv.out.error(f"Invalid format: {fmt!r}; must be pretty or json")
        return EXIT_ERROR
    doc = {
        "Version": CONSUL_VERSION,
        "Revision": f"cnsl-{CNSL_VERSION}",
        "Prerelease": "",
        "FIPS": "",
        "BuildDate": BUILD_DATE,
        "RPC": {"Default": PROTOCOL, "Min": PROTOCOL, "Max": PROTOCOL_MAX},
    }
    inv.out.info(json.dumps(doc, indent=2))
    return EXIT_OK


COMMAND = Command(
    "version",
    FLAGS,
    run,
    synopsis="Prints the Consul version",
    help="Print the Consul version cnsl is compatible with, its own revision and protocols.",
)
