"""What a ``cnsl`` command is (a flag table, an argument synopsis, a function) and how it runs.

A :class:`Command` is declared once in its noun module (``cli/kv.py`` ...). Both entry paths end
in :func:`execute`: the fast path after :func:`cli.goflags.parse`, the Typer app after click has
parsed the normalised argv. So the logic, the output and the exit codes cannot drift apart.
"""

from __future__ import annotations

import os
import sys

from cli.goflags import HelpRequested, UsageError, parse
from cli.output import Output
from cnslkit.api import wire
from cnslkit.api.errors import ApiError, ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import BinaryIO

    from cli.goflags import Flag, Parsed
    from cli.httpflags import Http

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "Command",
    "DataError",
    "Invocation",
    "UsageProblem",
    "command_table",
    "execute",
    "load_data",
    "map_flag",
    "no_args",
    "run_fast",
]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class Invocation:
    """One run of a command: parsed flags and arguments, where to print, how to reach the agent."""

    __slots__ = ("_http", "out", "parsed")

    def __init__(self, parsed: Parsed, out: Output, http: Http | None = None) -> None:
        self.parsed = parsed
        self.out = out
        self._http = http

    @property
    def args(self) -> list[str]:
        return self.parsed.args

    def http(self) -> Http:
        """The agent caller, built from the HTTP flags and ``CONSUL_*`` on first use.

        Configuration problems (address, token file, TLS files) raise ConfigError here, so
        commands can treat an ApiError from a request as the agent's or the network's.
        """
        if self._http is None:
            from cli.httpflags import Http, config_from

            self._http = Http(config_from(self.parsed))
            self._http.prepare()
        return self._http


class UsageProblem(Exception):
    """The command line is wrong in a way only the command can tell: message to stderr, exit 2."""


def map_flag(parsed: Parsed, name: str) -> list[tuple[str, str]]:
    """A repeatable ``key=value`` flag (Go's ``FlagMapValue``): pairs, a later key wins."""
    pairs: dict[str, str] = {}
    for item in parsed.items(name):
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageProblem(
                f'invalid value "{item}" for flag -{name}: Missing "=" value in argument: {item}'
            )
        pairs[key] = value
    return list(pairs.items())


def no_args(inv: Invocation) -> None:
    """Commands that take no arguments say so, as Consul does."""
    if inv.args:
        raise UsageProblem(f"Too many arguments (expected 0, got {len(inv.args)})")


class Command:
    """A leaf command: ``run`` returns the exit code; ``usage`` is the positional synopsis."""

    __slots__ = ("flags", "help", "name", "run", "synopsis", "usage")

    def __init__(
        self,
        name: str,
        flags: Sequence[Flag],
        run: Callable[[Invocation], int],
        *,
        usage: str = "",
        synopsis: str = "",
        help: str = "",
    ) -> None:
        names = [f.name for f in flags]
        if len(set(names)) != len(names):
            raise ValueError(f"command {name}: duplicate flag in {names}")
        self.name = name
        self.flags = tuple(flags)
        self.run = run
        self.usage = usage
        self.synopsis = synopsis
        self.help = help


def command_table(*commands: Command) -> dict[str, Command]:
    """A noun's ``COMMANDS``: name -> Command; a duplicate name fails at import."""
    table: dict[str, Command] = {}
    for command in commands:
        if command.name in table:
            raise ValueError(f"duplicate command {command.name!r}")
        table[command.name] = command
    return table


def execute(
    command: Command, parsed: Parsed, out: Output | None = None, http: Http | None = None
) -> int:
    """Run ``command``; API failures the command did not handle become exit 1, never a traceback."""
    output = out if out is not None else Output()
    try:
        return command.run(Invocation(parsed, output, http))
    except UsageProblem as exc:
        output.error(str(exc))
        return EXIT_USAGE
    except ConfigError as exc:
        output.error(f"Error connecting to Consul agent: {exc}")
        return EXIT_ERROR
    except ApiError as exc:
        output.error(f"Error querying Consul agent: {exc}")
        return EXIT_ERROR
    finally:
        output.flush()


def run_fast(command: Command, argv: Sequence[str]) -> int | None:
    """The fast path: parse with Go's rules and run; None hands over to the Typer app (help or a
    usage problem, which it reports with the full usage text)."""
    try:
        parsed = parse(argv, command.flags)
    except (HelpRequested, UsageError):
        return None
    return execute(command, parsed)


class DataError(Exception):
    """A DATA argument could not be loaded (missing file, unreadable stdin)."""


def load_data(arg: str, stdin: BinaryIO | None = None) -> bytes:
    """Consul's DATA argument (``helpers.LoadDataSource``): ``@file``, ``-`` for stdin, or itself.

    Bytes throughout: a value is stored exactly as the file, stdin or argv bytes were.
    """
    if arg.startswith("@"):
        try:
            with open(arg[1:], "rb") as fh:
                return fh.read()
        except OSError as exc:
            text = wire.os_error_text(exc)
            raise DataError(f"Failed to read file: open {arg[1:]}: {text}") from None
    if arg == "-":
        try:
            return (stdin or sys.stdin.buffer).read()
        except OSError as exc:
            raise DataError(f"Failed to read stdin: {wire.os_error_text(exc)}") from None
    return os.fsencode(arg)
