"""Child processes for the companions: one-shot commands with a timeout, and a supervised child.

Commands: a list is exec'd as is; a string using shell syntax (pipes, redirections, ``;``,
``$`` ...) runs as ``sh -c "<string>"``; any other string is split into words and exec'd.
Every child gets its own process group (so a signal reaches ``sh`` and what it started) and,
on Linux, ``PR_SET_PDEATHSIG``, so even a SIGKILLed parent does not leave a child behind.

:class:`Child` supervises the long-running ``-exec`` child: :meth:`Child.run` starts it and returns
its exit code when it exits on its own (a signal death is 128 + the signal number, as a shell
reports it); :meth:`Child.reload` sends the reload signal, or restarts it when there is none;
:meth:`Child.stop` sends the kill signal, waits ``kill_timeout``, then SIGKILLs. ``splay`` waits a
random part of that many seconds before a reload or a stop so a fleet does not restart at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import random
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Child", "CommandResult", "command_argv", "exit_code", "run_command", "signal_group"]

log = logging.getLogger(__name__)

Command = str | Sequence[str]
_PR_SET_PDEATHSIG = 1


_SHELL_SYNTAX = frozenset("|&;<>()$`\\\n*?[]#~{}")


def command_argv(command: Command) -> list[str]:
    """A list as is; a string with shell syntax through ``sh -c``; other strings split into words.

    consul-template runs every string with whitespace through ``sh -c``; splitting plain
    commands ourselves means signals reach the program itself, not a shell in front of it.
    """
    if not isinstance(command, str):
        return list(command)
    text = command.strip()
    if not text:
        raise ValueError("empty command")
    try:
        words = shlex.split(text)
    except ValueError:
        words = []
    if (
        not words
        or any(c in _SHELL_SYNTAX for c in text)
        or "=" in words[0]
        or shutil.which(words[0]) is None  # a shell builtin (exit, cd ...) or a typo: sh says
    ):
        return ["/bin/sh", "-c", text]
    return words


_SHELL_TRAPPED = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT, signal.SIGALRM)


def _trap_for_shell(argv: list[str], kill_signal: int) -> list[str]:
    """Keep our ``sh -c`` wrapper alive through the signals meant for the command it runs.

    Signals go to the whole process group, so a reload SIGHUP would kill the shell (dash does
    not exec the last command) and look like the child exiting. A no-op trap keeps the shell;
    the command still gets the signal, and exec resets caught signals to their defaults.
    """
    if argv[:2] != ["/bin/sh", "-c"] or len(argv) != 3:
        return argv
    names = [signal.Signals(s).name[3:] for s in _SHELL_TRAPPED if s != kill_signal]
    return [*argv[:2], f"trap : {' '.join(names)}; {argv[2]}"]


def exit_code(returncode: int) -> int:
    """A Popen return code as a shell reports it: a signal death N is 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def _death_signal(sig: int) -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    prctl = libc.prctl

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig)

    return preexec


async def _spawn(
    argv: list[str], env: Mapping[str, str] | None, death: int
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv,
        env=dict(env) if env is not None else None,
        start_new_session=True,
        preexec_fn=_death_signal(death),
    )


def signal_group(proc: asyncio.subprocess.Process, sig: int) -> None:
    if proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:  # the group leader is gone and the id was reused: the process only
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


async def _terminate(proc: asyncio.subprocess.Process, sig: int, timeout: float) -> int:
    """Send ``sig`` to the group, wait ``timeout`` (0: forever), then SIGKILL; the exit code."""
    signal_group(proc, sig)
    try:
        async with asyncio.timeout(timeout if timeout > 0 else None):
            return exit_code(await proc.wait())
    except TimeoutError:
        log.warning(
            "child %d: still running %.1fs after signal %d: killing", proc.pid, timeout, sig
        )
    signal_group(proc, signal.SIGKILL)
    return exit_code(await proc.wait())


@dataclass(frozen=True, slots=True)
class CommandResult:
    code: int
    timed_out: bool = False


async def run_command(
    command: Command, *, timeout: float = 30.0, env: Mapping[str, str] | None = None
) -> CommandResult:
    """Run a one-shot command to completion; past ``timeout`` (0: none) it is killed."""
    proc = await _spawn(command_argv(command), env, signal.SIGTERM)
    try:
        async with asyncio.timeout(timeout if timeout > 0 else None):
            return CommandResult(exit_code(await proc.wait()))
    except TimeoutError:
        code = await _terminate(proc, signal.SIGTERM, 2.0)
        return CommandResult(code, timed_out=True)
    finally:
        if proc.returncode is None:  # cancelled: never leave it behind
            await asyncio.shield(_terminate(proc, signal.SIGTERM, 2.0))


class Child:
    """The supervised ``-exec`` child. Start it by running :meth:`run` in a task you own."""

    def __init__(
        self,
        command: Command,
        *,
        env: Mapping[str, str] | None = None,
        kill_signal: int = signal.SIGTERM,
        kill_timeout: float = 30.0,
        reload_signal: int | None = None,
        splay: float = 0.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.argv = _trap_for_shell(command_argv(command), kill_signal)
        self.env = env
        self.kill_signal = kill_signal
        self.kill_timeout = kill_timeout
        self.reload_signal = reload_signal
        self.splay = splay
        self._rand = rand
        self._proc: asyncio.subprocess.Process | None = None
        self._replacing: asyncio.Event | None = None
        self._started = asyncio.Event()
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def started(self) -> None:
        await self._started.wait()

    async def run(self) -> int:
        """Start the child; return its exit code once it exits other than by our restart."""
        self._proc = await _spawn(self.argv, self.env, self.kill_signal)
        self._started.set()
        log.info("child %d: started: %s", self._proc.pid, " ".join(self.argv))
        try:
            while True:
                proc = self._proc
                code = exit_code(await proc.wait())
                if self._replacing is not None:
                    await self._replacing.wait()
                if proc is not self._proc and self.running:
                    continue
                log.info("child %d: exited with code %d", proc.pid, code)
                return code
        finally:
            if self.running:  # cancelled: never leave the child behind
                assert self._proc is not None
                await asyncio.shield(_terminate(self._proc, self.kill_signal, self.kill_timeout))

    async def forward(self, sig: int) -> None:
        """Pass a signal we received on to the child (its process group)."""
        if self._proc is not None:
            signal_group(self._proc, sig)

    async def reload(self) -> None:
        """After a render: the reload signal if configured, else a restart (after splay)."""
        await self._splay()
        if self.reload_signal is not None:
            if self._proc is not None:
                log.info("child %d: sending reload signal %d", self._proc.pid, self.reload_signal)
                signal_group(self._proc, self.reload_signal)
            return
        await self.restart()

    async def restart(self) -> None:
        """Stop the child (kill signal, then SIGKILL past the timeout) and start a new one."""
        if self._proc is None:
            return
        self._replacing = asyncio.Event()
        try:
            old = self._proc
            await _terminate(old, self.kill_signal, self.kill_timeout)
            self._proc = await _spawn(self.argv, self.env, self.kill_signal)
            self.restarts += 1
            log.info("child %d: restarted as %d", old.pid, self._proc.pid)
        finally:
            replacing, self._replacing = self._replacing, None
            replacing.set()

    async def stop(self, *, immediately: bool = False) -> int | None:
        """Stop the child; its exit code, or None if it never started."""
        if self._proc is None:
            return None
        if not immediately:
            await self._splay()
        return await _terminate(self._proc, self.kill_signal, self.kill_timeout)

    async def _splay(self) -> None:
        if self.splay > 0:
            await asyncio.sleep(self.splay * self._rand())
