"""Path/query escaping and Go-worded errors shared by both transports."""

from __future__ import annotations

import errno

from cnslkit.api import wire
from cnslkit.api.errors import ResponseError


def test_quote_path_keeps_separators_and_escapes_like_go() -> None:
    assert wire.quote_path("a/b-c_d.e~f") == "a/b-c_d.e~f"
    assert wire.quote_path("sp ace/q?x#y%z") == "sp%20ace/q%3Fx%23y%25z"
    assert wire.quote_path("k=v;a:b@c,d+e$f&g") == "k=v;a:b@c,d+e$f&g"
    assert wire.quote_path("é") == "%C3%A9"


def test_encode_query() -> None:
    assert wire.encode_query([("raw", None), ("flags", "3")]) == "raw&flags=3"
    assert wire.encode_query([("separator", "/"), ("acquire", "a b&c")]) == (
        "separator=%2F&acquire=a+b%26c"
    )
    assert wire.encode_query([]) == ""


def test_go_texts() -> None:
    assert wire.go_op("DELETE") == "Delete"
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert wire.dial_error("GET", "http://h:1/v1/kv/x", "tcp", "h:1", refused) == (
        'Get "http://h:1/v1/kv/x": dial tcp h:1: connect: connection refused'
    )
    assert wire.dial_error("PUT", "u", "tcp", "h:1", TimeoutError()) == (
        'Put "u": dial tcp h:1: i/o timeout'
    )


def test_response_error_text() -> None:
    err = ResponseError(500, b"No path to datacenter")
    assert (err.status, str(err)) == (500, "Unexpected response code: 500 (No path to datacenter)")
    assert str(ResponseError(403, b"")) == "Unexpected response code: 403"
