"""Command records, the command table and execute()'s last-resort error handling."""

from __future__ import annotations

import io

import pytest

from cli.command import Command, Invocation, command_table, execute
from cli.goflags import BOOL, Flag, parse
from cli.httpflags import HTTP_FLAGS
from cli.output import Output
from cnslkit.api.errors import ResponseError


def _noop(inv: Invocation) -> int:
    return 0


def test_duplicates_fail_when_declared() -> None:
    with pytest.raises(ValueError, match="duplicate command"):
        command_table(Command("a", (), _noop), Command("a", (), _noop))
    with pytest.raises(ValueError, match="duplicate flag"):
        Command("a", (Flag("x", BOOL), Flag("x")), _noop)


def _run(command: Command, argv: list[str]) -> tuple[int, str]:
    err = io.BytesIO()
    code = execute(command, parse(argv, command.flags), Output(io.BytesIO(), err))
    return code, err.getvalue().decode()


def test_config_and_api_errors_become_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def connects(inv: Invocation) -> int:
        inv.http()
        return 0

    def fails(inv: Invocation) -> int:
        raise ResponseError(403, b"Permission denied")

    monkeypatch.delenv("CONSUL_HTTP_TOKEN_FILE", raising=False)
    bad_addr = Command("c", HTTP_FLAGS, connects)
    assert _run(bad_addr, ["-http-addr=ftp://x:1"]) == (
        1,
        "Error connecting to Consul agent: Unknown protocol scheme: ftp\n",
    )
    assert _run(Command("f", (), fails), []) == (
        1,
        "Error querying Consul agent: Unexpected response code: 403 (Permission denied)\n",
    )
