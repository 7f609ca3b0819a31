"""Section 1: KV GET/PUT throughput and latency, agentd vs etcd, same load generator.

Per system: start it (pinned to the server CPUs), write all keys once, then for each (op,
clients) cell start the loadgen worker(s) (pinned to the generator CPU), warm up, and measure
``trials`` windows of ``duration`` seconds back to back. The trial with the median throughput is
reported; the JSON keeps every trial. For each trial the server's and the generator's CPU time
are read, and so is the whole machine's (/proc/stat): what neither used is "other" load. Before
each trial the benchmark waits (up to 30 s) for other load to drop below ``max_other_pct``; a trial
with more than ``max_other_pct`` of other load was disturbed by something else on the machine:
it is discarded and measured again (at most ``extra_trials`` times per cell); if that does not
give enough quiet trials, the least disturbed are used and the cell is flagged.
"""

from __future__ import annotations

import array
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common import Worker, percentile, split, table
from servers import (
    Procs,
    Server,
    cpu_seconds,
    ensure_etcd,
    fs_type,
    start_agentd,
    start_etcd,
    system_cpu,
    wait_quiet,
)

OPS = ("put", "get")


@dataclass
class KVConfig:
    duration: float = 5.0
    warmup: float = 1.0
    trials: int = 3
    max_other_pct: float = 15.0  # % of one core used by other processes during a trial
    extra_trials: int = 4
    concurrency: tuple[int, ...] = (1, 64)
    keys: int = 1000
    value_size: int = 128
    gen_procs: int = 1  # loadgen processes for the concurrent runs
    etcd: bool = True
    etcd_tmpfs: bool = True
    etcd_serializable: bool = False  # etcd's default range is linearizable
    install: bool = True
    data_root: str | None = None
    server_cpus: list[int] | None = None
    gen_cpus: list[int] | None = None
    notes: list[str] = field(default_factory=list)


def _spec(server: Server, cfg: KVConfig, op: str, conns: int, worker: int) -> dict[str, Any]:
    return {
        "mode": "kv",
        "kind": server.kind,
        "host": server.host,
        "port": server.port,
        "etcd_prefix": server.etcd_prefix,
        "etcd_serializable": cfg.etcd_serializable,
        "op": op,
        "conns": conns,
        "keys": cfg.keys,
        "value_size": cfg.value_size,
        "warmup": cfg.warmup,
        "duration": cfg.duration,
        "worker": worker,
        "deadline": cfg.warmup + cfg.trials * (cfg.duration + 30) + 240,
    }


def prefill(procs: Procs, server: Server, cfg: KVConfig) -> None:
    """Write every key once so GETs find them (and PUTs overwrite, as in steady state)."""
    spec = _spec(server, cfg, "put", 16, 0) | {"prefill": True, "timeout": 120}
    worker = Worker(procs, spec, cfg.gen_cpus)
    try:
        done = worker.expect("done", 150)
    finally:
        worker.stop()
    if done["errors"] or done["sent"] != cfg.keys:
        raise RuntimeError(f"prefill of {server.label} failed: {done}")


def _trial(workers: list[Worker], server: Server, cfg: KVConfig) -> dict[str, Any]:
    waited = wait_quiet([server.pid] + [w.proc.pid for w in workers], cfg.max_other_pct)
    cpu0, (busy0, steal0), t0 = cpu_seconds(server.pid), system_cpu(), time.monotonic()
    for w in workers:
        w.send("go")
    results = [w.expect("result", cfg.duration + 60) for w in workers]
    cpu1, (busy1, steal1), t1 = cpu_seconds(server.pid), system_cpu(), time.monotonic()
    lat = array.array("q")
    for r in results:
        lat.frombytes(base64.b64decode(r["latencies_ns"]))
    ms = sorted(x / 1e6 for x in lat)
    wall = max(r["wall"] for r in results)
    span = t1 - t0
    server_cpu = 100 * (cpu1 - cpu0) / span
    gen_cpu = 100 * sum(r["cpu"] for r in results) / span
    return {
        "requests": len(ms),
        "errors": sum(r["errors"] for r in results),
        "rps": len(ms) / wall,
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else float("nan"),
        "server_cpu_pct": server_cpu,
        "gen_cpu_pct": gen_cpu,
        "other_cpu_pct": max(0.0, 100 * (busy1 - busy0) / span - server_cpu - gen_cpu),
        "steal_pct": 100 * (steal1 - steal0) / span,
        "waited_for_quiet_s": waited,
    }


