"""Go template text -> items: text runs, and the tokens of each action.

Trim markers (``{{- `` and `` -}}``) eat the adjacent whitespace of the neighbouring text, as Go
does; comments vanish. Each token records whether whitespace preceded it, because ``$x.A`` (a
field of ``$x``) and ``$x .A`` (two arguments) differ only by that.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["GoTemplateError", "Token", "lex"]


class GoTemplateError(Exception):
    """A parse or execution error, ``template: NAME:LINE: message`` as Go words it."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # text, string, number, bool, nil, ident, var, field, dot, op, lparen, rparen, end
    value: object
    line: int
    spaced: bool = True  # whitespace came before it


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\]|\\.)+')
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?))
  | (?P<declare>:=)
  | (?P<op>[|=,])
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<var>\$\w*)
  | (?P<field>\.\w+)
  | (?P<dot>\.)
  | (?P<ident>[A-Za-z_]\w*)
    """,
    re.VERBOSE,
)


def lex(text: str, name: str, left: str = "{{", right: str = "}}") -> list[Token]:
    """Items of a whole template; an ``end`` token closes each action."""
    out: list[Token] = []
    pos, line = 0, 1
    trim_next = False
    while pos < len(text):
        start = text.find(left, pos)
        chunk = text[pos:] if start < 0 else text[pos:start]
        if trim_next:
            chunk = chunk.lstrip(" \t\r\n")
        inner_start = start + len(left) if start >= 0 else -1
        trim_prev = (start >= 0 and text.startswith("- ", inner_start)) or (
            start >= 0 and text.startswith("-\t", inner_start)
        )
        if trim_prev:
            chunk = chunk.rstrip(" \t\r\n")
        if chunk:
            out.append(Token("text", chunk, line))
        if start < 0:
            break
        line += text.count("\n", pos, start)
        body_start = inner_start + (1 if trim_prev else 0)
        end = _action_end(text, body_start, right, name, line)
        body = text[body_start:end]
        trim_next = body.endswith((" -", "\t-", "\n-"))
        if trim_next:
            body = body[:-1]
        stripped = body.strip()
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                raise GoTemplateError(f"template: {name}:{line}: unclosed comment")
        else:
            out.extend(_tokens(body, name, line))
            out.append(Token("end", None, line + body.count("\n")))
        line += text.count("\n", start, end + len(right))
        pos = end + len(right)
    return out


def _action_end(text: str, pos: int, right: str, name: str, line: int) -> int:
    """Where the action's right delimiter starts, skipping quoted strings."""
    i = pos
    while i < len(text):
        if text.startswith(right, i):
            return i
        c = text[i]
        if c in "\"'`":
            close = c
            i += 1
            while i < len(text) and text[i] != close:
                if close != "`" and text[i] == "\\":
                    i += 1
                i += 1
        i += 1
    raise GoTemplateError(f"template: {name}:{line}: unclosed action")


def _tokens(body: str, name: str, line: int) -> list[Token]:
    out: list[Token] = []
    pos, spaced = 0, True
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None:
            raise GoTemplateError(f"template: {name}:{line}: unexpected {body[pos]!r} in command")
        kind = m.lastgroup or ""
        text = m.group(0)
        pos = m.end()
        if kind == "space":
            line += text.count("\n")
            spaced = True
            continue
        out.append(_token(kind, text, line, spaced, name))
        spaced = False
    return out


def _token(kind: str, text: str, line: int, spaced: bool, name: str) -> Token:
    if kind == "string":
        try:
            return Token("string", ast.literal_eval(text), line, spaced)
        except (ValueError, SyntaxError):
            raise GoTemplateError(f"template: {name}:{line}: bad string {text}") from None
    if kind == "raw":
        return Token("string", text[1:-1], line, spaced)
    if kind == "char":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = None
        if not isinstance(value, str) or len(value) != 1:
            raise GoTemplateError(f"template: {name}:{line}: malformed character constant {text}")
        return Token("number", ord(value), line, spaced)
    if kind == "number":
        clean = text.replace("_", "")
        number: int | float
        if clean.lower().lstrip("+-").startswith("0x"):
            number = int(clean, 16)
        elif any(c in clean for c in ".eE"):
            number = float(clean)
        else:
            number = int(clean)
        return Token("number", number, line, spaced)
    if kind == "ident" and text in ("true", "false"):
        return Token("bool", text == "true", line, spaced)
    if kind == "ident" and text == "nil":
        return Token("nil", None, line, spaced)
    if kind == "declare":
        return Token("op", ":=", line, spaced)
    return Token(kind, text, line, spaced)
