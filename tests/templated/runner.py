"""Helpers for templated's end-to-end tests: the real command as a subprocess, KV writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.agents import ROOT, wait_for

Result = subprocess.CompletedProcess[str]


class Templated:
    """Runs ``python -m templated`` in ``cwd`` against the agent at ``addr``."""

    def __init__(self, addr: str, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONSUL_")}
        self.env["CONSUL_HTTP_ADDR"] = addr
        self.env["PYTHONPATH"] = str(ROOT)
        self.procs: list[subprocess.Popen[str]] = []

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "templated", *args]

    def __call__(self, *args: str, timeout: float = 60) -> Result:
        return subprocess.run(
            self.argv(*args),
            capture_output=True,
            text=True,
            cwd=self.cwd,
            env=self.env,
            timeout=timeout,
        )

    def start(self, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            self.argv(*args),
            cwd=self.cwd,
            env=self.env,
            text=True,
            stdout=kwargs.pop("stdout", subprocess.PIPE),
            stderr=kwargs.pop("stderr", subprocess.PIPE),
            **kwargs,
        )
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


class KV:
    """Synchronous KV writes for tests."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    def put(self, key: str, value: str) -> None:
        assert self.http.put(f"/v1/kv/{key}", content=value.encode()).json() is True

    def delete(self, key: str, recurse: bool = False) -> None:
        self.http.delete(f"/v1/kv/{key}", params={"recurse": ""} if recurse else None)

    def register(self, body: dict[str, Any]) -> None:
        self.http.put("/v1/agent/service/register", json=body).raise_for_status()

    def close(self) -> None:
        self.http.close()


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def wait_text(path: Path, text: str, timeout: float = 15.0) -> str:
    """Wait until ``path`` holds exactly ``text`` (or contains it, for a multi-line check)."""
    return str(wait_for(lambda: read(path) if read(path) == text else "", timeout))


def lines(path: Path) -> list[str]:
    return read(path).splitlines()
