"""Load-generator worker: a raw-socket HTTP/1.1 keep-alive client on asyncio (uvloop if present).

Run by ``run.py`` as a separate process (``python bench/loadgen.py``) with a JSON spec on stdin; it
talks back in JSON lines on stdout. Two modes:

``kv``
    ``conns`` keep-alive connections, each a closed loop (send, wait for the answer, send the
    next) driven entirely from ``data_received`` callbacks: no coroutine, future or task per
    request. Requests are pre-built bytes (one per key), picked in a shuffled order. The worker
    runs unmeasured until told ``go`` on stdin (prints ``{"event": "warm"}`` once its warm-up time
    has passed), then measures for ``duration`` seconds and prints the latencies of requests both
    sent and answered inside that window, its own CPU time, and the error count; the load keeps
    running between trials, and each further ``go`` measures another trial (anything else ends).

``fanout``
    opens ``count`` connections gradually (at most ``parallel`` connects in flight, at most
    ``rate`` new connections a second), sends one request on each (a blocking query), prints
    ``{"event": "sent"}``, then records the CLOCK_MONOTONIC time each answer arrives and prints
    them once all have arrived (or ``timeout`` passes).

Every loop is bounded by a deadline, and the worker exits if its parent goes away.
"""

from __future__ import annotations

import array
import asyncio
import base64
import json
import os
import random
import resource
import sys
import time
from typing import Any

now_ns = time.monotonic_ns  # CLOCK_MONOTONIC: comparable across processes


# ---- HTTP/1.1 response framing ---------------------------------------------------------------


