"""Section 2: blocking-query fan-out on agentd -dev.

For each (clients, target) scenario a fresh agent is started, so that its RSS baseline is clean:

1. PUT the watched key, run a few hundred ordinary requests (warms code paths and allocator),
   read the key's ``X-Consul-Index`` N, and read the agent's VmRSS (baseline).
2. Loadgen workers open the connections gradually and send ``GET <target>?index=N&wait=...``
   on each (``/v1/kv/fan/key`` or ``/v1/kv/fan/?recurse``).
3. Blocked = the kernel shows ``clients`` established connections on the agent's port with no
   unread bytes (the agent has read every request), and the agent's CPU has gone idle (it has
   finished registering the watches). Then VmRSS again (blocked), and a wait (at most 30 s) until
   other processes on the machine use less than 15% of a core.
4. One PUT to ``fan/key`` on a separate, already open connection; the time from the PUT's
   acknowledgement (and from its send) to each client's answer is measured on CLOCK_MONOTONIC,
   which all processes share.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any

from common import Worker, percentile, split, table
from servers import (
    Procs,
    Server,
    cpu_seconds,
    rss_kb,
    server_sockets,
    start_agentd,
    wait_quiet,
)

TARGETS = {"key": "/v1/kv/fan/key", "prefix": "/v1/kv/fan/?recurse"}


@dataclass
class FanConfig:
    sizes: tuple[int, ...] = (1000, 10000)
    per_worker: int = 2500  # connections per loadgen process (at most 4 processes)
    rate: int = 4000  # new connections per second, all workers together
    wait: str = "300s"
    timeout: float = 120.0  # for each phase: connecting, settling, answers
    server_cpus: list[int] | None = None
    gen_cpus: list[int] | None = None


def _wait_blocked(server: Server, count: int, timeout: float) -> float:
    """Wait until ``count`` connections are established and read and the agent is idle."""
    start = time.monotonic()
    deadline = start + timeout
    idle_since: float | None = None
    last_cpu = cpu_seconds(server.pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        conns, unread = server_sockets(server.port)
        cpu = cpu_seconds(server.pid)
        busy = cpu - last_cpu > 0.01  # more than 5% of a core over the last 0.2 s
        last_cpu = cpu
        if conns >= count and unread == 0 and not busy:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= 0.6:
                return time.monotonic() - start
        else:
            idle_since = None
    conns, unread = server_sockets(server.port)
    raise TimeoutError(f"not all blocked after {timeout:.0f} s: {conns}/{count} conns, {unread} B")


def scenario(procs: Procs, cfg: FanConfig, clients: int, target: str) -> dict[str, Any]:
    server = start_agentd(procs, False, None, cfg.server_cpus)
    workers: list[Worker] = []
    try:
        status, headers, _ = server.request("PUT", "/v1/kv/fan/key", b"v0")
        assert status == 200, status
        for i in range(300):  # warm-up: the same kinds of requests, answered at once
            server.request("GET", TARGETS[target])
            server.request("PUT", f"/v1/kv/warm/{i % 10}", b"x" * 128)
        server.request("PUT", "/v1/kv/fan/key", b"v0")
        status, headers, _ = server.request("GET", TARGETS[target])
        index = int(headers["x-consul-index"])
        time.sleep(0.5)
        rss_base = rss_kb(server.pid)

        sep = "&" if "?" in TARGETS[target] else "?"
        path = f"{TARGETS[target]}{sep}index={index}&wait={cfg.wait}"
        parts = split(clients, min(4, max(1, -(-clients // cfg.per_worker))))
        t_open = time.monotonic()
        for i, n in enumerate(parts):
            spec = {
                "mode": "fanout",
                "host": server.host,
                "port": server.port,
                "path": path,
                "count": n,
                "rate": max(1, cfg.rate // len(parts)),
                "parallel": 64,
                "timeout": cfg.timeout,
                "deadline": 4 * cfg.timeout,
                "worker": i,
            }
            workers.append(Worker(procs, spec, cfg.gen_cpus))
        sent = [w.expect("sent", cfg.timeout + 30) for w in workers]
        open_s = time.monotonic() - t_open
        n_sent = sum(s["sent"] for s in sent)
        early = sum(s["answered_early"] for s in sent)
        if n_sent != clients or early:
            raise RuntimeError(f"fan-out setup: {sent}")
        settle_s = _wait_blocked(server, clients, cfg.timeout)
        rss_blocked = rss_kb(server.pid)
        waited = wait_quiet([server.pid] + [w.proc.pid for w in workers], 15.0)

        put = http.client.HTTPConnection(server.host, server.port, timeout=30)
        put.connect()
        cpu0 = cpu_seconds(server.pid)
        t_send = time.monotonic_ns()
        put.request("PUT", "/v1/kv/fan/key", b"v1")
        resp = put.getresponse()
        resp.read()
        t_ack = time.monotonic_ns()
        put.close()
        assert resp.status == 200, resp.status
        results = [w.expect("result", cfg.timeout + 30) for w in workers]
        cpu_wake = cpu_seconds(server.pid) - cpu0
    finally:
        for w in workers:
            w.stop()
        procs.discard(server)

    times = sorted(t for r in results for t in r["times_ns"])
    statuses: dict[str, int] = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    from_ack = [(t - t_ack) / 1e6 for t in times]
    return {
        "clients": clients,
        "target": target,
        "path": path,
        "gen_procs": len(parts),
        "answered": len(times),
        "statuses": statuses,
        "stale_answers": sum(1 for r in results if r["min_index"] and r["min_index"] <= index),
        "open_s": open_s,
        "settle_s": settle_s,
        "put_ms": (t_ack - t_send) / 1e6,
        "p50_from_ack_ms": percentile(from_ack, 50),
        "p99_from_ack_ms": percentile(from_ack, 99),
        "last_from_ack_ms": from_ack[-1] if from_ack else float("nan"),
        "last_from_send_ms": (times[-1] - t_send) / 1e6 if times else float("nan"),
        "answered_before_ack": sum(1 for t in times if t < t_ack),
        "agent_cpu_wake_s": cpu_wake,
        "waited_for_quiet_s": waited,
        "rss_base_kb": rss_base,
        "rss_blocked_kb": rss_blocked,
        "rss_per_client_kb": (rss_blocked - rss_base) / clients,
    }


def run(procs: Procs, cfg: FanConfig) -> dict[str, Any]:
    out = []
    for clients in cfg.sizes:
        for target in TARGETS:
            print(f"==> fan-out: {clients} clients blocked on {target}", flush=True)
            r = scenario(procs, cfg, clients, target)
            out.append(r)
            print(
                "    "
                + json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}),
                flush=True,
            )
    return {"config": cfg.__dict__ | {"sizes": list(cfg.sizes)}, "scenarios": out}


def render(result: dict[str, Any]) -> str:
    rows = []
    for r in result["scenarios"]:
        ok = r["statuses"].get("200", 0)
        rows.append(
            [
                f"{r['clients']:,}",
                "one key" if r["target"] == "key" else "prefix ?recurse",
                f"{ok:,}/{r['clients']:,}",
                f"{r['put_ms']:.1f}",
                f"{r['p50_from_ack_ms']:.1f}",
                f"{r['p99_from_ack_ms']:.1f}",
                f"{r['last_from_ack_ms']:.1f}",
                f"{r['agent_cpu_wake_s'] * 1000:.0f}",
                f"{r['rss_base_kb'] / 1024:.1f}",
                f"{r['rss_blocked_kb'] / 1024:.1f}",
                f"{r['rss_per_client_kb']:.1f}",
                f"{r['open_s']:.1f}",
            ]
        )
    return table(
        [
            "clients",
            "watching",
            "200s",
            "PUT ms",
            "p50 ms",
            "p99 ms",
            "last ms",
            "agent CPU ms",
            "RSS before MB",
            "RSS blocked MB",
            "KB/client",
            "open s",
        ],
        rows,
        "Blocking-query fan-out on agentd -dev: one PUT wakes every client "
        "(latencies from the PUT's acknowledgement)",
    )
