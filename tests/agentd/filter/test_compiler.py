from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from agentd.filter import Filter, FilterError, compile_filter

NODES: list[dict[str, Any]] = [
    {"Node": "a", "Meta": {"os": "linux"}, "Port": 1},
    {"Node": "b", "Meta": {"os": "windows"}, "Port": 2},
    {"Node": "c", "Meta": {}, "Port": 3},
]


def test_apply_keeps_order_and_identity() -> None:
    f = compile_filter('Meta.os == linux or Node == "c"')
    kept = f.apply(NODES)
    assert kept == [NODES[0], NODES[2]] and kept[0] is NODES[0]
    assert f.matches(NODES[0]) and not f.matches(NODES[1])
    assert compile_filter("Port == 9").apply(NODES) == []


def test_apply_map_filters_values() -> None:
    services = {n["Node"]: n for n in NODES}
    assert compile_filter("Meta is empty").apply_map(services) == {"c": NODES[2]}
    assert compile_filter("os in Meta").apply_map(services).keys() == {"a", "b"}


def test_filter_is_immutable_and_reusable() -> None:
    f = compile_filter("Port != 2")
    assert isinstance(f, Filter) and f.expression == "Port != 2"
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.expression = "x"  # type: ignore[misc]
    assert f.apply(NODES) == f.apply(NODES) == [NODES[0], NODES[2]]


def test_filter_error_carries_the_message() -> None:
    with pytest.raises(FilterError) as err:
        compile_filter("Node.Meta.os == linux and Service.Port > 0")
    assert str(err.value) == err.value.message
    assert err.value.message.startswith("1:40 (39): no match found, expected: ")


VOCABULARY = [
    "Node", "Meta", "Meta.os", 'Meta["os"]', "Checks.Status", "Tags", "Port", "Service.Port",
    "==", "!=", "in", "not", "contains", "matches", "is", "empty", "and", "or", "(", ")",
    '"a"', "`b`", '"^w.*"', '"("', "1", "-2", "3.5", "true", "passing", "[", "]", ".", ">", "=",
    '"', "`", "\\", "\n", "\u00e9", "08",
]  # fmt: skip
RECORDS: list[Any] = [
    {},
    {"Node": "a", "Meta": {"os": "a"}, "Tags": ["a", 1, None], "Port": 1, "Checks": []},
    {"Node": None, "Meta": None, "Tags": "a", "Port": "1", "Checks": [{"Status": True}, 3]},
    {"Node": [[{"x": 1}]], "Meta": [1, {"os": "b"}], "Tags": {"a": 1}, "Port": 3.5},
]


SELECTORS = ["Node", "Meta.os", 'Meta["os"]', "Checks.Status", "Tags", "Port", "Node.x.y"]
VALUES = ['"a"', "`b`", "1", "-2", "3.5", "true", "passing", '"1"', "a.b"]
PATTERNS = ['"^a"', "`[0-9]+`", '"(?i)A"', '"("', '"(?=a)"']


def _expression(rng: random.Random, depth: int = 0) -> str:
    """A mostly valid expression from the grammar, so evaluation gets exercised too."""
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        joiner = rng.choice([" and ", " or "])
        return joiner.join(_expression(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    if depth < 3 and roll < 0.4:
        return f"not ({_expression(rng, depth + 1)})"
    sel, val = rng.choice(SELECTORS), rng.choice(VALUES)
    return rng.choice(
        [
            f"{sel} == {val}",
            f"{sel} != {val}",
            f"{val} in {sel}",
            f"{val} not in {sel}",
            f"{sel} contains {val}",
            f"{sel} not contains {val}",
            f"{sel} is empty",
            f"{sel} is not empty",
            f"{sel} matches {rng.choice(PATTERNS)}",
            f"{sel} not matches {rng.choice(PATTERNS)}",
        ]
    )


def _garbage(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        text = _expression(rng)
        if rng.random() < 0.5:  # damage it
            cut = rng.randrange(len(text) + 1)
            text = text[:cut] + rng.choice([*VOCABULARY, ""]) + text[cut + rng.randint(0, 3) :]
        return text
    if roll < 0.7:
        words = rng.choices(VOCABULARY, k=rng.randint(0, 12))
        return " ".join(words) if rng.random() < 0.7 else "".join(words)
    return "".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 30)))


def test_garbage_only_ever_raises_filter_error() -> None:
    rng = random.Random(20240601)
    compiled = 0
    for _ in range(20000):
        text = _garbage(rng)
        try:
            f = compile_filter(text)
        except FilterError as exc:
            assert exc.message
            continue
        compiled += 1
        for record in RECORDS:
            assert f.matches(record) in (True, False)
    assert compiled > 3000  # the generator reaches valid expressions, not only errors


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000,
        ")" * 5000,
        "not " * 5000,
        "a == 1 and " * 3000,
        '"' + "\\" * 5001,
        "(" * 101 + "a == 1" + ")" * 101,
    ],
)
def test_pathological_inputs(text: str) -> None:
    with pytest.raises(FilterError):
        compile_filter(text)


def test_long_selectors_and_chains_evaluate() -> None:
    deep: dict[str, Any] = {"v": 1}
    for _ in range(3000):
        deep = {"a": deep}
    assert compile_filter("a." * 3000 + "v == 1").matches(deep)
    assert compile_filter(" or ".join(["v == 2"] * 3000 + ["v == 1"])).matches({"v": 1})
