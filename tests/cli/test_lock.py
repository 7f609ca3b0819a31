"""cnsl lock's supervision without an agent: a scripted recipe and client, real children."""

from __future__ import annotations

import asyncio
import io
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from cli import lock
from cli.lock import Holder, child_argv, exit_text
from cli.output import Output
from cnslkit.api.errors import ApiError, LockConflict, LockInUse
from cnslkit.api.models import SessionEntry
from tests.cli.runner import run


class FakeClient:
    """Answers the session calls Holder makes; records them."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def send(self, call: Any) -> Any:
        self.paths.append(call.path)
        if call.path == "/v1/session/create":
            return "sess-1"
        if call.path.startswith("/v1/session/renew/"):
            return SessionEntry("sess-1", ttl="15s")
        return True


class FakeRecipe:
    behavior = "release"

    def __init__(self, acquire: bool | Exception | None = True) -> None:
        self._acquire = acquire
        self.lost = asyncio.Event()
        self.released: list[str] = []
        self.destroyed = 0
        self.release_error: ApiError | None = None
        self.destroy_error: ApiError | None = None

    async def acquire(self, session: str) -> bool:
        if self._acquire is None:
            await asyncio.Event().wait()  # never: only a signal ends this
        if isinstance(self._acquire, Exception):
            raise self._acquire
        return bool(self._acquire)

    async def monitor(self, session: str) -> None:
        await self.lost.wait()

    async def release(self, session: str) -> None:
        if self.release_error:
            raise self.release_error
        self.released.append(session)

    async def destroy(self) -> None:
        self.destroyed += 1
        if self.destroy_error:
            raise self.destroy_error


def _holder(
    recipe: FakeRecipe, script: str, **kwargs: Any
) -> tuple[Holder, FakeClient, io.BytesIO, io.BytesIO]:
    out, err = io.BytesIO(), io.BytesIO()
    client = FakeClient()
    holder = Holder(
        Output(out, err),
        client,  # type: ignore[arg-type]
        recipe,  # type: ignore[arg-type]
        child_argv([script], shell=True),
        session_name="test",
        **kwargs,
    )
    return holder, client, out, err


async def test_child_exit_releases_and_cleans_up(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    recipe = FakeRecipe()
    holder, client, out, err = _holder(recipe, f'echo "$CONSUL_LOCK_HELD" > {marker}', verbose=True)
    assert await holder.run() == 0
    assert marker.read_text() == "true\n"
    assert recipe.released == ["sess-1"] and recipe.destroyed == 1
    assert client.paths == ["/v1/session/create", "/v1/session/destroy/sess-1"]
    assert out.getvalue().decode().splitlines() == [
        "Attempting lock acquisition",
        "Starting handler",
        "Child terminated, releasing lock",
        "Cleanup succeeded",
    ]
    assert err.getvalue() == b""


@pytest.mark.parametrize(("propagate", "code"), [(True, 2), (False, 0)])
async def test_failed_child(propagate: bool, code: int) -> None:
    holder, _, _, err = _holder(FakeRecipe(), "exit 3", child_exit_code=propagate)
    assert await holder.run() == code
    assert err.getvalue() == b"Error running handler: exit status 3\n"


async def test_lost_lock_terminates_the_child(tmp_path: Path) -> None:
    recipe = FakeRecipe()
    marker = tmp_path / "term"
    script = f"trap 'echo x > {marker}; exit 0' TERM; echo up > {marker}.up; sleep 30 & wait"
    holder, _, out, _ = _holder(recipe, script, verbose=True)
    task = asyncio.create_task(holder.run())
    await _until(lambda: Path(f"{marker}.up").exists())
    recipe.lost.set()
    assert await task == 0
    assert marker.exists() and recipe.released == ["sess-1"]
    text = out.getvalue().decode()
    assert "Lock lost, killing child\nTerminating child pid " in text
    assert "Child terminated\n" in text


async def test_child_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    recipe = FakeRecipe()
    up = tmp_path / "up"
    holder, _, out, err = _holder(recipe, f"trap '' TERM; touch {up}; sleep 30", verbose=True)
    holder.grace = 0.3
    task = asyncio.create_task(holder.run())
    await _until(up.exists)
    recipe.lost.set()
    assert await asyncio.wait_for(task, 10) == 0
    assert "Child did not exit after grace period of 0.3s\nKilling child pid" in (
        out.getvalue().decode()
    )
    assert err.getvalue() == b"Error running handler: signal: killed\n"


CHILD_RECORDING_SIGNALS = """
import signal, sys, time
path, seen = sys.argv[1], []
signal.signal(signal.SIGINT, lambda sig, frame: seen.append("SIGINT"))
signal.signal(signal.SIGTERM, lambda sig, frame: seen.append("SIGTERM"))
open(path + ".up", "w").close()
while "SIGTERM" not in seen:
    time.sleep(0.02)
