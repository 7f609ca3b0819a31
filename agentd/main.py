"""``agentd``: flags -> config -> Agent, with Consul's signals (INT/TERM stop, HUP reloads)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Coroutine
from typing import Any

from agentd.config import ConfigError, RuntimeConfig, load, setup_logging
from agentd.flags import UsageError, parse_flags


async def _serve(config: RuntimeConfig) -> None:
    from agentd.agent import Agent

    agent = Agent(config)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, agent.stop)
    loop.add_signal_handler(signal.SIGTERM, agent.stop)
    loop.add_signal_handler(signal.SIGHUP, agent.reload)
    await agent.run()


def _run(coro: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        flags = parse_flags(args)
    except UsageError as exc:
        if exc.help_requested:
            print(exc.help, file=sys.stderr)
            return 0
        print(f"{exc.message}\n\n{exc.help}", file=sys.stderr)
        return 2
    try:
        config = load(flags)
    except ConfigError as exc:
        print(f"==> {exc}", file=sys.stderr)
        return 1
    setup_logging(config.log_level)
    failures: list[BaseException] = []
    try:
        _run(_serve(config))
    except* OSError as group:
        failures.extend(group.exceptions)
    for failure in failures:
        print(f"==> Error starting agent: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
