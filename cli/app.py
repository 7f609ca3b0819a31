"""The Typer app: every ``cnsl`` command, for help, usage errors and (later) shell completions.

:data:`NOUNS` is THE command table. Each noun module declares its commands once as
:class:`~cli.command.Command` records (flags, synopsis, function); :func:`build` turns each into a
Typer command whose options are exactly its flag table, so help and completions list Consul's
flags (``-recurse``) and the work is done by the same function the fast path calls. Before click
sees argv, :func:`cli.goflags.normalise` rewrites Go-style flags (``-flag=false``, ``--flag v``,
flags ending at the first argument) using the target command's declared options.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import Any

import typer

from cli import goflags
from cli.command import EXIT_USAGE, Command, execute
from cli.goflags import BOOL, DURATION, INT, LIST, STRING, UINT, Flag, Parsed
from cli.output import Output

__all__ = ["NOUNS", "build", "run"]

# noun, one-line help, module holding either COMMANDS: dict[str, Command] (a group such as
# ``kv get``) or COMMAND: Command (a command of its own such as ``members``). Sorted by noun.
# A group module may also list GROUPS: (name, help, module) of sub-groups (``acl token create``).
NOUNS: tuple[tuple[str, str, str], ...] = (
    ("acl", "Interact with Consul's ACLs", "cli.acl"),
    ("catalog", "Interact with the catalog", "cli.catalog"),
    ("completion", "Installs or prints shell completions", "cli.completion"),
    ("event", "Fire a new event", "cli.event"),
    ("force-leave", 'Forces a member of the cluster to enter the "left" state', "cli.force_leave"),
    ("info", "Provides debugging information for operators.", "cli.info"),
    ("join", "Tell Consul agent to join cluster", "cli.join"),
    ("kv", "Interact with the key-value store", "cli.kv"),
    ("leave", "Gracefully leaves the Consul cluster and shuts down", "cli.leave"),
    ("lock", "Execute a command holding a lock", "cli.lock"),
    ("maint", "Controls node or service maintenance mode", "cli.maint"),
    ("members", "Lists the members of a Consul cluster", "cli.members"),
    ("monitor", "Stream logs from a Consul agent", "cli.monitor"),
    ("reload", "Triggers the agent to reload configuration files", "cli.reload"),
    ("rtt", "Estimates network round trip time between nodes", "cli.rtt"),
    ("services", "Interact with services", "cli.services"),
    ("snapshot", "Saves, restores and inspects snapshots of Consul server state", "cli.snapshot"),
    ("version", "Prints the Consul version", "cli.version"),
    ("watch", "Watch for changes in Consul", "cli.watch"),
)

_HELP_NAMES = ["-h", "-help", "--help"]
_CONTEXT = {"help_option_names": _HELP_NAMES}


def _annotation(flag: Flag) -> Any:
    if flag.kind == BOOL:
        return bool
    if flag.kind in (UINT, INT):
        return int
    if flag.kind == LIST:
        return list[str]
    return str if flag.default is not None else str | None


def _option(flag: Flag) -> Any:
    default = list(flag.default) if isinstance(flag.default, list) else flag.default
    # A bool with a false spelling is click's "-on/-off" declaration (secondary option).
    names = ["/".join(flag.click_names)] if flag.kind == BOOL else flag.click_names[:1]
    return typer.Option(
        default,
        *names,
        help=flag.help,
        metavar=flag.metavar or (None if flag.kind == BOOL else "VALUE"),
        min=0 if flag.kind == UINT else None,
        show_default=flag.kind in (STRING, UINT, INT, DURATION) and flag.default not in (None, ""),
    )


def _callback(command: Command) -> Any:
    """A function whose signature is the command's flag table, calling :func:`execute`."""

    def callback(ctx: typer.Context, **kwargs: Any) -> None:
        args = [str(a) for a in ctx.args]
        values: dict[str, Any] = {}
        for flag in command.flags:
            value = kwargs[flag.ident]
            if flag.kind == LIST:
                value = list(value or ())
            elif flag.kind == DURATION and isinstance(value, str):
                from cnslkit.duration import parse_duration

                value = parse_duration(value)
            values[flag.name] = value
        raise typer.Exit(execute(command, Parsed(values, args, set())))

    params = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)]
    params += [
        inspect.Parameter(
            flag.ident,
            inspect.Parameter.KEYWORD_ONLY,
            default=_option(flag),
            annotation=_annotation(flag),
        )
        for flag in command.flags
    ]
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in params}
    callback.__name__ = command.name
    callback.__doc__ = command.help
    return callback


def build() -> typer.Typer:
    """The whole app from :data:`NOUNS`; a duplicate noun or command fails here, at start-up."""
    app = typer.Typer(
        name="cnsl",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings=_CONTEXT,
        help="cnsl: a Consul-compatible command-line client.",
    )
    seen: set[str] = set()
    for noun, help_text, module_name in NOUNS:
        if noun in seen:
            raise ValueError(f"duplicate noun {noun!r} in cli.app.NOUNS")
        seen.add(noun)
        module = import_module(module_name)
        if hasattr(module, "COMMAND"):
            _add(app, noun, module.COMMAND)
            continue
        app.add_typer(_group(module, help_text), name=noun)
    return app


def _group(module: Any, help_text: str) -> typer.Typer:
    """A Typer group of a module's COMMANDS and, nested, its GROUPS' (names unique across)."""
    group = typer.Typer(
        no_args_is_help=True, rich_markup_mode=None, context_settings=_CONTEXT, help=help_text
    )
    commands: dict[str, Command] = module.COMMANDS
    for name, command in commands.items():
        _add(group, name, command)
    for name, sub_help, sub_module in getattr(module, "GROUPS", ()):
        if name in commands:
            raise ValueError(f"{module.__name__}: {name!r} is both a command and a group")
        group.add_typer(_group(import_module(sub_module), sub_help), name=name)
    return group


def _add(parent: typer.Typer, name: str, command: Command) -> None:
    parent.command(
        name,
        short_help=command.synopsis,
        help=command.help,
        options_metavar=f"[options] {command.usage}".rstrip(),
        # Positionals arrive after "--" (see goflags.normalise); the command counts them.
        context_settings={**_CONTEXT, "allow_extra_args": True},
    )(_callback(command))


def _normalise(root: Any, argv: list[str], out: Output) -> list[str] | None:
    """Go-style argv -> click argv for the command argv names; None after a usage error."""
    cmd, i = root, 0
    while hasattr(cmd, "commands") and i < len(argv) and argv[i] in cmd.commands:
        cmd, i = cmd.commands[argv[i]], i + 1
    if hasattr(cmd, "commands"):  # a group: only the help spellings need translating
        return argv[:i] + ["--help" if a in _HELP_NAMES else a for a in argv[i:]]
    try:
        return argv[:i] + goflags.normalise(argv[i:], goflags.flags_from_click(cmd))
    except goflags.UsageError as exc:
        words = " ".join(argv[:i])
        out.error(f"{exc}\nRun 'cnsl {words} -h' for usage.")
        return None


def run(argv: list[str]) -> int:
    """Parse and run ``argv`` (without the program name) through the Typer app; the exit code."""
    root = typer.main.get_command(build())
    out = Output()
    args = _normalise(root, argv, out)
    if args is None:
        return EXIT_USAGE
    try:
        root.main(args=args, prog_name="cnsl", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
