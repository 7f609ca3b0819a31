"""Helpers for the CLI tests: ``cnsl`` as a subprocess, and a scripted stand-in for the agent."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from cli.command import Command, execute
from cli.goflags import parse
from cli.output import Output
from cnslkit.rawhttp import Response
from tests.agents import ROOT

if TYPE_CHECKING:
    from cnslkit.api.call import Call

T = TypeVar("T")
Result = subprocess.CompletedProcess[bytes]


class Cnsl:
    """Runs ``python -m cli.main`` with CONSUL_HTTP_ADDR pointing at the agent."""

    def __init__(self, addr: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONSUL_")}
        self.env["CONSUL_HTTP_ADDR"] = addr

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "cli.main", *args]

    def __call__(self, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> Result:
        return subprocess.run(
            self.argv(*args),
            input=stdin,
            capture_output=True,
            cwd=ROOT,
            env={**self.env, **(env or {})},
            timeout=60,
        )

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.argv(*args), cwd=ROOT, env=self.env, **kwargs)

    def ok(self, *args: str, stdin: bytes = b"") -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr.decode()
        assert result.stderr == b"", result.stderr.decode()
        return result.stdout.decode()


class FakeHttp:
    """Answers requests from a script of (status, body) and records what was asked."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, list[tuple[str, str | None]], bytes | None]] = []

    def call(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str | None]] = (),
        body: bytes | None = None,
    ) -> Response:
        self.calls.append((method, path, list(params), body))
        status, payload = self.answers.pop(0)
        return Response(status, "", {}, payload)

    def send(self, call: Call[T]) -> T:
        resp = self.call(call.method, call.path, call.params, call.body)
        return call.finish(resp.status, resp.body)


def run(command: Command, argv: list[str], http: FakeHttp | None = None) -> tuple[int, str, str]:
    """Run ``command`` in-process against ``http``: (exit code, stdout, stderr)."""
    stdout, stderr = io.BytesIO(), io.BytesIO()
    code = execute(command, parse(argv, command.flags), Output(stdout, stderr), http)  # type: ignore[arg-type]
    return code, stdout.getvalue().decode(), stderr.getvalue().decode()
