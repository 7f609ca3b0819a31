"""Script checks: exec ``Args`` directly (no shell), Nagios-style exit codes.

Exit 0 is passing, 1 warning, anything else (including death by signal) critical. stdout and
stderr share one pipe and only the last ``output_max_size`` bytes are kept. Each run is the
leader of its own session so that a timeout, or the check being stopped, can kill the whole
process tree with one ``killpg``; the leader is always reaped before the probe returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from asyncio.subprocess import DEVNULL, PIPE, STDOUT, Process

from agentd.checks.definition import CheckDefinition
from agentd.checks.dial import errno_text
from agentd.checks.duration import format_duration
from agentd.checks.result import CRITICAL, PASSING, WARNING, Result, TailBuffer

__all__ = ["DEFAULT_TIMEOUT", "probe"]

DEFAULT_TIMEOUT = 30.0
_CHUNK = 64 * 1024


async def probe(defn: CheckDefinition) -> Result:
    if not defn.args:
        return Result(CRITICAL, "no script arguments to run")
    timeout = defn.timeout if defn.timeout > 0 else DEFAULT_TIMEOUT
    try:
        proc = await asyncio.create_subprocess_exec(
            *defn.args,
            stdin=DEVNULL,
            stdout=PIPE,
            stderr=STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return Result(CRITICAL, _start_error(defn.args[0], exc))

    buf = TailBuffer(defn.output_max_size)
    try:
        async with asyncio.timeout(timeout):
            code = await _collect(proc, buf)
    except TimeoutError:
        await _kill_tree(proc)
        msg = f"Timed out ({format_duration(timeout)}) running check"
        output = buf.captured()
        return Result(CRITICAL, f"{msg}\n\n{output}" if output else msg)
    except BaseException:
        # Cancelled (the check was removed or the agent is stopping): leave nothing running.
        await _kill_tree(proc)
        raise

    output = buf.captured()
    if code == 0:
        return Result(PASSING, output)
    if code == 1:
        return Result(WARNING, output)
    return Result(CRITICAL, output)


async def _collect(proc: Process, buf: TailBuffer) -> int:
    """Read the combined output to EOF, then reap. Like Go's ``cmd.Wait`` this also waits for
    grandchildren that still hold the pipe open."""
    assert proc.stdout is not None
    while chunk := await proc.stdout.read(_CHUNK):
        buf.write(chunk)
    return await proc.wait()


async def _kill_tree(proc: Process) -> None:
    # The session leader's pid is the group id; it stays reserved while any member lives, so
    # this cannot hit an unrelated process even after the leader has been reaped.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    await proc.wait()


def _start_error(program: str, exc: OSError) -> str:
    """Go's ``os/exec`` wording for a command that could not start."""
    if isinstance(exc, FileNotFoundError) and "/" not in program:
        return f'exec: "{program}": executable file not found in $PATH'
    return f"fork/exec {program}: {errno_text(exc)}"
