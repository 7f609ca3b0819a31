"""``cnsl lock``: Consul's ``command/lock``: run a child process while holding a lock.

With ``-n 1`` the lock is ``<prefix>/.lock`` (:class:`cnslkit.api.lock.Lock`); with ``-n N`` a
semaphore under ``<prefix>`` (:class:`cnslkit.api.lock.Semaphore`). The session (TTL 15s) is
created first and renewed every TTL/2 while we wait and while the child runs. One TaskGroup owns
the renewer, the acquisition, the lock monitor and the child; the first of "child exited", "lock
lost" and "SIGINT/SIGTERM" decides what happens: a lost lock or a signal terminates the child
(SIGTERM, then SIGKILL after :attr:`Holder.grace` seconds). The child runs in its own session and
every signal goes to its whole process group (Consul signals only the shell), so nothing the
child started outlives it or keeps our stdout open. Then the lock is released, the key
cleaned up if unused, and the session destroyed.

Exit codes follow Consul: 1 when the lock cannot be set up, acquired (``-timeout``), released
or cleaned up; with ``-child-exit-code``, 2 when the child failed; 0 otherwise (also after a
signal or a lost lock). Usage errors exit 2 (Consul: 1), as every cnsl command.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem
from cli.goflags import BOOL, DURATION, INT, STRING, Flag
from cli.httpflags import HTTP_FLAGS, config_from
from cnslkit.api import agent
from cnslkit.api import session as sessions
from cnslkit.api.errors import ApiError, ConfigError, LockInUse
from cnslkit.api.lock import SEMAPHORE_KEY, SESSION_TTL, Lock, LockOptions, Semaphore, join
from cnslkit.child import signal_group

if TYPE_CHECKING:
    from cli.command import Invocation
    from cli.output import Output
    from cnslkit.api.client import Client

__all__ = ["COMMAND", "Holder", "child_argv", "exit_text"]

T = TypeVar("T")
EXIT_CHILD_FAILED = 2
MONITOR_RETRY_TIME = 1.0
FLAGS = (
    Flag(
        "child-exit-code",
        BOOL,
        help="Exit 2 if the child process exited with an error (default: exit 0).",
    ),
    Flag(
        "monitor-retry",
        INT,
        3,
        help="How many 500s or connection errors to ride out (1s apart) while monitoring the "
        "lock; 0 disables retries.",
    ),
    Flag("n", INT, 1, help="Limit of concurrent holders; above 1 the lock is a semaphore."),
    Flag("name", STRING, "", help="Session name (default: from the child command and prefix)."),
    Flag("pass-stdin", BOOL, help="Pass stdin to the child process."),
    Flag(
        "shell",
        BOOL,
        True,
        help="Run the child with $SHELL -c (default /bin/sh); -shell=false execs it directly.",
        click_names=("-shell", "-no-shell"),
    ),
    Flag("timeout", DURATION, help="Give up acquiring after this long (default: wait forever)."),
    Flag("try", DURATION, help="Deprecated: -timeout."),
    Flag("verbose", BOOL, help="Print what happens (debugging)."),
    *HTTP_FLAGS,
)

_SIGNAL_TEXT = {signal.SIGINT: "interrupt", signal.SIGKILL: "killed", signal.SIGTERM: "terminated"}


def child_argv(args: list[str], shell: bool) -> list[str]:
    """Go's ``ExecScript`` ($SHELL or /bin/sh, ``-c``, args joined by spaces) or the args."""
    if not shell:
        return list(args)
    return [os.environ.get("SHELL") or "/bin/sh", "-c", " ".join(args)]


def exit_text(code: int) -> str:
    """Go's ``*exec.ExitError`` text: ``exit status 3``, ``signal: terminated``."""
    if code >= 0:
        return f"exit status {code}"
    sig = signal.Signals(-code)
    text = _SIGNAL_TEXT.get(sig) or (signal.strsignal(sig) or sig.name).lower()
    return f"signal: {text}"


def _start_error(argv0: str, exc: OSError) -> str:
    """Go's ``exec.Cmd.Start`` error text."""
    if isinstance(exc, FileNotFoundError) and "/" not in argv0:
        return f'exec: "{argv0}": executable file not found in $PATH'
    reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
    return f"fork/exec {argv0}: {reason}"