def run_cell(procs: Procs, server: Server, cfg: KVConfig, op: str, conns: int) -> dict[str, Any]:
    parts = split(conns, min(cfg.gen_procs, conns))
    workers = [
        Worker(procs, _spec(server, cfg, op, n, i), cfg.gen_cpus) for i, n in enumerate(parts)
    ]
    try:
        for w in workers:
            w.expect("warm", cfg.warmup + 60)
        quiet: list[dict[str, Any]] = []
        disturbed: list[dict[str, Any]] = []
        for _ in range(cfg.trials + cfg.extra_trials):
            trial = _trial(workers, server, cfg)
            (quiet if trial["other_cpu_pct"] <= cfg.max_other_pct else disturbed).append(trial)
            if len(quiet) == cfg.trials:
                break
    finally:
        for w in workers:
            w.stop()
    disturbed.sort(key=lambda t: t["other_cpu_pct"])
    trials = quiet + disturbed[: cfg.trials - len(quiet)]
    median = sorted(trials, key=lambda t: t["rps"])[len(trials) // 2]
    return {
        "system": server.name,
        "op": op,
        "clients": conns,
        "gen_procs": len(parts),
        **median,
        "rps_min": min(t["rps"] for t in trials),
        "rps_max": max(t["rps"] for t in trials),
        "disturbed": len(quiet) < cfg.trials,
        "discarded": len(disturbed) - (cfg.trials - len(quiet)),
        "trials": trials,
        "discarded_trials": disturbed[cfg.trials - len(quiet) :],
    }


def _systems(procs: Procs, cfg: KVConfig) -> list[Callable[[], Server]]:
    cpus = cfg.server_cpus
    systems: list[Callable[[], Server]] = [
        lambda: start_agentd(procs, False, cfg.data_root, cpus),
        lambda: start_agentd(procs, True, cfg.data_root, cpus),
    ]
    if not cfg.etcd:
        return systems
    binary, note = ensure_etcd(cfg.install)
    if note:
        cfg.notes.append(note)
    if binary is None:
        print(f"==> skipping etcd: {note}", flush=True)
        return systems
    systems.append(lambda: start_etcd(procs, binary, cfg.data_root, "etcd", "etcd disk", cpus))
    if cfg.etcd_tmpfs and fs_type("/dev/shm") == "tmpfs":
        systems.append(
            lambda: start_etcd(procs, binary, "/dev/shm", "etcd-tmpfs", "etcd tmpfs", cpus)
        )
    return systems


def run(procs: Procs, cfg: KVConfig) -> dict[str, Any]:
    cells: list[dict[str, Any]] = []
    servers: dict[str, dict[str, Any]] = {}
    for start in _systems(procs, cfg):
        server = start()
        servers[server.name] = {"label": server.label, **server.info}
        print(f"==> {server.label} on port {server.port} (pid {server.pid})", flush=True)
        try:
            prefill(procs, server, cfg)
            for op in OPS:
                for conns in cfg.concurrency:
                    cell = run_cell(procs, server, cfg, op, conns)
                    if server.proc.poll() is not None:
                        raise RuntimeError(f"{server.label} exited during {op} x{conns}")
                    cells.append(cell)
                    print(
                        f"    {op.upper()} x{conns}: {cell['rps']:,.0f} req/s "
                        f"(trials {cell['rps_min']:,.0f}..{cell['rps_max']:,.0f}), "
                        f"p50 {cell['p50_ms']:.3f} ms, p99 {cell['p99_ms']:.3f} ms, "
                        f"errors {cell['errors']}, other load {cell['other_cpu_pct']:.0f}%, "
                        f"{cell['discarded']} trial(s) redone",
                        flush=True,
                    )
        finally:
            procs.discard(server)
    config = {k: v for k, v in cfg.__dict__.items() if k != "notes"}
    return {"config": config, "servers": servers, "cells": cells, "notes": cfg.notes}


def render(result: dict[str, Any]) -> str:
    cells = result["cells"]
    names = list(result["servers"])
    labels = [result["servers"][n]["label"] for n in names]
    by = {(c["system"], c["op"], c["clients"]): c for c in cells}
    cfg = result["config"]
    rows = []
    for op in OPS:
        for conns in cfg["concurrency"]:
            row = [op.upper(), str(conns)]
            for n in names:
                c = by.get((n, op, conns))
                row.append(f"{c['rps']:,.0f}/s {c['p50_ms']:.2f}/{c['p99_ms']:.2f}" if c else "-")
            rows.append(row)
    summary = table(
        ["op", "clients", *labels],
        rows,
        f"KV req/s and p50/p99 latency in ms ({cfg['value_size']}-byte values, {cfg['keys']} "
        f"keys, keep-alive; median of {cfg['trials']} x {cfg['duration']:g} s)",
    )
    detail_rows = [
        [
            c["op"].upper(),
            str(c["clients"]),
            result["servers"][c["system"]]["label"] + (" (!)" if c["disturbed"] else ""),
            f"{c['rps']:,.0f}",
            f"{c['rps_min']:,.0f}-{c['rps_max']:,.0f}",
            f"{c['p50_ms']:.3f}",
            f"{c['p90_ms']:.3f}",
            f"{c['p99_ms']:.3f}",
            f"{c['max_ms']:.1f}",
            f"{c['server_cpu_pct']:.0f}%",
            f"{c['gen_cpu_pct']:.0f}%",
            f"{c['other_cpu_pct']:.0f}%",
            str(c["discarded"]),
            str(c["errors"]),
        ]
        for c in cells
    ]
    detail = table(
        ["op", "clients", "system", "req/s", "trials", "p50 ms", "p90 ms", "p99 ms", "max ms",
         "server CPU", "loadgen CPU", "other CPU", "redone", "errors"],
        detail_rows,
        "Details (CPU in % of one core over the reported trial; other = the rest of the machine; "
        "redone = trials discarded for other load; (!) = too few quiet trials, least disturbed "
        "used)",
    )  # fmt: skip
    notes = []
    if cfg.get("server_cpus"):
        notes.append(
            f"Pinned: servers on CPU {cfg['server_cpus']}, load generator on CPU {cfg['gen_cpus']}."
        )
    fs = ", ".join(
        f"{s['label']} {s['data_fs']}" for s in result["servers"].values() if "data_fs" in s
    )
    if fs:
        notes.append(f"Data directories: {fs}.")
    return summary + "\n\n" + detail + ("\n\n" + " ".join(notes) if notes else "")
