"""CheckRunner: stagger, schedule, thresholds, change-only reporting, real probes end to end."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from agentd.checks.definition import from_json
from agentd.checks.result import Result
from agentd.checks.runner import CheckRunner
from tests.agentd.checks import closed_port, wait_for

Update = tuple[str, str, str]


class FixedRng:
    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


class Script:
    """A scripted probe: returns the given results in turn, then repeats the last."""

    def __init__(self, *results: Result) -> None:
        self.results = list(results)
        self.calls = 0

    async def __call__(self) -> Result:
        self.calls += 1
        return self.results[min(self.calls, len(self.results)) - 1]


async def test_stagger_then_interval_between_probes() -> None:
    sleeps: list[float] = []
    probe = Script(Result("passing", "ok"))

    async def sleep(delay: float) -> None:
        sleeps.append(delay)
        await asyncio.sleep(0)

    defn = from_json({"CheckID": "c", "TCP": "h:1", "Interval": "10s"})
    runner = CheckRunner(defn, lambda *u: None, probe=probe, rng=FixedRng(0.25), sleep=sleep)
    task = asyncio.create_task(runner.run())
    await wait_for(lambda: probe.calls >= 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sleeps[0] == 2.5  # rng 0.25 of the 10s interval
    assert set(sleeps[1:]) == {10.0}


def test_interval_floor_is_one_second() -> None:
    defn = from_json({"TCP": "h:1", "Interval": "100ms"})
    assert CheckRunner(defn, lambda *u: None).interval == 1.0
    assert CheckRunner(defn, lambda *u: None, min_interval=0).interval == 0.1


def test_apply_reports_changes_only_and_honours_thresholds() -> None:
    updates: list[Update] = []
    defn = from_json({"CheckID": "c", "TCP": "h:1", "Interval": "1s", "FailuresBeforeCritical": 2})
    runner = CheckRunner(defn, lambda *u: updates.append(u))
    assert runner.reported == ("critical", "")
    assert runner.apply(Result("passing", "up"))  # first result applies at once
    assert not runner.apply(Result("passing", "up"))  # unchanged: not reported
    assert not runner.apply(Result("critical", "down"))  # 1 of 2 failures
    assert runner.apply(Result("critical", "down"))
    assert runner.apply(Result("passing", "up again"))
    assert updates == [
        ("c", "passing", "up"),
        ("c", "critical", "down"),
        ("c", "passing", "up again"),
    ]


def test_starting_state_comes_from_definition_or_caller() -> None:
    defn = from_json({"CheckID": "c", "TCP": "h:1", "Interval": "1s", "Status": "passing"})
    updates: list[Update] = []
    runner = CheckRunner(defn, lambda *u: updates.append(u), output="TCP connect h:1: Success")
    assert not runner.apply(Result("passing", "TCP connect h:1: Success"))
    assert updates == []


@pytest.mark.parametrize("body", [{"TTL": "10s"}, {"AliasService": "web"}])
def test_non_periodic_checks_are_refused(body: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="not periodic"):
        CheckRunner(from_json(body), lambda *u: None)


async def test_probe_exception_becomes_critical_and_loop_survives(
    caplog: pytest.LogCaptureFixture,
) -> None:
    updates: list[Update] = []
    calls = 0

    async def flaky() -> Result:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        return Result("passing", "fine")

    defn = from_json({"CheckID": "c", "TCP": "h:1", "Interval": "10ms"})
    runner = CheckRunner(
        defn, lambda *u: updates.append(u), probe=flaky, min_interval=0, rng=FixedRng(0)
    )
    with caplog.at_level(logging.ERROR, logger="agentd.checks.runner"):
        async with asyncio.TaskGroup() as tg:
            task = tg.create_task(runner.run())
            await wait_for(lambda: len(updates) == 2)
            task.cancel()
    assert updates[0] == ("c", "critical", "check failed: boom")
    assert updates[1] == ("c", "passing", "fine")
    assert "check c: probe failed" in caplog.text


async def test_real_tcp_check_goes_critical_when_listener_closes() -> None:
    updates: list[Update] = []
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    addr = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    defn = from_json({"CheckID": "tcp", "TCP": addr, "Interval": "50ms"})
    runner = CheckRunner(defn, lambda *u: updates.append(u), min_interval=0, rng=FixedRng(0))
    async with asyncio.TaskGroup() as tg:
        task = tg.create_task(runner.run())
        await wait_for(lambda: updates)
        await asyncio.sleep(0.2)  # several more probes, all unchanged
        assert updates == [("tcp", "passing", f"TCP connect {addr}: Success")]
        server.close()
        await server.wait_closed()
        # Keep the port bound (not listening: connects are refused) so that no other test's
        # listener can take it meanwhile.
        with socket.socket() as hold:
            hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            hold.bind(("127.0.0.1", int(addr.rsplit(":", 1)[1])))
            await wait_for(lambda: len(updates) == 2)
            task.cancel()
    assert updates[1] == ("tcp", "critical", f"dial tcp {addr}: connect: connection refused")


async def test_real_http_check_once() -> None:
    addr = f"127.0.0.1:{closed_port()}"
    updates: list[Update] = []
    defn = from_json({"CheckID": "h", "HTTP": f"http://{addr}/", "Interval": "10s"})
    result = await CheckRunner(defn, lambda *u: updates.append(u)).check_once()
    assert result.status == "critical"
    assert updates == [("h", "critical", result.output)]


async def test_cancelling_runner_kills_running_script(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    defn = from_json(
        {"CheckID": "s", "Args": ["sh", "-c", f"echo $$ > {pid_file}; sleep 30"], "Interval": "1s"}
    )
    runner = CheckRunner(defn, lambda *u: None, rng=FixedRng(0))
    async with asyncio.TaskGroup() as tg:
        task = tg.create_task(runner.run())
        await wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
        task.cancel()
    pid = int(pid_file.read_text())
    assert not Path(f"/proc/{pid}").exists()


async def test_unsupported_kind_reports_critical() -> None:
    defn = from_json({"CheckID": "g", "GRPC": "127.0.0.1:1", "Interval": "1s"})
    assert await CheckRunner(defn, lambda *u: None).check_once() == (
        "critical",
        "gRPC checks are not supported",
    )