class Holder:
    """One ``cnsl lock`` run against a connected client; :meth:`run` returns the exit code."""

    grace = 5.0  # SIGTERM -> SIGKILL; Consul's lockKillGracePeriod

    def __init__(
        self,
        out: Output,
        client: Client,
        recipe: Lock | Semaphore,
        argv: list[str],
        *,
        session_name: str,
        pass_stdin: bool = False,
        verbose: bool = False,
        child_exit_code: bool = False,
    ) -> None:
        self.out, self.client, self.recipe, self.argv = out, client, recipe, argv
        self.session_name = session_name
        self.pass_stdin, self.verbose, self.child_exit_code = pass_stdin, verbose, child_exit_code
        self.shutdown = asyncio.Event()
        self.signalled: int | None = None
        self.proc: asyncio.subprocess.Process | None = None

    def say(self, text: str) -> None:
        if self.verbose:
            self.out.info(text)
            self.out.flush()

    def on_signal(self, sig: int) -> None:
        """SIGINT/SIGTERM: pass it on to the child, and stop (Consul's ForwardSignals +
        ShutdownCh)."""
        self.signalled = sig
        self._forward(sig)
        self.shutdown.set()

    def _forward(self, sig: int) -> None:
        if self.proc is not None:
            signal_group(self.proc, sig)

    async def run(self) -> int:
        self.say("Attempting lock acquisition")
        create = sessions.create(
            name=self.session_name, ttl=SESSION_TTL, behavior=self.recipe.behavior
        )
        try:
            session = await self.client.send(create)
        except ApiError as exc:
            self.out.error(f"Lock acquisition failed: failed to create session: {exc}")
            return EXIT_ERROR
        try:
            async with asyncio.TaskGroup() as tg:
                renewer = tg.create_task(sessions.renew_periodic(self.client, session, SESSION_TTL))
                try:
                    return await self._hold(tg, session)
                finally:
                    renewer.cancel()
        finally:
            try:
                await self.client.send(sessions.destroy(session))
            except ApiError as exc:
                self.say(f"Session destroy failed: {exc}")

    async def _unless_shutdown(
        self, tg: asyncio.TaskGroup, work: Awaitable[T]
    ) -> tuple[bool, T | ApiError | None]:
        """(True, result or the ApiError it raised), or (False, None) if a signal came first."""

        async def captured() -> T | ApiError:
            try:
                return await work
            except ApiError as exc:
                return exc

        task = tg.create_task(captured())
        stop = tg.create_task(self.shutdown.wait())
        await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if task.done():
            return True, task.result()
        task.cancel()
        return False, None

    async def _hold(self, tg: asyncio.TaskGroup, session: str) -> int:
        finished, acquired = await self._unless_shutdown(tg, self.recipe.acquire(session))
        if isinstance(acquired, ApiError):
            self.out.error(f"Lock acquisition failed: {acquired}")
            return EXIT_ERROR
        if not finished or not acquired:
            self.out.error("Shutdown triggered or timeout during lock acquisition")
            return EXIT_ERROR
        child_failed = False
        if self.shutdown.is_set():
            self.out.error("Shutdown triggered during lock acquisition")
        else:
            child_failed = await self._supervise(tg, session)
        return await self._release(session, child_failed)

    async def _supervise(self, tg: asyncio.TaskGroup, session: str) -> bool:
        """Run the child until it exits, the lock is lost or a signal comes; True if it failed."""
        monitor = tg.create_task(self.recipe.monitor(session))
        child = tg.create_task(self._child())
        stop = tg.create_task(self.shutdown.wait())
        await asyncio.wait((monitor, child, stop), return_when=asyncio.FIRST_COMPLETED)
        monitor.cancel()
        stop.cancel()
        if child.done():
            self.say("Child terminated, releasing lock")
            return not child.result()
        self.say("Shutdown triggered, killing child" if stop.done() else "Lock lost, killing child")
        await self._kill(child)
        return False

    async def _child(self) -> bool:
        """Start and wait for the child; True when it exited 0."""
        self.say("Starting handler")
        argv = self.argv
        env = {**os.environ, "CONSUL_LOCK_HELD": "true"}
        if self.pass_stdin:
            self.say("Stdin passed to handler process")
        self.out.flush()
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=None if self.pass_stdin else asyncio.subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # signals reach the shell's children too: no orphans
            )
        except OSError as exc:
            self.out.error(f"Error starting handler: {_start_error(argv[0], exc)}")
            return False
        if self.signalled is not None:  # it came while the child was being started
            self._forward(self.signalled)
        code = await self.proc.wait()
        if code != 0:
            self.out.error(f"Error running handler: {exit_text(code)}")
        return code == 0

    async def _kill(self, child: asyncio.Task[bool]) -> None:
        """SIGTERM, wait :attr:`grace` seconds, then SIGKILL (Consul's killChild)."""
        proc = self.proc
        if proc is None:
            self.say("No child process to kill")
            child.cancel()
            return
        self.say(f"Terminating child pid {proc.pid}")
        signal_group(proc, signal.SIGTERM)
        done, _ = await asyncio.wait((child,), timeout=self.grace)
        if done:
            self.say("Child terminated")
            return
        self.say(f"Child did not exit after grace period of {self.grace:g}s")
        self.say(f"Killing child pid {proc.pid}")
        signal_group(proc, signal.SIGKILL)
        await asyncio.wait((child,))

    async def _release(self, session: str, child_failed: bool) -> int:
        try:
            await self.recipe.release(session)
        except ApiError as exc:
            self.out.error(f"Lock release failed: {exc}")
            return EXIT_ERROR
        try:
            await self.recipe.destroy()
        except LockInUse:
            self.say("Cleanup aborted, lock in use")
        except ApiError as exc:
            self.out.error(f"Lock cleanup failed: {exc}")
            return EXIT_ERROR
        else:
            self.say("Cleanup succeeded")
        return EXIT_CHILD_FAILED if child_failed and self.child_exit_code else EXIT_OK


