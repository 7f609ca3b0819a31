from __future__ import annotations

import pytest

from agentd.filter.errors import FilterError
from agentd.filter.lexer import Kind, tokenize


def kinds(text: str) -> list[tuple[Kind, str]]:
    return [(t.kind, t.value) for t in tokenize(text)[:-1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"a b"', "a b"),
        ('"tab\\there"', "tab\there"),
        ('"q\\"q"', 'q"q'),  # go-bexpr cannot express this; accepted here as a superset
        ('"back\\\\slash"', "back\\slash"),
        ('"\\x41\\u00e9\\U0001F600\\101"', "A\u00e9\U0001f600A"),
        ("`raw \\n stays`", "raw \\n stays"),
        ('`has "quotes"`', 'has "quotes"'),
        ('""', ""),
        ("``", ""),
    ],
)
def test_string_literals(text: str, expected: str) -> None:
    assert kinds(text) == [(Kind.STRING, expected)]


@pytest.mark.parametrize("text", ["0", "7", "42", "-3", "1.25", "-0.5"])
def test_numbers(text: str) -> None:
    assert kinds(text) == [(Kind.NUMBER, text)]


def test_a_number_may_end_at_a_parenthesis() -> None:
    assert kinds("1)") == [(Kind.NUMBER, "1"), (Kind.RPAREN, ")")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("08", "1:1 (0): invalid number literal"),
        ("1.", "1:1 (0): invalid number literal"),
        ("1e3", "1:1 (0): invalid number literal"),
        ("a == 5and", "1:6 (5): invalid number literal"),
        ('x == "abc', "1:6 (5): unterminated string literal"),
        ("x == `abc", "1:6 (5): unterminated string literal"),
        ('"\\q"', "1:2 (1): invalid escape sequence in string literal"),
        ('"\\x4"', "1:2 (1): invalid escape sequence in string literal"),
        ('a ==\n  "open', "2:3 (7): unterminated string literal"),
    ],
)
def test_literal_errors(text: str, message: str) -> None:
    with pytest.raises(FilterError) as err:
        tokenize(text)
    assert err.value.message == message


def test_words_operators_and_spacing() -> None:
    toks = tokenize('Meta["k"].x != v')
    assert [t.kind for t in toks] == [
        Kind.WORD,
        Kind.LBRACKET,
        Kind.STRING,
        Kind.RBRACKET,
        Kind.DOT,
        Kind.WORD,
        Kind.NE,
        Kind.WORD,
        Kind.EOF,
    ]
    assert [t.spaced for t in toks] == [True, False, False, False, False, False, True, True, False]


def test_unknown_characters_are_left_for_the_parser() -> None:
    assert kinds("> = ! ,") == [(Kind.OTHER, c) for c in ">=!,"]
