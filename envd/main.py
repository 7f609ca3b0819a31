"""``envd`` command line: flags -> config -> :class:`~envd.runner.Runner` -> exit code.

Exit codes: the child's; 0 after ``-format``; 1 config or Consul errors; 2 usage errors.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from envd import flags
from envd.config import ConfigError, load

__all__ = ["main", "run"]

VERSION = "envd 0.1.0 (cnsl)"
_LEVELS = {"trace": 5, "debug": 10, "info": 20, "warn": 30, "warning": 30, "err": 40, "error": 40}

log = logging.getLogger("envd")


def run(argv: list[str]) -> int:
    try:
        given, command = flags.parse(argv)
        if given.get("version"):
            print(VERSION)
            return 0
        config = load(given, command)
    except flags.UsageError as exc:
        if not str(exc):
            print(flags.usage(), end="")
            return 0
        print(f"envd: {exc}", file=sys.stderr)
        print(flags.usage(), file=sys.stderr, end="")
        return 2
    except ConfigError as exc:
        print(f"envd: {exc}", file=sys.stderr)
        return 1
    logging.basicConfig(
        level=_LEVELS.get(config.log_level.lower(), logging.WARNING),
        format="%(asctime)s [%(levelname)s] %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for warning in config.warnings:
        log.warning("config: %s", warning)
    from envd.runner import Runner

    try:
        return asyncio.run(Runner(config).run())
    except ConfigError as exc:  # the pid file cannot be written
        print(f"envd: {exc}", file=sys.stderr)
        return 1


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
