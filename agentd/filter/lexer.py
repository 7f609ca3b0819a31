"""Tokens of the filter language.

Keywords (``and``, ``or``, ``not``, ``in``, ``is``, ``empty``, ``contains``, ``matches``) are plain
``WORD`` tokens: the parser decides from their place whether a word is a keyword, a selector or a
bare value, as go-bexpr's PEG grammar does. Characters the language has no use for (``>``, ``=``,
``!``, ``,`` ...) become ``OTHER`` tokens so the parser can say what it expected instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from agentd.filter.errors import at


class Kind(StrEnum):
    WORD = "word"
    NUMBER = "number"
    STRING = "string"
    EQ = "=="
    NE = "!="
    LPAREN = "("
    RPAREN = ")"
    LBRACKET = "["
    RBRACKET = "]"
    DOT = "."
    OTHER = "other"
    EOF = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the source text
    value: str  # strings: the decoded contents; otherwise the source text
    pos: int
    spaced: bool  # whitespace or the start of input comes right before it


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# go-bexpr: no leading zeros, no exponent, and a number must end at a space, ")" or the end.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_SPACE = " \t\r\n"
_PUNCT = {
    "==": Kind.EQ,
    "!=": Kind.NE,
    "(": Kind.LPAREN,
    ")": Kind.RPAREN,
    "[": Kind.LBRACKET,
    "]": Kind.RBRACKET,
    ".": Kind.DOT,
}
_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text``, ending with an ``EOF`` token; raises FilterError for bad literals."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while True:
        start = i
        while i < n and text[i] in _SPACE:
            i += 1
        spaced = i > start or i == 0
        if i == n:
            tokens.append(Token(Kind.EOF, "", "", i, spaced))
            return tokens
        tok = _token(text, i, spaced)
        tokens.append(tok)
        i += len(tok.text)


def _token(text: str, i: int, spaced: bool) -> Token:
    c = text[i]
    if c == '"' or c == "`":
        end, value = _string(text, i)
        return Token(Kind.STRING, text[i:end], value, i, spaced)
    if m := _WORD.match(text, i):
        return Token(Kind.WORD, m.group(), m.group(), i, spaced)
    if m := _NUMBER.match(text, i):
        end = m.end()
        if end < len(text) and text[end] not in _SPACE and text[end] != ")":
            raise at(text, i, "invalid number literal")
        return Token(Kind.NUMBER, m.group(), m.group(), i, spaced)
    two = text[i : i + 2]
    kind = _PUNCT.get(two) or _PUNCT.get(c)
    if kind is None:
        return Token(Kind.OTHER, c, c, i, spaced)
    return Token(kind, kind.value, kind.value, i, spaced)


def _string(text: str, start: int) -> tuple[int, str]:
    """(end offset, decoded value) of the string literal opening at ``start``."""
    quote = text[start]
    if quote == "`":  # raw: no escapes, as in Go
        end = text.find("`", start + 1)
        if end < 0:
            raise at(text, start, "unterminated string literal")
        return end + 1, text[start + 1 : end]
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return i + 1, "".join(out)
        if c != "\\":
            out.append(c)
            i += 1
            continue
        decoded, i = _escape(text, i)
        out.append(decoded)
    raise at(text, start, "unterminated string literal")


def _escape(text: str, i: int) -> tuple[str, int]:
    """Decode the Go escape sequence at ``text[i] == "\\"``; returns (character, next offset)."""
    c = text[i + 1 : i + 2]
    if c in _ESCAPES:
        return _ESCAPES[c], i + 2
    if c in _HEX_ESCAPES:
        digits = text[i + 2 : i + 2 + _HEX_ESCAPES[c]]
        if len(digits) == _HEX_ESCAPES[c] and all(d in "0123456789abcdefABCDEF" for d in digits):
            code = int(digits, 16)
            if code <= 0x10FFFF:
                return chr(code), i + 2 + len(digits)
    digits = text[i + 1 : i + 4]
    if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) <= 0o377:
        return chr(int(digits, 8)), i + 4
    raise at(text, i, "invalid escape sequence in string literal")
