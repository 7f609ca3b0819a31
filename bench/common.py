"""Helpers shared by the sections: driving loadgen worker processes, percentiles, tables."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from servers import ROOT, Procs, child_env

LOADGEN = Path(__file__).resolve().parent / "loadgen.py"


class Worker:
    """One ``loadgen.py`` process: a JSON spec in, JSON lines out, read with timeouts."""

    def __init__(self, procs: Procs, spec: dict[str, Any], cpus: list[int] | None = None) -> None:
        self.procs = procs
        self.proc = procs.spawn(
            [sys.executable, str(LOADGEN)],
            cpus,
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._buf = b""
        self.send(json.dumps(spec))

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def expect(self, event: str, timeout: float) -> dict[str, Any]:
        """The next message, which must be ``event``; raises after ``timeout`` seconds."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"loadgen worker: no {event!r} within {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    code = self.proc.wait(5)
                    raise RuntimeError(f"loadgen worker exited ({code}) before {event!r}")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        msg: dict[str, Any] = json.loads(line)
        if msg.get("event") != event:
            raise RuntimeError(f"loadgen worker: expected {event!r}, got {msg.get('event')!r}")
        return msg

    def stop(self) -> None:
        Procs.stop(self.proc)


def split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts) if base or i < extra]


def percentile(sorted_values: list[float] | list[int], q: float) -> float:
    """Nearest-rank percentile of an ascending list (``q`` in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return float(sorted_values[rank - 1])


def table(headers: list[str], rows: list[list[str]], title: str = "") -> str:
    """A Markdown table (readable as plain text too), numbers right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    numeric = [all(_numeric(r[i]) for r in rows) for i in range(len(headers))]

    def fmt(cells: list[str]) -> str:
        out = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(out) + " |"

    rule = [
        ("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric, strict=True)
    ]
    lines = [f"**{title}**", ""] if title else []
    lines += [fmt(headers), "| " + " | ".join(rule) + " |"] + [fmt(r) for r in rows]
    return "\n".join(lines)


def _numeric(cell: str) -> bool:
    cell = cell.replace(",", "").replace("%", "").replace(" ", "").lstrip("-+~")
    return not cell or cell[0].isdigit() or cell in ("n/a", "-")
