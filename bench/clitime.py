"""Section 3: wall time of ``cnsl kv get`` next to ``python -c pass`` (and curl).

Each command is run ``runs`` times, round-robin so that drift hits all of them alike, with the same
interpreter and working directory; the time is taken around ``Popen`` + ``wait`` (fork, exec,
interpreter start-up, the request, exit), so the spawn cost is in every row.

Bytecode matters here: an installed package has ``.pyc`` files, a source checkout run with
``PYTHONDONTWRITEBYTECODE=1`` (or from a read-only tree) compiles every module of ours on every
run. The main rows therefore run with a private ``PYTHONPYCACHEPREFIX`` (filled by one untimed run
of each command; nothing is written into the source tree), and one extra row runs ``cnsl`` with
no bytecode for our modules at all.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

from common import percentile, table
from servers import ROOT, Procs, Server, child_env, start_agentd

KEY = "bench/cli"
VALUE = b"hello-from-bench"
ENTRY = "import sys; from cli.main import main; sys.exit(main())"  # what a console script runs


def commands(server: Server, cached: dict[str, str], uncached: dict[str, str]) -> list[Any]:
    """(name, argv, env) for each row."""
    addr = f"{server.host}:{server.port}"
    # Consul's flag syntax: flags before the key (Go's flag package stops at the first argument)
    get = ["kv", "get", "-http-addr", addr, KEY]
    py = sys.executable
    cmds = [
        ("python -c pass", [py, "-c", "pass"], cached),
        ("python -m cli.main kv get", [py, "-m", "cli.main", *get], cached),
        ("cnsl kv get (entry point)", [py, "-c", ENTRY, *get], cached),
        ("python -m cli.main kv get, no .pyc", [py, "-m", "cli.main", *get], uncached),
    ]
    curl = shutil.which("curl")
    if curl:
        cmds.append(("curl -s", [curl, "-s", f"http://{addr}/v1/kv/{KEY}?raw"], cached))
    return cmds


def _alarm(signum: int, frame: object) -> None:
    raise TimeoutError("command took more than 30 s")


def _time_one(argv: list[str], env: dict[str, str]) -> float:
    """Wall ms of one run. ``wait()`` without a timeout blocks in waitpid; with one, subprocess
    polls with growing sleeps (0.5, 1, 2, 4 ms...), which would quantize the times. SIGALRM
    bounds it instead."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        try:
            proc.wait()
        except TimeoutError:
            proc.kill()
            proc.wait()
            raise
        return (time.perf_counter() - t0) * 1000
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(procs: Procs, runs: int) -> dict[str, Any]:
    server = start_agentd(procs, False, None)
    uncached = child_env()
    uncached["PYTHONDONTWRITEBYTECODE"] = "1"
    uncached.pop("PYTHONPYCACHEPREFIX", None)
    cached = dict(uncached, PYTHONPYCACHEPREFIX=procs.tempdir("cnsl-bench-pyc-"))
    cached.pop("PYTHONDONTWRITEBYTECODE")
    skipped: dict[str, str] = {}
    try:
        server.request("PUT", f"/v1/kv/{KEY}", VALUE)
        cmds = commands(server, cached, uncached)
        for name, argv, env in cmds:  # check each once (fills the cache); skip what fails
            done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=30)
            expected = b"" if name.startswith("python -c") else VALUE
            if done.returncode != 0 or done.stdout.strip() != expected:
                skipped[name] = (
                    f"exit {done.returncode}, stdout {done.stdout[:80]!r}, "
                    f"stderr {done.stderr[:200]!r}"
                )
                print(f"==> skipping {name!r}: {skipped[name]}", flush=True)
        cmds = [c for c in cmds if c[0] not in skipped]
        samples: dict[str, list[float]] = {c[0]: [] for c in cmds}
        for _ in range(runs):
            for name, argv, env in cmds:
                samples[name].append(_time_one(argv, env))
    finally:
        procs.discard(server)
    rows = {}
    for name, ms in samples.items():
        ms.sort()
        rows[name] = {
            "runs": len(ms),
            "median_ms": statistics.median(ms),
            "p90_ms": percentile(ms, 90),
            "min_ms": ms[0],
        }
    argv_of = {
        c[0]: " ".join(c[1]).replace(sys.executable, "python")
        for c in commands(server, cached, uncached)
    }
    return {
        "commands": argv_of,
        "results": rows,
        "skipped": skipped,
        "python": sys.executable,
        "inherited_PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }


def render(result: dict[str, Any]) -> str:
    res = result["results"]
    base = res.get("python -c pass", {}).get("median_ms")
    rows = [
        [
            name,
            str(r["runs"]),
            f"{r['median_ms']:.1f}",
            f"{r['p90_ms']:.1f}",
            f"{r['min_ms']:.1f}",
            f"{r['median_ms'] - base:+.1f}" if base is not None else "-",
        ]
        for name, r in res.items()
    ]
    out = table(
        ["command", "runs", "median ms", "p90 ms", "min ms", "median vs python -c pass"],
        rows,
        "Command wall time (fork + exec + run + exit); .pyc cached unless noted",
    )
    for name, why in result["skipped"].items():
        out += f"\n\nSKIPPED {name}: {why}"
    return out
