"""``templated`` command line: flags -> config -> :class:`~templated.runner.Runner` -> exit code."""

from __future__ import annotations

import asyncio
import logging
import sys

from templated import flags
from templated.config import Config, load
from templated.errors import ExitCode, TemplatedError, UsageError

__all__ = ["main", "run"]

VERSION = "templated 0.1.0 (cnsl)"
_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "err": logging.ERROR,
    "error": logging.ERROR,
}


def run(argv: list[str]) -> int:
    try:
        given = flags.parse(argv)
    except UsageError as exc:
        if str(exc):
            print(f"templated: {exc}", file=sys.stderr)
            print(flags.usage(), file=sys.stderr, end="")
            return ExitCode.USAGE
        print(flags.usage(), end="")
        return ExitCode.OK
    if given.get("version"):
        print(VERSION)
        return ExitCode.OK
    try:
        config = load(given)
    except TemplatedError as exc:
        print(f"templated: {exc}", file=sys.stderr)
        return exc.exit_code
    _logging(config)
    if not config.templates:
        print("templated: no templates: give -template or a config with template blocks",
              file=sys.stderr)  # fmt: skip
        return ExitCode.CONFIG
    return asyncio.run(_run(config, given))


async def _run(config: Config, given: dict[str, object]) -> int:
    from templated.runner import Runner

    try:
        runner = Runner(config, reload_config=lambda: load(given))
    except TemplatedError as exc:  # a template that does not parse
        print(f"templated: {exc}", file=sys.stderr)
        return exc.exit_code
    if config.parse_only:
        return ExitCode.OK
    return await runner.run()


def _logging(config: Config) -> None:
    level = _LEVELS.get(config.log_level.lower(), logging.WARNING)
    logging.basicConfig(
        level=level,
        format="%(asctime)s [%(levelname)s] %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
