from __future__ import annotations

import pytest

from cnslkit.watch.handlers import HttpHandler, ScriptHandler
from cnslkit.watch.plans import WatchConfigError, changed_keys, parse_watch


def test_query_per_type() -> None:
    spec = parse_watch({"type": "service", "service": "web", "tag": ["a", "b"],
                        "passingonly": True, "args": ["true"]})  # fmt: skip
    assert spec.query.key == "watch.raw(/v1/health/service/web?tag=a&tag=b&passing)"
    assert parse_watch({"type": "checks", "state": "warning", "handler": "x"}).query.path == (
        "/v1/health/state/warning"
    )
    assert parse_watch({"type": "key", "key": "a b", "args": ["x"]}).query.single


def test_handlers_and_options() -> None:
    config = {"path": "http://h/x", "method": "PUT", "timeout": "2s", "header": {"A": "b"}}
    http = parse_watch({"type": "nodes", "handler_type": "http", "fire_on_start": False,
                        "http_handler_config": config})  # fmt: skip
    assert isinstance(http.handler, HttpHandler) and not http.fire_on_start
    assert http.handler.timeout == 2.0 and http.handler.header == {"A": ["b"]}
    script = parse_watch({"type": "event", "name": "d", "args": ["a", "b"], "timeout": "5s"})
    assert script.handler == ScriptHandler(("a", "b"), timeout=5.0)


@pytest.mark.parametrize(
    "params",
    [
        {"type": "nope", "args": ["x"]},
        {"type": "key", "args": ["x"]},
        {"type": "checks", "service": "a", "state": "any", "args": ["x"]},
        {"type": "services"},
        {"type": "services", "handler_type": "http", "http_handler_config": {}},
    ],
)
def test_invalid(params: dict[str, object]) -> None:
    with pytest.raises(WatchConfigError):
        parse_watch(params)


def test_changed_keys() -> None:
    old = [{"Key": "a", "ModifyIndex": 1}, {"Key": "b", "ModifyIndex": 2}]
    new = [{"Key": "a", "ModifyIndex": 5}, {"Key": "c", "ModifyIndex": 6}]
    assert changed_keys(old, new) == ("a", "b", "c")
    assert changed_keys(None, new) == ("a", "c")
