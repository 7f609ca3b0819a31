"""``cnsl``: the console-script entry point, and the fast path for commands run in shell loops.

``cnsl kv get KEY`` is called hundreds of times from scripts, so its start-up is the product:
importing typer costs ~50 ms and httpx ~60 ms, against ~9 ms for ``python -c pass``. The commands
in :data:`FAST` therefore run without either: their flags are parsed by :mod:`cli.goflags` from
the same table the Typer app uses, and the request goes through :mod:`cnslkit.rawhttp`. Anything
else, and ``-h`` or a command-line problem on the fast path, goes to the Typer app (:mod:`cli.app`),
which prints help and usage errors for every command the same way.
"""

from __future__ import annotations

import sys

__all__ = ["FAST", "main"]

# (noun, verb) -> module whose COMMANDS[verb] runs without typer/httpx/asyncio.
FAST: dict[tuple[str, str], str] = {
    ("kv", "get"): "cli.kv",
    ("kv", "put"): "cli.kv",
    ("kv", "delete"): "cli.kv",
}


def _fast(argv: list[str]) -> int | None:
    module_name = FAST.get((argv[0], argv[1])) if len(argv) >= 2 else None
    if module_name is None:
        return None
    from cli.command import run_fast

    __import__(module_name)  # not importlib: it costs an import of its own
    return run_fast(sys.modules[module_name].COMMANDS[argv[1]], argv[2:])


def main(argv: list[str] | None = None) -> int:
    """Run ``cnsl`` with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _fast(args)
        if code is None:
            from cli.app import run

            code = run(args)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # the last line of defence: an error message, never a traceback
        from cli.output import Output

        Output().error(f"Error: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
