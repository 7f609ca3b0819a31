"""Script probe: real subprocesses, exit codes, output capture, timeouts and process trees."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from agentd.checks import script
from agentd.checks.definition import from_json
from tests.agentd.checks import wait_for
from tests.procs import alive


def check(*args: str, **extra: Any) -> Any:
    return from_json({"Args": list(args), "Interval": "10s", **extra})


@pytest.mark.parametrize(
    ("code", "status"),
    [(0, "passing"), (1, "warning"), (2, "critical"), (127, "critical")],
)
async def test_exit_codes(code: int, status: str) -> None:
    result = await script.probe(check("sh", "-c", f"echo out; exit {code}"))
    assert result == (status, "out\n")


async def test_stdout_and_stderr_are_combined() -> None:
    result = await script.probe(check("sh", "-c", "echo one; echo two >&2; echo three"))
    assert result == ("passing", "one\ntwo\nthree\n")


async def test_args_are_not_run_through_a_shell() -> None:
    result = await script.probe(check("echo", "$HOME", "a  b"))
    assert result == ("passing", "$HOME a  b\n")


async def test_killed_by_signal_is_critical() -> None:
    result = await script.probe(check("sh", "-c", "kill -9 $$"))
    assert result.status == "critical"


async def test_output_keeps_the_tail_with_a_capture_note() -> None:
    result = await script.probe(
        check("sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a; printf END", OutputMaxSize=10)
    )
    assert result == ("passing", "Captured 10 of 5003 bytes\n...\naaaaaaaEND")


async def test_missing_programs() -> None:
    assert await script.probe(check("/no/such/program")) == (
        "critical",
        "fork/exec /no/such/program: no such file or directory",
    )
    assert await script.probe(check("no-such-program-xyz")) == (
        "critical",
        'exec: "no-such-program-xyz": executable file not found in $PATH',
    )


async def test_timeout_kills_the_whole_process_tree(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    # The script backgrounds a child, records both pids, then outlives its timeout.
    body = f"sleep 30 & echo $$ $! > {pids}; echo started; wait"
    result = await script.probe(check("sh", "-c", body, Timeout="300ms"))
    assert result == ("critical", "Timed out (300ms) running check\n\nstarted\n")
    leader, child = (int(p) for p in pids.read_text().split())
    assert not os.path.exists(f"/proc/{leader}")  # reaped, not a zombie of ours
    await wait_for(lambda: not alive(child), timeout=2)


async def test_timeout_default_message_uses_go_duration() -> None:
    result = await script.probe(check("sleep", "5", Timeout="0.2s"))
    assert result == ("critical", "Timed out (200ms) running check")


async def test_cancellation_kills_the_script(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    body = f"sleep 30 & echo $$ $! > {pids}; wait"
    task = asyncio.create_task(script.probe(check("sh", "-c", body)))
    await wait_for(lambda: pids.exists() and len(pids.read_text().split()) == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    leader, child = (int(p) for p in pids.read_text().split())
    await wait_for(lambda: not os.path.exists(f"/proc/{leader}"), timeout=2)
    await wait_for(lambda: not alive(child), timeout=2)
