"""The entry point: the fast path's import budget and the command tables' consistency."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cli import kv
from cli.app import NOUNS, build
from cli.main import FAST, main
from tests.agents import ROOT, AgentThread

HEAVY = (
    "typer",
    "click",
    "httpx",
    "httpcore",
    "anyio",
    "asyncio",
    "rich",
    "dataclasses",
    "typing",
    "json",
    "ssl",
    "socket",
    "email",
    "http.client",
    "urllib.request",
    "re",
)

# Modules the interpreter loaded before ours (site, .pth import hooks) are not ours to budget.
PROBE = """
import sys
before = set(sys.modules)
from cli.main import main
code = main(sys.argv[1:])
heavy = sorted(m for m in {heavy!r} if m in sys.modules and m not in before)
print(code, heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [["kv", "put", "fast", "v"], ["kv", "get", "fast"], ["kv", "delete", "fast"]],
)
def test_fast_path_imports_nothing_heavy(agent: AgentThread, argv: list[str]) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "kv",
            "put",
            f"-http-addr={agent.http_addr}",
            "fast",
            "v",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    probe = PROBE.format(heavy=HEAVY)
    argv = [*argv[:2], f"-http-addr={agent.http_addr}", *argv[2:]]
    result = subprocess.run(
        [sys.executable, "-c", probe, *argv], cwd=ROOT, capture_output=True, text=True
    )
    assert result.stderr.endswith("0 []\n"), result.stderr


def test_help_and_errors_leave_the_fast_path() -> None:
    probe = PROBE.format(heavy=("typer",))
    result = subprocess.run(
        [sys.executable, "-c", probe, "kv", "get", "-h"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.stderr.strip().endswith("0 ['typer']") and "Usage: cnsl kv get" in result.stdout


def test_fast_table_names_real_commands() -> None:
    for (noun, verb), module in FAST.items():
        assert module == f"cli.{noun}" and verb in kv.COMMANDS
    assert [n for n, _, _ in NOUNS] == sorted({n for n, _, _ in NOUNS})


def test_duplicate_noun_fails_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cli.app.NOUNS", (*NOUNS, NOUNS[0]))
    with pytest.raises(ValueError, match="duplicate noun"):
        build()


def test_main_in_process_returns_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kv", "get", "-http-addr=127.0.0.1:1"]) == 2  # missing KEY: usage
    assert main(["kv", "get", "-http-addr=127.0.0.1:1", "k"]) == 1  # refused
    assert "connection refused" in capsys.readouterr().err


def test_typer_path_runs_the_same_commands(
    agent: AgentThread, capfd: pytest.CaptureFixture[str]
) -> None:
    from cli.app import run

    addr = agent.http_addr
    assert run(["kv", "put", "--http-addr", addr, "-flags=0x2", "typer/k", "-v"]) == 0
    assert run(["kv", "get", "-detailed=false", f"-http-addr={addr}", "typer/k"]) == 0
    assert run(["kv", "get", f"-http-addr={addr}", "-detailed", "typer/k"]) == 0
    assert run(["kv", "get", f"-http-addr={addr}", "typer/none"]) == 1
    assert run(["kv", "get", f"-http-addr={addr}", "-recurse=maybe", "k"]) == 2
    out, err = capfd.readouterr()
    assert out.startswith("Success! Data written to: typer/k\n-v\nCreateIndex")
    assert "Flags            2\n" in out
    assert err == (
        "Error! No key exists at: typer/none\n"
        'invalid boolean value "maybe" for -recurse: parse error\n'
        "Run 'cnsl kv get -h' for usage.\n"
    )


def test_every_noun_module_declares_commands_or_a_command() -> None:
    from importlib import import_module

    for noun, _, module_name in NOUNS:
        module = import_module(module_name)
        assert hasattr(module, "COMMAND") != hasattr(module, "COMMANDS"), noun
        if hasattr(module, "COMMAND"):
            assert module.COMMAND.name == noun


def test_leaf_commands_and_go_booleans_through_typer(capfd: pytest.CaptureFixture[str]) -> None:
    from cli.app import run

    assert run(["members", "-h"]) == 0
    assert run(["lock", "-shell=false", "-n", "0", "p", "true"]) == 2
    assert run(["lock", "-try=1s", "-n=0", "p", "x"]) == 2
    out, err = capfd.readouterr()
    assert "Usage: cnsl members [options]" in out and "-detailed" in out
    assert err == "Lock holder limit must be positive\n" * 2
