"""Script handlers: a timed-out handler is killed with everything it started."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cnslkit.watch.handlers import HandlerFailed, Invocation, ScriptHandler
from tests.agents import wait_for
from tests.procs import alive


def test_timed_out_handler_takes_its_children_with_it(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    handler = ScriptHandler(shell=f"sleep 30 & echo $! > {pids}; wait", timeout=0.5)
    with pytest.raises(HandlerFailed, match=r"timed out after 0\.5s"):
        asyncio.run(handler(Invocation(body={"k": 1}, index=3)))
    grandchild = int(pids.read_text())
    wait_for(lambda: not alive(grandchild))


def test_handler_reads_the_result_and_index(tmp_path: Path) -> None:
    out = tmp_path / "out"
    handler = ScriptHandler(shell=f'{{ cat; echo " $CONSUL_INDEX"; }} > {out}')
    asyncio.run(handler(Invocation(body=[1, 2], index=42)))
    assert out.read_text() == "[1, 2] 42\n"
