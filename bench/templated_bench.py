"""templated benchmark: KV write -> file replaced latency, and the load 100 templates put on the
agent. ``python bench/templated_bench.py [--samples 50] [--templates 100] [--keys 10]``

Starts ``agentd -dev`` (a separate process) and ``templated`` daemons (separate processes), and
a counting TCP proxy (in this process) between templated and the agent for the load section.

1. **latency**: one template of one key; for each sample, PUT a new value and poll the
   destination (every 0.5 ms) until it holds it. Reports p50/p90/p99/max in ms.
2. **sharing**: ``--templates`` templates, each using all ``--keys`` keys, rendered by one
   templated through the proxy. Reports the connections and requests the agent saw until every
   file was rendered, then after one key changes (requests, and the time until all the files
   were replaced).

Every process started is stopped on exit (see ``servers.Procs``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from servers import Procs, Server, child_env, start_agentd

from tests.templated.proxy import CountingProxy


def put(server: Server, key: str, value: str) -> None:
    status, _, body = server.request("PUT", f"/v1/kv/{key}", value.encode())
    if status != 200 or body.strip() != b"true":
        raise RuntimeError(f"PUT {key}: {status} {body!r}")


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def wait_until(predicate: object, timeout: float, poll: float = 0.0005) -> float:
    """Seconds until ``predicate()`` is true; RuntimeError past ``timeout``."""
    start = time.perf_counter()
    while not predicate():  # type: ignore[operator]
        if time.perf_counter() - start > timeout:
            raise RuntimeError("timed out waiting for templated")
        time.sleep(poll)
    return time.perf_counter() - start


def templated(procs: Procs, addr: str, workdir: str, args: list[str]) -> subprocess.Popen[bytes]:
    env = child_env()
    env["CONSUL_HTTP_ADDR"] = addr
    log = open(Path(workdir) / "templated.log", "wb")  # noqa: SIM115 - closed by Procs.stop
    argv = [sys.executable, "-m", "templated", "-watch-files=false", *args]
    return procs.spawn(argv, None, cwd=workdir, env=env, stdout=log, stderr=log)


def latency(procs: Procs, agent: Server, samples: int) -> dict[str, float]:
    work = Path(procs.tempdir("cnsl-bench-templated-"))
    (work / "t.tmpl").write_text('{{ key "bench/latency" }}')
    put(agent, "bench/latency", "v0")
    templated(procs, f"127.0.0.1:{agent.port}", str(work), ["-template", "t.tmpl:out"])
    out = work / "out"
    wait_until(lambda: read(out) == "v0", 30)
    times = []
    for i in range(1, samples + 1):
        time.sleep(0.2)  # let the next long-poll be in place, as in steady state
        value = f"v{i}"
        start = time.perf_counter()
        put(agent, "bench/latency", value)
        wait_until(lambda v=value: read(out) == v, 10)  # type: ignore[misc]
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "samples": samples,
        "p50_ms": statistics.median(times),
        "p90_ms": times[int(0.9 * (len(times) - 1))],
        "p99_ms": times[int(0.99 * (len(times) - 1))],
        "max_ms": times[-1],
    }


def sharing(procs: Procs, agent: Server, templates: int, keys: int) -> dict[str, float]:
    work = Path(procs.tempdir("cnsl-bench-templated-"))
    for k in range(keys):
        put(agent, f"bench/shared/k{k}", "a")
    body = "".join(f'{{{{ key "bench/shared/k{k}" }}}},' for k in range(keys))
    args: list[str] = []
    for t in range(templates):
        (work / f"t{t}.tmpl").write_text(body + str(t))
        args += ["-template", f"t{t}.tmpl:out{t}"]
    proxy = CountingProxy(f"127.0.0.1:{agent.port}").start()
    try:
        start = time.perf_counter()
        templated(procs, proxy.addr, str(work), args)
        first = "a," * keys
        outs = [work / f"out{t}" for t in range(templates)]
        wait_until(lambda: all(read(o) == first + str(t) for t, o in enumerate(outs)), 60, 0.01)
        initial_s = time.perf_counter() - start
        time.sleep(1.0)  # the long-polls are in place
        connections, requests = proxy.connections, proxy.total_requests
        start = time.perf_counter()
        put(agent, "bench/shared/k0", "b")
        changed = "b," + "a," * (keys - 1)
        wait_until(lambda: all(read(o) == changed + str(t) for t, o in enumerate(outs)), 60)
        update_ms = (time.perf_counter() - start) * 1000
        time.sleep(1.0)
        return {
            "templates": templates,
            "keys": keys,
            "initial_render_s": initial_s,
            "connections": connections,
            "requests_until_rendered": requests,
            "requests_per_key": dict(proxy.paths()).get("/v1/kv/bench/shared/k1", 0),
            "update_all_files_ms": update_ms,
            "requests_for_one_change": proxy.total_requests - requests,
            "connections_after_change": proxy.connections,
        }
    finally:
        proxy.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--out", help="write the numbers here as JSON")
    opts = parser.parse_args()
    with Procs() as procs:
        agent = start_agentd(procs, durable=False, data_root=tempfile.gettempdir())
        lat = latency(procs, agent, opts.samples)
        share = sharing(procs, agent, opts.templates, opts.keys)
    print("## templated\n")
    print("| KV write -> file replaced | p50 | p90 | p99 | max |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| {lat['samples']} samples, 1 template | {lat['p50_ms']:.1f} ms | {lat['p90_ms']:.1f} ms"
        f" | {lat['p99_ms']:.1f} ms | {lat['max_ms']:.1f} ms |"
    )
    print()
    print(f"{share['templates']} templates sharing {share['keys']} keys (one templated):\n")
    print("| what the agent saw | value |")
    print("| --- | --- |")
    rows = [
        ("HTTP connections", f"{share['connections']}"),
        ("requests until every file was rendered", f"{share['requests_until_rendered']}"),
        ("requests per key (first read + held long-poll)", f"{share['requests_per_key']}"),
        ("requests caused by one key change", f"{share['requests_for_one_change']}"),
        ("first render of all files", f"{share['initial_render_s']:.2f} s"),
        ("one key change -> all files replaced", f"{share['update_all_files_ms']:.0f} ms"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    if opts.out:
        Path(opts.out).write_text(json.dumps({"latency": lat, "sharing": share}, indent=2))


if __name__ == "__main__":
    main()
