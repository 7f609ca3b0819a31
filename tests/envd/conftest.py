from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import ROOT, AgentThread

CHILD = str(Path(__file__).parent / "child_script.py")


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


class Envd:
    def __init__(self, addr: str, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONSUL_")}
        self.env |= {"CONSUL_HTTP_ADDR": addr, "PYTHONPATH": str(ROOT)}
        self.procs: list[subprocess.Popen[str]] = []

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "envd", *args]
        return subprocess.run(argv, capture_output=True, text=True, env=self.env, cwd=self.cwd,
                              timeout=30)  # fmt: skip

    def start(self, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-m", "envd", *args], env=self.env,
                                cwd=self.cwd, text=True, stderr=subprocess.PIPE)  # fmt: skip
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)


@pytest.fixture(scope="module")
def live() -> Iterator[AgentThread]:
    handle = AgentThread().start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def api(live: AgentThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        yield client


@pytest.fixture
def envd(live: AgentThread, tmp_path: Path) -> Iterator[Envd]:
    runner = Envd(live.http_addr, tmp_path)
    try:
        yield runner
    finally:
        runner.close()