async def _main(inv: Invocation, prefix: str, limit: int, opts: LockOptions) -> int:
    from cnslkit.api.client import Client

    p, out = inv.parsed, inv.out
    child_args = inv.args[1:]
    name = p.text("name") or f"Consul lock for '{' '.join(child_args)}' at '{prefix}'"
    try:
        client = Client(config_from(p))
    except ConfigError as exc:
        out.error(f"Error connecting to Consul agent: {exc}")
        return EXIT_ERROR
    async with client:
        try:
            await client.send(agent.node_name())
        except ApiError as exc:
            out.error(f"Error querying Consul agent: {exc}")
            return EXIT_ERROR
        recipe: Lock | Semaphore
        if limit == 1:
            key = join(prefix, SEMAPHORE_KEY)  # so a lock and a semaphore on one prefix conflict
            if p.on("verbose"):
                out.info(f"Setting up lock at path: {key}")
            recipe = Lock(client, key, opts)
        else:
            if p.on("verbose"):
                out.info(f"Setting up semaphore (limit {limit}) at prefix: {prefix}")
            try:
                recipe = Semaphore(client, prefix, limit, opts)
            except ApiError as exc:
                out.error(f"Lock setup failed: {exc}")
                return EXIT_ERROR
        holder = Holder(
            out,
            client,
            recipe,
            child_argv(child_args, p.on("shell")),
            session_name=name,
            pass_stdin=p.on("pass-stdin"),
            verbose=p.on("verbose"),
            child_exit_code=p.on("child-exit-code"),
        )
        loop = asyncio.get_running_loop()
        handled = (signal.SIGINT, signal.SIGTERM)
        for sig in handled:
            loop.add_signal_handler(sig, holder.on_signal, sig)
        try:
            return await holder.run()
        finally:
            for sig in handled:
                loop.remove_signal_handler(sig)


def _duration(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def run(inv: Invocation) -> int:
    p = inv.parsed
    limit, retries = p.num("n"), p.num("monitor-retry")
    timeout = _duration(p.values["timeout"]) or _duration(p.values["try"])
    if limit <= 0:
        raise UsageProblem("Lock holder limit must be positive")
    if len(inv.args) < 2:
        raise UsageProblem("Key prefix and child command must be specified")
    if timeout < 0:
        raise UsageProblem("Timeout must be positive")
    if retries < 0:
        raise UsageProblem("Number for 'monitor-retry' must be >= 0")
    prefix = inv.args[0].removeprefix("/")
    opts = LockOptions(
        wait_time=timeout if timeout > 0 else 15.0,
        try_once=timeout > 0,
        monitor_retries=retries,
        monitor_retry_time=MONITOR_RETRY_TIME,
    )
    return asyncio.run(_main(inv, prefix, limit, opts))


COMMAND = Command(
    "lock",
    FLAGS,
    run,
    usage="PREFIX CHILD...",
    synopsis="Execute a command holding a lock",
    help="Acquire the lock (or with -n above 1 a semaphore slot) at PREFIX, run CHILD while "
    "holding it, and release it when CHILD exits. If the lock is lost, CHILD gets SIGTERM and, "
    "5s later, SIGKILL.",
)
