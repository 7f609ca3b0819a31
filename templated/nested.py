"""``executeTemplate "name" [data]``: a named template rendered to a string.

The engine that is rendering says what a name means while it renders (:func:`running`): in Go
syntax a ``{{define}}`` or ``{{block}}`` of the file, in Jinja2 a macro defined at the top level
of the template (called with ``data`` when the macro takes an argument). The helper itself only
checks its arguments and hands them over, so ``function_denylist`` can replace it like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["Runner", "execute_template", "running"]

Runner = Callable[[str, Any], str]

_RUNNER: ContextVar[Runner | None] = ContextVar("templated_execute_template", default=None)


@contextmanager
def running(runner: Runner) -> Iterator[None]:
    """Make ``runner(name, data)`` what ``executeTemplate`` calls until the block ends."""
    token = _RUNNER.set(runner)
    try:
        yield
    finally:
        _RUNNER.reset(token)


def execute_template(*args: Any) -> str:
    """consul-template's ``executeTemplate``: one name, optionally the data to render it with."""
    if len(args) not in (1, 2):
        raise TypeError(
            f"executeTemplate: wrong number of arguments, expected 1 or 2, but got {len(args)}"
        )
    runner = _RUNNER.get()
    if runner is None:
        raise RuntimeError("executeTemplate: no template is being rendered")
    return runner(str(args[0]), args[1] if len(args) == 2 else None)
