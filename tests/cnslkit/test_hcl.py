from __future__ import annotations

from typing import Any

import pytest

from cnslkit import hcl


def keep_lists(key: str, items: list[Any], kind: str) -> Any:
    return items


def merge_blocks(key: str, items: list[Any], kind: str) -> Any:
    if kind == hcl.BLOCKS:
        out: dict[str, Any] = {}
        for item in items:
            out.update(item)
        return out
    return items


def test_strings_lose_their_quotes_and_escapes() -> None:
    data = hcl.loads('a = "x\\"y\\n"\nb = "$${not}"\nc = 5\nd = true\n', keep_lists)
    assert data == {"a": 'x"y\n', "b": "${not}", "c": 5, "d": True}


def test_the_caller_decides_what_blocks_become() -> None:
    text = "ports { http = 1 }\nports { dns = 2 }\nlist = [{ a = 1 }, { a = 2 }]\nv = [1, 2]\n"
    kinds: dict[str, str] = {}

    def record(key: str, items: list[Any], kind: str) -> Any:
        kinds[key] = kind
        return merge_blocks(key, items, kind)

    data = hcl.loads(text, record)
    assert data["ports"] == {"http": 1, "dns": 2}
    assert data["list"] == [{"a": 1}, {"a": 2}]
    assert data["v"] == [1, 2]
    assert kinds == {"ports": hcl.BLOCKS, "list": hcl.OBJECTS, "v": hcl.VALUES}


def test_leaf_hook_sees_each_scalar_with_its_key() -> None:
    data = hcl.loads(
        'perms = 644\nname = "x"\n',
        keep_lists,
        lambda key, value: f"<{value}>" if key == "perms" else value,
    )
    assert data == {"perms": "<644>", "name": "x"}


def test_parse_errors_propagate() -> None:
    with pytest.raises(Exception):  # noqa: B017 - python-hcl2's own error types
        hcl.loads("a = {", keep_lists)
