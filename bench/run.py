"""Benchmarks for agentd: ``python bench/run.py [--quick]`` (see bench/README.md).

Sections: ``kv`` (GET/PUT throughput and latency vs etcd), ``fanout`` (blocking-query wake-up of
1,000 and 10,000 clients, RSS per blocked client), ``cli`` (``cnsl kv get`` wall time). Prints
Markdown tables and writes everything to ``bench/results/<UTC timestamp>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clitime
import fanout
import kvbench
from servers import Procs, cpu_plan

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("kv", "fanout", "cli")


def _cpu_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over ``seconds`` (from /proc/stat), in percent."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return 100 * (busy1 - busy0) / max(1, total1 - total0)


def machine() -> dict[str, Any]:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "nofile_hard": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
        "loadavg_start": os.getloadavg()[0],
        "cpu_busy_pct_start": round(_cpu_busy(), 1),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short cells, 1,000-client fan-out only")
    p.add_argument("--sections", default=",".join(SECTIONS), help="comma list of: kv,fanout,cli")
    p.add_argument("--duration", type=float, help="seconds measured per KV cell (default 5)")
    p.add_argument("--trials", type=int, help="measured windows per KV cell (default 3)")
    p.add_argument(
        "--max-other",
        type=float,
        default=15.0,
        help="redo a KV trial if other processes used more than this %% of a core (default 15)",
    )
    p.add_argument("--gen-procs", type=int, default=1, help="loadgen processes per KV cell")
    p.add_argument("--no-pin", action="store_true", help="don't pin servers and loadgen to CPUs")
    p.add_argument("--no-etcd", action="store_true", help="leave etcd out of the KV section")
    p.add_argument(
        "--etcd-serializable", action="store_true", help="etcd GETs as serializable reads"
    )
    p.add_argument("--no-install", action="store_true", help="never apt-get install etcd-server")
    p.add_argument("--fanout-sizes", help="comma list of client counts (default 1000,10000)")
    p.add_argument("--cli-runs", type=int, help="runs per command (default 50, at least 30)")
    p.add_argument("--data-root", help="where durable data dirs go (default: $TMPDIR or /tmp)")
    p.add_argument("--out", help="JSON result file (default bench/results/<timestamp>.json)")
    args = p.parse_args(argv)
    args.sections = [s for s in args.sections.split(",") if s]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    started = dt.datetime.now(dt.UTC)
    info = machine()
    if info["cpu_busy_pct_start"] > 10:
        print(
            f"==> WARNING: the machine is already {info['cpu_busy_pct_start']:.0f}% busy; "
            "numbers will be noisy",
            flush=True,
        )
    server_cpus, gen_cpus = cpu_plan(not args.no_pin)
    kv_cfg = kvbench.KVConfig(
        duration=args.duration or (1.5 if args.quick else 5.0),
        warmup=0.5 if args.quick else 1.0,
        trials=args.trials or (1 if args.quick else 3),
        max_other_pct=args.max_other,
        extra_trials=1 if args.quick else 4,
        server_cpus=server_cpus,
        gen_cpus=gen_cpus,
        gen_procs=args.gen_procs,
        etcd=not args.no_etcd,
        etcd_serializable=args.etcd_serializable,
        install=not args.no_install,
        data_root=args.data_root,
    )
    sizes = args.fanout_sizes or ("1000" if args.quick else "1000,10000")
    fan_cfg = fanout.FanConfig(
        sizes=tuple(int(s) for s in sizes.split(",")), server_cpus=server_cpus, gen_cpus=gen_cpus
    )
    cli_runs = max(30, args.cli_runs or (30 if args.quick else 50))

    report: dict[str, Any] = {"started": started.isoformat(), "machine": info, "argv": sys.argv}
    text: list[str] = []
    with Procs() as procs:
        try:
            if "kv" in args.sections:
                report["kv"] = kvbench.run(procs, kv_cfg)
                text.append(kvbench.render(report["kv"]))
            if "fanout" in args.sections:
                report["fanout"] = fanout.run(procs, fan_cfg)
                text.append(fanout.render(report["fanout"]))
            if "cli" in args.sections:
                report["cli"] = clitime.run(procs, cli_runs)
                text.append(clitime.render(report["cli"]))
        except KeyboardInterrupt:
            print("\n==> interrupted; stopping everything", file=sys.stderr)
            return 130
    info["loadavg_end"] = os.getloadavg()[0]
    report["elapsed_s"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)

    head = (
        f"cnsl bench, {started:%Y-%m-%d %H:%M} UTC, {info['nproc']} x {info['cpu_model']}, "
        f"{info['memory_gb']} GB, Linux {info['kernel']}, Python {info['python']}, "
        f"took {report['elapsed_s']:.0f} s"
    )
    print("\n" + head + "\n\n" + "\n\n".join(text) + "\n")
    out = Path(args.out) if args.out else RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"==> results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
