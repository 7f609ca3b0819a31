from __future__ import annotations

import pytest

from agentd.filter.ast import And, Expr, Match, Not, Op, Or
from agentd.filter.errors import FilterError
from agentd.filter.parser import MAX_NESTING, parse


def show(expr: Expr) -> str:
    """A compact rendering of the AST, to compare shapes in tables."""
    if isinstance(expr, Match):
        value = "" if expr.value is None else f" {expr.value.raw!r}"
        return f"[{'.'.join(expr.selector)} {expr.op}{value}]"
    if isinstance(expr, Not):
        return f"not {show(expr.operand)}"
    joiner = " and " if isinstance(expr, And) else " or "
    return "(" + joiner.join(show(e) for e in expr.operands) + ")"


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("Node == a", "[Node Equal 'a']"),
        ("Node != `a`", "[Node Not Equal 'a']"),
        ('Service.Tags contains "v1"', "[Service.Tags In 'v1']"),
        ('Service.Tags not contains "v1"', "[Service.Tags Not In 'v1']"),
        ('"primary" in Service.Tags', "[Service.Tags In 'primary']"),
        ('"primary" not in Service.Tags', "[Service.Tags Not In 'primary']"),
        ("primary in Service.Tags", "[Service.Tags In 'primary']"),
        ("primary not in Service.Tags", "[Service.Tags Not In 'primary']"),
        ("8080 in Ports", "[Ports In '8080']"),
        ('ServiceName matches "^web-"', "[ServiceName Matches '^web-']"),
        ('ServiceName not matches "^web-"', "[ServiceName Not Matches '^web-']"),
        ("Service.Meta is empty", "[Service.Meta Is Empty]"),
        ("Service.Meta is not empty", "[Service.Meta Is Not Empty]"),
        ('ServiceMeta["version"] == "1.0"', "[ServiceMeta.version Equal '1.0']"),
        ('ServiceMeta[ "a b" ].x == 1', "[ServiceMeta.a b.x Equal '1']"),
        ("ServiceMeta.version == 1.0", "[ServiceMeta.version Equal '1.0']"),
        ("Port == -1", "[Port Equal '-1']"),
        ("Status == passing", "[Status Equal 'passing']"),
        ("Name == foo.bar", "[Name Equal 'foo.bar']"),  # a bare selector as a value
        ("Name == empty", "[Name Equal 'empty']"),  # keywords are words where a value goes
        ("Notes == x", "[Notes Equal 'x']"),  # "not" inside a word is not a keyword
        ("a==1", "[a Equal '1']"),
        ("  \ta == 1\r\n", "[a Equal '1']"),
        ("(a == 1)", "[a Equal '1']"),
    ],
)
def test_match_forms(text: str, shape: str) -> None:
    assert show(parse(text)) == shape


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("a == 1 or b == 2 and c == 3", "([a Equal '1'] or ([b Equal '2'] and [c Equal '3']))"),
        ("a == 1 and b == 2 or c == 3", "(([a Equal '1'] and [b Equal '2']) or [c Equal '3'])"),
        ("(a == 1 or b == 2) and c == 3", "(([a Equal '1'] or [b Equal '2']) and [c Equal '3'])"),
        ("not a == 1 and b == 2", "(not [a Equal '1'] and [b Equal '2'])"),
        ("not (a == 1 and b == 2)", "not ([a Equal '1'] and [b Equal '2'])"),
        ("not not a == 1", "[a Equal '1']"),
        ("not not not a == 1", "not [a Equal '1']"),
        ("a == 1 or b == 2 or c == 3", "([a Equal '1'] or [b Equal '2'] or [c Equal '3'])"),
        (
            'not (Node == "a" or Node == "b")',
            "not ([Node Equal 'a'] or [Node Equal 'b'])",
        ),
    ],
)
def test_precedence(text: str, shape: str) -> None:
    assert show(parse(text)) == shape


AFTER_SEL = '"!=", "==", "contains", "in", "is", "matches" or "not"'
START = '"(", "not", a selector or a value'
JOIN = '"and", "or" or end of input'
VALUE = "a value (string, number or identifier)"


@pytest.mark.parametrize(
    ("text", "where", "expected", "found"),
    [
        ("", "1:1 (0)", START, "end of input"),
        ("Service.Port > 0", "1:14 (13)", AFTER_SEL, '">"'),
        ("Service.Port >= 0", "1:14 (13)", AFTER_SEL, '">"'),
        ("Node = a", "1:6 (5)", AFTER_SEL, '"="'),
        ("Node == host-name", "1:13 (12)", JOIN, '"-"'),
        ("Node == a AND b == c", "1:11 (10)", JOIN, '"AND"'),
        ("Node IS EMPTY", "1:6 (5)", AFTER_SEL, '"IS"'),
        ("Node ==", "1:8 (7)", VALUE, "end of input"),
        ("Meta is x", "1:9 (8)", '"empty" or "not"', '"x"'),
        ("Meta is not x", "1:13 (12)", '"empty"', '"x"'),
        ("Meta not x", "1:10 (9)", '"contains", "in" or "matches"', '"x"'),
        ('"v1" contains Tags', "1:6 (5)", '"in" or "not"', '"contains"'),
        ('"v1" in "Tags"', "1:9 (8)", "a selector", '""Tags""'),
        ("(a == 1", "1:8 (7)", '"and", "or" or ")" (unmatched parenthesis)', "end of input"),
        ("a == 1)", "1:7 (6)", JOIN, '")"'),
        ("Meta[x] == 1", "1:6 (5)", "a string index", '"x"'),
        ('Meta["x" == 1', "1:10 (9)", '"]" (unclosed index expression)', '"=="'),
        ("Meta. x == 1", "1:7 (6)", "an identifier after the dot", '"x"'),
        ("Meta .x == 1", "1:6 (5)", AFTER_SEL, '"."'),
        ("a == 1 and", "1:11 (10)", START, "end of input"),
        ("a == 1\nor\n  b >", "3:5 (14)", AFTER_SEL, '">"'),
    ],
)
def test_syntax_errors_name_position_and_expectation(
    text: str, where: str, expected: str, found: str
) -> None:
    with pytest.raises(FilterError) as err:
        parse(text)
    assert err.value.message == f"{where}: no match found, expected: {expected}; found {found}"


def test_regexp_is_compiled_at_parse_time() -> None:
    with pytest.raises(FilterError, match=r'^Failed to compile regular expression "\(":'):
        parse('Name matches "("')
    m = parse('Name matches "^a"')
    assert isinstance(m, Match) and m.pattern is not None and m.op is Op.MATCHES


def test_nesting_is_bounded() -> None:
    ok = "(" * MAX_NESTING + "a == 1" + ")" * MAX_NESTING
    assert show(parse(ok)) == "[a Equal '1']"
    with pytest.raises(FilterError, match="nested too deeply"):
        parse("(" * (MAX_NESTING + 1) + "a == 1" + ")" * (MAX_NESTING + 1))


def test_long_chains_stay_flat() -> None:
    expr = parse(" or ".join(f"a == {i}" for i in range(5000)))
    assert isinstance(expr, Or) and len(expr.operands) == 5000
    assert show(parse("not " * 5001 + "a == 1")) == "not [a Equal '1']"