open(path, "w").write(" ".join(seen))
"""


async def test_signal_is_forwarded_then_the_lock_released(tmp_path: Path) -> None:
    recipe = FakeRecipe()
    got = tmp_path / "got"
    holder, client, out, _ = _holder(recipe, "unused", verbose=True)
    holder.argv = [sys.executable, "-c", CHILD_RECORDING_SIGNALS, str(got)]
    task = asyncio.create_task(holder.run())
    await _until(Path(f"{got}.up").exists)
    holder.on_signal(signal.SIGINT)
    assert await task == 0
    # Consul's order: the signal itself, then SIGTERM from the shutdown path.
    assert got.read_text().split() == ["SIGINT", "SIGTERM"]
    assert "Shutdown triggered, killing child" in out.getvalue().decode()
    assert recipe.released == ["sess-1"] and client.paths[-1] == "/v1/session/destroy/sess-1"


async def test_signal_while_waiting_gives_up() -> None:
    recipe = FakeRecipe(acquire=None)
    holder, client, _, err = _holder(recipe, "true")
    task = asyncio.create_task(holder.run())
    await asyncio.sleep(0.05)
    holder.on_signal(signal.SIGTERM)
    assert await task == 1
    assert err.getvalue() == b"Shutdown triggered or timeout during lock acquisition\n"
    assert recipe.released == [] and client.paths[-1] == "/v1/session/destroy/sess-1"


async def test_acquisition_failures() -> None:
    holder, _, _, err = _holder(
        FakeRecipe(LockConflict("Existing key does not match lock use")), "true"
    )
    assert await holder.run() == 1
    assert err.getvalue() == b"Lock acquisition failed: Existing key does not match lock use\n"
    holder, _, _, err = _holder(FakeRecipe(acquire=False), "true")  # -timeout ran out
    assert await holder.run() == 1
    assert err.getvalue() == b"Shutdown triggered or timeout during lock acquisition\n"


async def test_release_and_cleanup_outcomes() -> None:
    recipe = FakeRecipe()
    recipe.release_error = ApiError(500, "failed to release lock: boom")
    holder, _, _, err = _holder(recipe, "true")
    assert await holder.run() == 1
    assert err.getvalue() == b"Lock release failed: failed to release lock: boom\n"
    recipe = FakeRecipe()
    recipe.destroy_error = LockInUse("Lock in use")
    holder, _, out, _ = _holder(recipe, "true", verbose=True)
    assert await holder.run() == 0
    assert out.getvalue().decode().endswith("Cleanup aborted, lock in use\n")
    recipe = FakeRecipe()
    recipe.destroy_error = LockConflict("Existing key does not match lock use")
    holder, _, _, err = _holder(recipe, "true")
    assert await holder.run() == 1
    assert err.getvalue() == b"Lock cleanup failed: Existing key does not match lock use\n"


async def test_child_that_cannot_start() -> None:
    recipe = FakeRecipe()
    out, err = io.BytesIO(), io.BytesIO()
    holder = Holder(
        Output(out, err),
        FakeClient(),  # type: ignore[arg-type]
        recipe,  # type: ignore[arg-type]
        child_argv(["no-such-command-xyz"], shell=False),
        session_name="t",
        child_exit_code=True,
    )
    assert await holder.run() == 2
    assert err.getvalue() == (
        b'Error starting handler: exec: "no-such-command-xyz": executable file not found in $PATH\n'
    )


def test_child_argv_and_exit_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/bin/bash")
    assert child_argv(["echo", "a b"], shell=True) == ["/bin/bash", "-c", "echo a b"]
    monkeypatch.delenv("SHELL")
    assert child_argv(["echo", "a b"], shell=True) == ["/bin/sh", "-c", "echo a b"]
    assert child_argv(["echo", "a b"], shell=False) == ["echo", "a b"]
    assert exit_text(3) == "exit status 3"
    assert exit_text(-signal.SIGTERM) == "signal: terminated"
    assert exit_text(-signal.SIGKILL) == "signal: killed"
    assert exit_text(-signal.SIGHUP) == "signal: hangup"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-n=0", "p", "true"], "Lock holder limit must be positive"),
        (["p"], "Key prefix and child command must be specified"),
        (["-timeout=-1s", "p", "true"], "Timeout must be positive"),
        (["-monitor-retry=-1", "p", "true"], "Number for 'monitor-retry' must be >= 0"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    assert run(lock.COMMAND, argv) == (2, "", message + "\n")


def test_unreachable_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONSUL_HTTP_TOKEN_FILE", raising=False)
    code, _, err = run(lock.COMMAND, ["-http-addr=127.0.0.1:1", "p", "true"])
    assert code == 1 and err.startswith('Error querying Consul agent: Get "http://127.0.0.1:1/')
    code, _, err = run(lock.COMMAND, ["-http-addr=ftp://x", "p", "true"])
    assert (code, err) == (1, "Error connecting to Consul agent: Unknown protocol scheme: ftp\n")


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


assert sys.platform != "win32"  # signals and /bin/sh
