"""``cnsl watch``: Consul's ``command/watch``: run one watch plan with a handler, or print its
current result as JSON and exit when no handler is given (as ``consul watch`` does).

The plan itself (types, handler, delivery rules) is :mod:`cnslkit.watch.plans`, shared with
watchd and agentd. The handler is the trailing arguments: with ``-shell`` (the default) joined
and run by ``sh -c``, with ``-shell=false`` exec'd as given. Exit codes: 0 ok (or stopped by
SIGINT/SIGTERM), 1 the agent could not be reached, 2 usage errors (an unknown type, a missing
parameter).
"""

from __future__ import annotations

import asyncio
import json
import signal

from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem
from cli.goflags import BOOL, LIST, STRING, Flag
from cli.httpflags import HTTP_FLAGS, config_from
from cnslkit.api.client import Client
from cnslkit.api.errors import ApiError
from cnslkit.watch.dependency import QueryOptions
from cnslkit.watch.handlers import ScriptHandler
from cnslkit.watch.plans import WatchConfigError, WatchSpec, parse_watch
from cnslkit.watch.planset import PlanSet

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cli.command import Invocation
    from cnslkit.api.config import ClientConfig

__all__ = ["COMMAND"]

FLAGS = (
    Flag("type", STRING, help="key, keyprefix, services, nodes, service, checks or event."),
    Flag("key", STRING, help="Key to watch (type key).", metavar="KEY"),
    Flag("prefix", STRING, help="Key prefix to watch (type keyprefix).", metavar="PREFIX"),
    Flag("service", STRING, help="Service to watch (types service and checks).", metavar="NAME"),
    Flag("tag", LIST, help="Service tag to filter on (repeatable).", metavar="TAG"),
    Flag("passingonly", BOOL, help="Only services passing all their checks (type service)."),
    Flag("state", STRING, help="Check state to filter on (type checks).", metavar="STATE"),
    Flag("name", STRING, help="Event name to watch (type event).", metavar="NAME"),
    Flag("shell", BOOL, True, help="Run the handler through the shell (default true)."),
    *HTTP_FLAGS,
)
_PARAMS = ("type", "key", "prefix", "service", "state", "name", "datacenter")


def params(inv: Invocation) -> dict[str, Any]:
    p = inv.parsed
    out: dict[str, Any] = {k: p.text(k) for k in _PARAMS if p.text(k)}
    if p.items("tag"):
        out["tag"] = p.items("tag")
    if p.on("passingonly"):
        out["passingonly"] = True
    return out


def run(inv: Invocation) -> int:
    if not inv.parsed.text("type"):
        raise UsageProblem("Must specify watch type")
    try:
        spec = parse_watch(params(inv), require_handler=False)
    except WatchConfigError as exc:
        raise UsageProblem(f"Failed to parse watch: {exc}") from None
    config = config_from(inv.parsed)
    if not inv.args:
        try:
            body = asyncio.run(_once(config, spec))
        except ApiError as exc:
            inv.out.error(f"Error querying Consul agent: {exc}")
            return EXIT_ERROR
        inv.out.info(json.dumps(body, indent=4))
        return EXIT_OK
    if inv.parsed.on("shell"):
        handler = ScriptHandler(shell=" ".join(inv.args), timeout=0)
    else:
        handler = ScriptHandler(tuple(inv.args), timeout=0)
    plan = WatchSpec(spec.name, spec.kind, spec.query, handler, retries=0)
    asyncio.run(_forever(config, plan))
    return EXIT_OK


async def _once(config: ClientConfig, spec: WatchSpec) -> Any:
    async with Client(config) as client:
        answer = await spec.query.fetch(client, QueryOptions())
    return answer.data.body


async def _forever(config: ClientConfig, spec: WatchSpec) -> None:
    loop = asyncio.get_running_loop()
    async with Client(config) as client:
        plans = PlanSet(client)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, plans.stop)
        await plans.run([spec])


COMMAND = Command(
    "watch",
    FLAGS,
    run,
    usage="[HANDLER...]",
    synopsis="Watch for changes in Consul",
    help="Run a handler on every change of a key, prefix, service, node list, check or event; "
    "without a handler print the current result as JSON and exit.",
)