def parse_response(buf: bytearray) -> tuple[int, bytes, int] | None:
    """One complete response at the start of ``buf``: (status, lower-cased head, its length)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).lower()
    status = int(head[9:12])
    start = end + 4
    i = head.find(b"\r\ncontent-length:")
    if i >= 0:
        j = head.find(b"\r\n", i + 17)
        total = start + int(head[i + 17 : j if j >= 0 else len(head)])
        return (status, head, total) if len(buf) >= total else None
    if b"\r\ntransfer-encoding: chunked" in head:
        pos = start
        while True:  # bounded by the buffer: every step moves past at least 5 bytes
            k = buf.find(b"\r\n", pos)
            if k < 0:
                return None
            size = int(bytes(buf[pos:k]).split(b";")[0], 16)
            pos = k + 2 + size + 2
            if len(buf) < pos:
                return None
            if size == 0:
                return status, head, pos
    return status, head, start  # no body (204, 304, or a server that closes)


def header(head: bytes, name: bytes) -> bytes | None:
    i = head.find(b"\r\n" + name + b":")
    if i < 0:
        return None
    j = head.find(b"\r\n", i + 2)
    return head[i + len(name) + 3 : j if j >= 0 else len(head)].strip()


# ---- requests ----------------------------------------------------------------------------------


def value_bytes(size: int) -> bytes:
    rng = random.Random(42)
    return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))


def key_name(i: int) -> str:
    return f"bench/k{i:04d}"


def build_requests(spec: dict[str, Any]) -> list[bytes]:
    """One request per key for ``spec['op']`` ('get' or 'put') in the server's dialect."""
    host = f"{spec['host']}:{spec['port']}".encode()
    value = value_bytes(spec["value_size"])
    out = []
    for i in range(spec["keys"]):
        key = key_name(i)
        if spec["kind"] == "consul":
            path = f"/v1/kv/{key}".encode()
            if spec["op"] == "get":
                out.append(b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
                continue
            method, body = b"PUT ", value
        else:  # etcd's v3 JSON gateway
            k64 = base64.b64encode(key.encode()).decode()
            doc: dict[str, Any] = {"key": k64}
            if spec["op"] == "get" and spec.get("etcd_serializable"):
                doc["serializable"] = True  # local read, no ReadIndex round through raft
            if spec["op"] == "put":
                doc["value"] = base64.b64encode(value).decode()
            verb = "range" if spec["op"] == "get" else "put"
            method, body = b"POST ", json.dumps(doc).encode()
            path = f"{spec['etcd_prefix']}/kv/{verb}".encode()
        out.append(
            method + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: application/json"
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
    return out


# ---- kv mode -----------------------------------------------------------------------------------


class KVLoad:
    """Shared state of the closed loops; connections call ``send`` and ``complete``."""

    ORDER = 1 << 14

    def __init__(self, requests: list[bytes], once: bool = False) -> None:
        self.requests = requests
        rng = random.Random(7)
        self.order = [rng.randrange(len(requests)) for _ in range(self.ORDER)]
        self.once = once  # send each request exactly once (prefill), then stop
        self.next_once = 0
        self.pending = 0
        self.running = True
        self.measuring = False
        self.t0 = 0
        self.t_end = 1 << 62
        self.latencies = array.array("q")
        self.errors = 0
        self.unmeasured = 0
        self.lost = 0
        self.idle = asyncio.Event()

    def send(self, conn: KVConn) -> None:
        if not self.running or conn.transport is None or conn.transport.is_closing():
            return
        if self.once:
            if self.next_once >= len(self.requests):
                return
            req = self.requests[self.next_once]
            self.next_once += 1
        else:
            conn.seq += 1
            req = self.requests[self.order[(conn.offset + conn.seq) & (self.ORDER - 1)]]
        self.pending += 1
        conn.inflight = True
        conn.sent_at = now_ns()
        conn.transport.write(req)

    def complete(self, conn: KVConn, status: int) -> None:
        t = now_ns()
        self.pending -= 1
        conn.inflight = False
        if self.measuring and conn.sent_at >= self.t0 and t <= self.t_end:
            if 200 <= status < 300:
                self.latencies.append(t - conn.sent_at)
            else:
                self.errors += 1
        elif not 200 <= status < 300:
            self.unmeasured += 1
        self.send(conn)
        if self.pending == 0:
            self.idle.set()


class KVConn(asyncio.Protocol):
    def __init__(self, load: KVLoad, offset: int) -> None:
        self.load = load
        self.offset = offset
        self.seq = 0
        self.sent_at = 0
        self.inflight = False
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        while buf:
            parsed = parse_response(buf)
            if parsed is None:
                return
            status, _, used = parsed
            del buf[:used]
            self.load.complete(self, status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.load.running:
            self.load.lost += 1
        if self.inflight:
            self.inflight = False
            self.load.pending -= 1
            if self.load.pending <= 0:
                self.load.idle.set()


async def _stdin_line() -> str:
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


async def kv_main(spec: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    requests = build_requests(spec)
    once = bool(spec.get("prefill"))
    load = KVLoad(requests, once=once)
    conns = []
    for i in range(spec["conns"]):
        offset = (i * 7919 + spec.get("worker", 0) * 104729) % KVLoad.ORDER
        _, conn = await asyncio.wait_for(
            loop.create_connection(lambda o=offset: KVConn(load, o), spec["host"], spec["port"]),
            10,
        )
        conns.append(conn)
    for conn in conns:
        load.send(conn)
    if once:
        await asyncio.wait_for(load.idle.wait(), spec.get("timeout", 120))
        emit({"event": "done", "sent": load.next_once, "errors": load.unmeasured})
        return
    await asyncio.sleep(spec["warmup"])
    emit({"event": "warm"})
    for _ in range(100):  # one measured trial per "go"; bounded
        line = await asyncio.wait_for(_stdin_line(), 300)
        if line.strip() != "go":
            break
        emit(await _trial(load, spec["duration"]))
    load.running = False
    for conn in conns:
        if conn.transport is not None:
            conn.transport.close()


async def _trial(load: KVLoad, duration: float) -> dict[str, Any]:
    load.latencies = array.array("q")
    load.errors = 0  # lost connections stay counted: they are gone for later trials
    cpu0, load.t0 = cpu_seconds(), now_ns()
    load.t_end = 1 << 62
    load.measuring = True
    await asyncio.sleep(duration)
    load.t_end = now_ns()
    load.measuring = False
    cpu = cpu_seconds() - cpu0
    return {
        "event": "result",
        "wall": (load.t_end - load.t0) / 1e9,
        "cpu": cpu,
        "errors": load.errors + load.lost,
        "latencies_ns": base64.b64encode(load.latencies.tobytes()).decode(),
    }


# ---- fanout mode -------------------------------------------------------------------------------


class FanConn(asyncio.Protocol):
    def __init__(self, fan: Fanout) -> None:
        self.fan = fan
        self.buf = bytearray()
        self.done = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.buf += data
        parsed = parse_response(self.buf)
        if parsed is None:
            return
        status, head, _ = parsed
        self.done = True
        index = header(head, b"x-consul-index")
        self.fan.answered(status, int(index) if index and index.isdigit() else 0)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done:
            self.done = True
            self.fan.answered(-1, 0)


class Fanout:
    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.times = array.array("q")
        self.statuses: dict[int, int] = {}
        self.min_index = 1 << 62
        self.all_done = asyncio.Event()

    def answered(self, status: int, index: int) -> None:
        self.times.append(now_ns())
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            self.min_index = min(self.min_index, index)
        if len(self.times) >= self.expected:
            self.all_done.set()


async def fan_main(spec: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    host, port, count = spec["host"], spec["port"], spec["count"]
    request = f"GET {spec['path']} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    fan = Fanout(count)
    conns: list[FanConn] = []
    failures = 0
    sem = asyncio.Semaphore(spec.get("parallel", 64))

    async def open_one() -> None:
        nonlocal failures
        for attempt in range(6):
            async with sem:
                try:
                    transport, conn = await asyncio.wait_for(
                        loop.create_connection(lambda: FanConn(fan), host, port), 10
                    )
                except (OSError, TimeoutError):
                    pass
                else:
                    transport.write(request)
                    conns.append(conn)
                    return
            await asyncio.sleep(0.05 * 2**attempt)
        failures += 1

    rate = spec.get("rate", 5000)
    tasks = []
    started = time.monotonic()
    for i in range(count):
        tasks.append(asyncio.create_task(open_one()))
        ahead = i / rate - (time.monotonic() - started)
        if ahead > 0:
            await asyncio.sleep(ahead)
    await asyncio.wait_for(asyncio.gather(*tasks), spec.get("timeout", 120))
    fan.expected = len(conns)
    early = len(fan.times)
    emit({"event": "sent", "sent": len(conns), "failed": failures, "answered_early": early})
    cpu0 = cpu_seconds()
    try:
        await asyncio.wait_for(fan.all_done.wait(), spec.get("timeout", 120))
    except TimeoutError:
        pass
    emit(
        {
            "event": "result",
            "times_ns": list(fan.times),
            "statuses": {str(k): v for k, v in fan.statuses.items()},
            "min_index": fan.min_index if fan.min_index < 1 << 62 else 0,
            "cpu_after_sent": cpu_seconds() - cpu0,
        }
    )
    for conn in conns:
        if conn.transport is not None:
            conn.transport.close()


# ---- process plumbing --------------------------------------------------------------------------


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def _watch_parent(parent: int) -> None:
    while True:  # ends with the process
        await asyncio.sleep(1)
        if os.getppid() != parent:
            os._exit(3)


async def main(spec: dict[str, Any]) -> None:
    watchdog = asyncio.create_task(_watch_parent(os.getppid()))
    try:
        job = kv_main(spec) if spec["mode"] == "kv" else fan_main(spec)
        await asyncio.wait_for(job, spec.get("deadline", 600))
    finally:
        watchdog.cancel()


if __name__ == "__main__":
    raise_nofile()
    spec = json.loads(sys.stdin.readline())
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(spec))
    else:
        uvloop.run(main(spec))
    sys.stdout.flush()
    os._exit(0)  # don't wait for the stdin reader thread
