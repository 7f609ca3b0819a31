"""envconsul's tiny name templates: Go ``text/template`` actions over a handful of functions.

A template is text with ``{{ pipeline }}`` actions. A pipeline is commands separated by ``|``;
a command is a function name followed by string arguments (``"double quoted"`` with Go's escapes
or ```raw```), or a lone string literal. As in Go, the value of each command is passed as the
last argument of the next one: ``{{ key | replaceKey "-" "_" }}`` is
``replaceKey("-", "_", key())``. ``{{-`` and ``-}}`` trim the whitespace next to the action and
``{{/* ... */}}`` is a comment.

Which functions exist depends on where the template is used (:data:`KEY`, :data:`SERVICE`,
:data:`PATH`); an unknown function, a wrong number of arguments or a syntax error is a
:class:`FormatError` when the template is compiled, so a bad config fails at start-up. The
values (the key being renamed, the service) are given when the template is rendered.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["KEY", "PATH", "SERVICE", "FormatError", "NameFormat", "compile_format"]

#: function name -> number of arguments (a piped value counts as the last one)
KEY: Mapping[str, int] = {"key": 0, "replaceKey": 3}
SERVICE: Mapping[str, int] = {"service": 0, "key": 0}
PATH: Mapping[str, int] = {"env": 1}

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_TOKEN = re.compile(
    r'\s+|(?P<pipe>\|)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<str>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<raw>`[^`]*`)"
)


class FormatError(ValueError):
    """A template that cannot be compiled."""


@dataclass(frozen=True, slots=True)
class _Command:
    name: str  # "" for a lone string literal
    args: tuple[str, ...]


_Part = str | tuple[_Command, ...]


@dataclass(frozen=True, slots=True)
class NameFormat:
    """A compiled template; :meth:`render` runs it with the functions' implementations."""

    source: str
    parts: tuple[_Part, ...]

    def render(self, funcs: Mapping[str, Callable[..., str]]) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value: str | None = None
            for command in part:
                if not command.name:
                    value = command.args[0]
                    continue
                args = command.args if value is None else (*command.args, value)
                value = funcs[command.name](*args)
            out.append(value or "")
        return "".join(out)


def compile_format(text: str, functions: Mapping[str, int]) -> NameFormat:
    parts: list[_Part] = []
    pos = 0
    for m in _ACTION.finditer(text):
        before = text[pos : m.start()]
        if m.group(1):
            before = before.rstrip()
        parts.append(before)
        pos = m.end()
        if m.group(3):
            rest = text[pos:]
            pos += len(rest) - len(rest.lstrip())
        body = m.group(2).strip()
        if body.startswith("/*") and body.endswith("*/"):
            continue
        parts.append(_pipeline(body, functions, m.group(0)))
    tail = text[pos:]
    if "{{" in tail:
        raise FormatError(f"unclosed action in {text!r}")
    parts.append(tail)
    return NameFormat(text, tuple(p for p in parts if p != ""))


def _pipeline(body: str, functions: Mapping[str, int], action: str) -> tuple[_Command, ...]:
    commands: list[list[tuple[str, str]]] = [[]]
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None:
            raise FormatError(f"unexpected {body[pos]!r} in {action}")
        pos = m.end()
        if m.group("pipe"):
            commands.append([])
        elif m.group("name"):
            commands[-1].append(("name", m.group("name")))
        elif m.group("str"):
            commands[-1].append(("str", _go_string(m.group("str"), action)))
        elif m.group("raw"):
            commands[-1].append(("str", m.group("raw")[1:-1]))
    out: list[_Command] = []
    for i, tokens in enumerate(commands):
        if not tokens:
            raise FormatError(f"missing command in {action}")
        (kind, first), rest = tokens[0], tokens[1:]
        if kind == "str":
            if rest or i > 0:
                raise FormatError(f"a string can only start a pipeline, in {action}")
            out.append(_Command("", (first,)))
            continue
        if first not in functions:
            raise FormatError(f'function "{first}" not defined, in {action}')
        if any(k != "str" for k, _ in rest):
            raise FormatError(f"arguments must be strings, in {action}")
        given = len(rest) + (1 if i > 0 else 0)
        if given != functions[first]:
            want = functions[first]
            raise FormatError(f"{first} takes {want} argument(s), got {given}, in {action}")
        out.append(_Command(first, tuple(v for _, v in rest)))
    return tuple(out)


def _go_string(token: str, action: str) -> str:
    try:
        value = ast.literal_eval(token)
    except (SyntaxError, ValueError):
        raise FormatError(f"bad string {token} in {action}") from None
    if not isinstance(value, str):
        raise FormatError(f"bad string {token} in {action}")
    return value
