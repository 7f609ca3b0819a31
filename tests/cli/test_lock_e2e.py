"""``cnsl lock`` as real processes against a real agent: mutual exclusion, semaphores, signals."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentThread, wait_for
from tests.cli.runner import Cnsl


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def _log(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_held_lock_blocks_a_second_holder_until_the_child_exits(
    cnsl: Cnsl, tmp_path: Path
) -> None:
    log, gate = tmp_path / "log", tmp_path / "gate"
    first = cnsl.popen(
        "lock", "jobs/nightly",
        f"echo A-start >> {log}; while [ ! -e {gate} ]; do sleep 0.05; done; echo A-end >> {log}",
    )  # fmt: skip
    wait_for(lambda: _log(log) == ["A-start"])
    second = cnsl.popen("lock", "jobs/nightly", f"echo B >> {log}")
    time.sleep(1.0)  # B stays blocked for as long as A's child runs
    assert second.poll() is None and _log(log) == ["A-start"]
    gate.touch()
    assert first.wait(20) == 0
    assert second.wait(20) == 0
    assert _log(log) == ["A-start", "A-end", "B"]
    assert cnsl.ok("kv", "get", "-recurse", "jobs/") == ""  # released and cleaned up


def test_child_sees_the_lock_and_exit_codes(cnsl: Cnsl, tmp_path: Path) -> None:
    out = cnsl.ok("lock", "-verbose", "l", "echo held=$CONSUL_LOCK_HELD")
    assert out.splitlines() == [
        "Setting up lock at path: l/.lock",
        "Attempting lock acquisition",
        "Starting handler",
        "held=true",
        "Child terminated, releasing lock",
        "Cleanup succeeded",
    ]
    failed = cnsl("lock", "-child-exit-code", "l", "exit 3")
    assert (failed.returncode, failed.stderr) == (2, b"Error running handler: exit status 3\n")
    assert cnsl("lock", "l", "exit 3").returncode == 0
    direct = cnsl.ok("lock", "-shell=false", "l", "echo", "$HOME")
    assert direct == "$HOME\n"


def test_timeout_gives_up_while_another_holds(cnsl: Cnsl, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    holder = cnsl.popen(
        "lock", "busy", f"touch {gate}.up; while [ ! -e {gate} ]; do sleep 0.05; done"
    )
    wait_for(Path(f"{gate}.up").exists)
    started = time.monotonic()
    late = cnsl("lock", "-timeout=500ms", "busy", "echo never")
    assert late.returncode == 1 and late.stdout == b""
    assert late.stderr == b"Shutdown triggered or timeout during lock acquisition\n"
    assert time.monotonic() - started < 10
    gate.touch()
    assert holder.wait(20) == 0


def test_semaphore_admits_n_holders(cnsl: Cnsl, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    wait = f"while [ ! -e {gate} ]; do sleep 0.05; done"
    procs = [
        cnsl.popen("lock", "-n=2", "pool", f"touch {tmp_path}/in-{i}; {wait}") for i in range(3)
    ]
    wait_for(lambda: len(list(tmp_path.glob("in-*"))) == 2)
    time.sleep(0.5)
    assert len(list(tmp_path.glob("in-*"))) == 2  # the third waits for a slot
    gate.touch()
    assert [p.wait(30) for p in procs] == [0, 0, 0]
    assert len(list(tmp_path.glob("in-*"))) == 3
    mixed = cnsl("lock", "-n=3", "pool", "true")  # -n must agree with the holders' .lock
    assert mixed.returncode == 0, mixed.stderr


def test_sigterm_stops_the_child_and_releases(
    cnsl: Cnsl, agent: AgentThread, tmp_path: Path
) -> None:
    up = tmp_path / "up"
    proc = cnsl.popen(
        "lock", "-verbose", "sig", f"touch {up}; sleep 30 & wait", stdout=subprocess.PIPE
    )
    wait_for(up.exists)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert b"Shutdown triggered, killing child\n" in out
    assert httpx.get(f"{agent.url}/v1/session/list").json() == []
    assert cnsl.ok("kv", "get", "-recurse", "sig/") == ""


def test_lost_lock_kills_the_child(cnsl: Cnsl, agent: AgentThread, tmp_path: Path) -> None:
    up = tmp_path / "up"
    proc = cnsl.popen(
        "lock", "-verbose", "lost", f"touch {up}; sleep 30 & wait", stdout=subprocess.PIPE
    )
    wait_for(up.exists)
    (session,) = httpx.get(f"{agent.url}/v1/session/list").json()
    assert session["Name"] == f"Consul lock for 'touch {up}; sleep 30 & wait' at 'lost'"
    assert session["TTL"] == "15s"
    httpx.put(f"{agent.url}/v1/session/destroy/{session['ID']}")
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert b"Lock lost, killing child\nTerminating child pid " in out
