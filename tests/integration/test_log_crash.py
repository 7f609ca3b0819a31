"""LocalLog under SIGKILL: a child process proposes as fast as it can and prints every key whose
proposal was acknowledged; the parent kills it mid-flight and checks that every acknowledged key
is in the state rebuilt from disk. Three rounds on one data directory, so later rounds also open a
log that earlier kills left behind (torn tails, snapshots taken or cut short, rolled segments)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from agentd.log.local import LocalLog
from agentd.structs.commands import Command

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ACKS_BEFORE_KILL = 300
WORKERS = 16


class KVFSM:
    """Dict-backed fake FSM; the child process imports it from this file."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.indexes: list[int] = []
        self.restored_from = 0
        self._last_index = 0

    def apply(self, index: int, command: Command) -> Any:
        self.indexes.append(index)
        self._last_index = index
        self.data[command["Key"]] = command["Value"]
        return True

    def snapshot(self) -> Any:
        return {"Data": dict(self.data)}

    def restore(self, index: int, image: Any) -> None:
        self.data = dict(image["Data"])
        self._last_index = index
        self.restored_from = index

    @property
    def last_index(self) -> int:
        return self._last_index


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    sys.path[:0] = [{repo!r}, {here!r}]
    from test_log_crash import KVFSM
    from agentd.log.local import LocalLog

    async def main(data_dir, run):
        log = LocalLog(KVFSM(), data_dir, snapshot_threshold=97, snapshot_interval=0.02)
        await log.open()
        runner = asyncio.create_task(log.run())

        async def worker(w):
            n = 0
            while True:
                key = f"k-{{run}}-{{w}}-{{n}}"
                await log.propose({{"Type": 1, "Op": "set", "Key": key, "Value": key.encode()}})
                sys.stdout.write(key + "\\n")
                sys.stdout.flush()
                n += 1

        await asyncio.gather(runner, *(worker(w) for w in range({workers})))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


async def reopen(data_dir: Path) -> tuple[KVFSM, LocalLog]:
    fsm = KVFSM()
    log = LocalLog(fsm, str(data_dir))
    await log.open()
    await log.close()
    return fsm, log


def run_child_and_kill(script: Path, data_dir: Path, run: int) -> list[str]:
    proc = subprocess.Popen(
        [sys.executable, str(script), str(data_dir), str(run)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: list[str] = []
    deadline = time.monotonic() + 20
    try:
        assert proc.stdout is not None
        while len(acked) < ACKS_BEFORE_KILL and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.append(line.strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate(timeout=10)
    assert len(acked) >= ACKS_BEFORE_KILL, f"child stopped early: {err}"
    acked += [line for line in rest.splitlines() if line]  # also acknowledged before the kill
    assert proc.returncode == -signal.SIGKILL
    return acked


def test_acknowledged_proposals_survive_sigkill(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(repo=str(REPO), here=str(HERE), workers=WORKERS))
    data_dir = tmp_path / "data"
    all_acked: list[str] = []
    previous_last = 0
    for run in range(3):
        acked = run_child_and_kill(script, data_dir, run)
        all_acked += acked
        fsm, log = asyncio.run(reopen(data_dir))
        missing = [k for k in all_acked if fsm.data.get(k) != k.encode()]
        assert not missing, f"round {run}: {len(missing)} acked keys lost, e.g. {missing[:5]}"
        expected = list(range(fsm.restored_from + 1, log.last_index + 1))
        assert fsm.indexes == expected
        assert log.last_index >= previous_last + len(acked)
        previous_last = log.last_index
    raft = data_dir / "raft"
    assert any(name.startswith("snapshot-") for name in os.listdir(raft))
