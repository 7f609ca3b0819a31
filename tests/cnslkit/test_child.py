"""Child processes: commands with timeouts, and the supervised child's lifecycle."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from cnslkit.child import Child, command_argv, exit_code, run_command
from tests.procs import alive

SLEEPER = [sys.executable, "-c", "import time\nwhile True: time.sleep(0.05)"]


def test_command_argv() -> None:
    assert command_argv(["a", "b c"]) == ["a", "b c"]
    assert command_argv('echo "a b"') == ["echo", "a b"]
    assert command_argv("echo a > f") == ["/bin/sh", "-c", "echo a > f"]
    assert command_argv("exit 3") == ["/bin/sh", "-c", "exit 3"]  # a builtin
    assert command_argv("X=1 env") == ["/bin/sh", "-c", "X=1 env"]
    with pytest.raises(ValueError):
        command_argv("  ")


def test_exit_code() -> None:
    assert exit_code(0) == 0 and exit_code(3) == 3 and exit_code(-signal.SIGKILL) == 137


async def test_run_command_codes_and_env(tmp_path: Path) -> None:
    assert (await run_command("exit 4")).code == 4
    out = tmp_path / "env"
    result = await run_command(f"echo $FOO > {out}", env={**os.environ, "FOO": "bar"})
    assert result.code == 0 and out.read_text() == "bar\n"


async def test_run_command_timeout_kills_the_group(tmp_path: Path) -> None:
    marker = tmp_path / "late"
    start = time.monotonic()
    result = await run_command(f"sleep 5; touch {marker}", timeout=0.3)
    assert result.timed_out and result.code == 128 + signal.SIGTERM
    assert time.monotonic() - start < 3
    await asyncio.sleep(0.2)
    assert not marker.exists()


async def test_child_exit_code_and_restart() -> None:
    child = Child(SLEEPER, kill_timeout=2)
    task = asyncio.create_task(child.run())
    await child.started()
    first = child.pid
    assert first is not None and child.running
    await child.restart()
    assert child.pid != first and child.running and child.restarts == 1
    assert not alive(first) or _zombie(first)
    assert not task.done()
    await child.forward(signal.SIGKILL)
    assert await asyncio.wait_for(task, 5) == 137


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return False


async def test_reload_signal_and_splay() -> None:
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGUSR1, lambda *a: sys.exit(42))\n"
        "while True: time.sleep(0.02)\n"
    )
    child = Child([sys.executable, "-c", script], reload_signal=signal.SIGUSR1, splay=0.4,
                  rand=lambda: 1.0)  # fmt: skip
    task = asyncio.create_task(child.run())
    await child.started()
    await asyncio.sleep(0.3)  # let it install its handler
    start = time.monotonic()
    await child.reload()
    assert time.monotonic() - start >= 0.4  # the splay
    assert await asyncio.wait_for(task, 5) == 42


async def test_stop_escalates_to_sigkill() -> None:
    script = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(30)\n"
    child = Child([sys.executable, "-c", script], kill_timeout=0.3)
    task = asyncio.create_task(child.run())
    await child.started()
    await asyncio.sleep(0.3)
    assert await child.stop(immediately=True) == 137
    assert await asyncio.wait_for(task, 5) == 137


async def test_cancelling_run_stops_the_child() -> None:
    child = Child(SLEEPER, kill_timeout=2)
    task = asyncio.create_task(child.run())
    await child.started()
    pid = child.pid
    assert pid is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not child.running


async def test_shell_wrapper_survives_the_reload_signal(tmp_path: Path) -> None:
    log = tmp_path / "log"
    script = tmp_path / "c.py"
    script.write_text(
        "import signal, sys, time\n"
        f"signal.signal(signal.SIGHUP, lambda *a: open({str(log)!r}, 'a').write('hup\\n'))\n"
        f"open({str(log)!r}, 'a').write('up\\n')\n"
        "while True: time.sleep(0.02)\n"
    )
    child = Child(f"{sys.executable} {script} | cat", reload_signal=signal.SIGHUP)
    task = asyncio.create_task(child.run())
    await child.started()
    for _ in range(100):
        if log.exists():
            break
        await asyncio.sleep(0.05)
    await child.reload()
    for _ in range(100):
        if log.read_text() == "up\nhup\n":
            break
        await asyncio.sleep(0.05)
    assert log.read_text() == "up\nhup\n" and child.running and not task.done()
    assert await child.stop(immediately=True) is not None
    await asyncio.wait_for(task, 5)
