"""The go-sockaddr template language: a pipeline of calls, lexed and parsed into a tree.

:func:`parse` reads a template's text (without its ``{{ }}``) into a :class:`Pipe` of stages, each
a :class:`Call` (a function and its arguments), a :class:`Dot` (every address of the host), or a
literal string or integer; strings take Go's quoting, escapes included, or backquotes. Every
problem, here and when running, is reported through :func:`error` as a
:class:`~templated.errors.RenderError` that quotes the template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from templated.errors import RenderError

__all__ = ["Call", "Dot", "Node", "Pipe", "error", "parse"]


@dataclass(frozen=True, slots=True)
class Call:
    """A function and its arguments (the piped value is appended when run)."""

    name: str
    args: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Pipe:
    stages: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Dot:
    """``.``: every address of the host."""


Node = Call | Pipe | Dot | str | int

_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<raw>`[^`]*`)"""
    r"""|(?P<number>[+-]?\d[\w.]*)|(?P<name>[A-Za-z_]\w*)|(?P<punct>[|().])"""
)
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.S)
_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", '"': '"',
}  # fmt: skip


def _unquote(body: str, text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        if code[0] in "xuU" and len(code) > 1:
            return chr(int(code[1:], 16))
        if len(code) == 3:
            return chr(int(code, 8))
        raise error(text, f"unknown escape sequence \\{code} in a string")

    return _ESCAPE.sub(one, body)


def _lex(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise error(text, f"unexpected {text[pos]!r} at offset {pos}")
        kind, value = m.lastgroup or "", m.group(0)
        pos = m.end()
        if kind == "string":
            tokens.append(("value", _unquote(value[1:-1], text)))
        elif kind == "raw":
            tokens.append(("value", value[1:-1]))
        elif kind == "number":
            try:
                tokens.append(("value", int(value, 10)))
            except ValueError:
                raise error(text, f"bad number {value!r} (integers only)") from None
        elif kind != "space":
            tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _lex(text)
        self.pos = 0

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def pipeline(self) -> Pipe:
        stages = [self.command()]
        while self.peek() == ("punct", "|"):
            self.pos += 1
            stage = self.command()
            if not isinstance(stage, Call):
                raise error(self.text, f"stage {len(stages) + 1} of the pipeline is not a call")
            stages.append(stage)
        return Pipe(tuple(stages))

    def command(self) -> Node:
        operands: list[Node] = []
        while self.peek() not in (("punct", "|"), ("punct", ")"), ("end", "")):
            operands.append(self.operand())
        if not operands:
            found = self.peek()[1] or "the end"
            raise error(self.text, f"missing command before {found!r}")
        head, *args = operands
        if not args:
            return head
        if not isinstance(head, Call):
            raise error(self.text, f"can't give arguments to the non-function {head!r}")
        return Call(head.name, tuple(args))

    def operand(self) -> Node:
        kind, value = self.peek()
        self.pos += 1
        if kind == "value" and isinstance(value, str | int):
            return value
        if kind == "name":
            return Call(value)
        if value == ".":
            return Dot()
        if value == "(":
            inner = self.pipeline()
            if self.peek() != ("punct", ")"):
                raise error(self.text, "unclosed left paren")
            self.pos += 1
            return inner
        raise error(self.text, f"unexpected {value!r}")


def parse(text: str) -> Pipe:
    """The pipeline a go-sockaddr template is (without its ``{{ }}``)."""
    parser = _Parser(text)
    if not parser.tokens:
        raise error(text, "empty template")
    pipe = parser.pipeline()
    if parser.pos < len(parser.tokens):
        raise error(text, f"unexpected {parser.peek()[1]!r}")
    return pipe


def error(text: str, problem: str) -> RenderError:
    return RenderError(f"sockaddr {text!r}: {problem}")
