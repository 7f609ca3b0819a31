"""TTLCheck: updates, output capping, expiry with a short real TTL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from agentd.checks.ttl import TTLCheck
from tests.agentd.checks import wait_for

Update = tuple[str, str, str]


@contextlib.asynccontextmanager
async def running(check: TTLCheck) -> AsyncIterator[TTLCheck]:
    async with asyncio.TaskGroup() as tg:
        task = tg.create_task(check.run())
        try:
            yield check
        finally:
            task.cancel()


async def test_expires_to_critical_after_ttl() -> None:
    updates: list[Update] = []
    check = TTLCheck("web-ttl", 0.1, lambda *u: updates.append(u), status="passing")
    async with running(check):
        await wait_for(lambda: updates)
        assert updates == [("web-ttl", "critical", "TTL expired")]
        assert check.expired


async def test_update_resets_the_timer_and_expiry_quotes_last_output() -> None:
    updates: list[Update] = []
    check = TTLCheck("t", 0.15, lambda *u: updates.append(u))
    async with running(check):
        for _ in range(4):  # keep it alive for ~2x the TTL
            check.update("passing", "all good")
            await asyncio.sleep(0.05)
        assert updates == [("t", "passing", "all good")]
        assert not check.expired
        await wait_for(lambda: len(updates) == 2)
        assert updates[1] == (
            "t",
            "critical",
            "TTL expired (last output before timeout follows): all good",
        )
        # Revived by the next update, and expires again later.
        check.update("warning", "meh")
        assert updates[2] == ("t", "warning", "meh")
        await wait_for(lambda: len(updates) == 4)
        assert updates[3][1] == "critical"


async def test_only_changes_are_reported() -> None:
    updates: list[Update] = []
    check = TTLCheck("t", 30, lambda *u: updates.append(u), status="critical", output="")
    check.update("passing", "ok")
    check.update("passing", "ok")
    check.update("passing", "ok2")
    check.update("critical", "")
    assert [u[1:] for u in updates] == [("passing", "ok"), ("passing", "ok2"), ("critical", "")]


def test_update_caps_output() -> None:
    updates: list[Update] = []
    check = TTLCheck("t", 30, lambda *u: updates.append(u), output_max_size=4)
    stored = check.update("passing", "abcdefgh")
    assert stored == "abcd ... (captured 4 of 8 bytes)"
    assert updates == [("t", "passing", stored)]
