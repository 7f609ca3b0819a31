"""The processes under test (agentd in memory, agentd durable, etcd), their lifetimes, and the
/proc readings the benchmarks take from them (RSS, CPU time, sockets).

Everything started goes through :class:`Procs`, which stops it (SIGTERM, then SIGKILL) and removes
its temporary directories on exit, including on Ctrl-C and errors; children also get SIGTERM from
the kernel if this process dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
AGENT_HCL = "limits { http_max_conns_per_client = 100000 }"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _child_setup(cpus: list[int] | None) -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if cpus:
        os.sched_setaffinity(0, cpus)  # before exec, so every thread (Go's too) inherits it


def cpu_plan(pin: bool) -> tuple[list[int] | None, list[int] | None]:
    """(server CPUs, load-generator CPUs): the generators get the last CPU, the server the rest.

    On 2 cores that is one core each, which keeps the scheduler from putting server and generator
    on the same core some runs and not others (wake-affine placement makes unpinned results
    bimodal). ``pin=False`` or a single CPU: no pinning.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if not pin or len(cpus) < 2:
        return None, None
    return cpus[:-1], cpus[-1:]


def system_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq + steal) / CLK_TCK, steal / CLK_TCK


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if "PYTHONPATH" in env else "")
    return env


class Procs:
    """Owns every process and temporary directory the benchmark creates."""

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[Any]] = []
        self._dirs: list[str] = []

    def spawn(
        self, args: list[str], cpus: list[int] | None = None, **kw: Any
    ) -> subprocess.Popen[Any]:
        proc = subprocess.Popen(args, preexec_fn=lambda: _child_setup(cpus), **kw)
        self._procs.append(proc)
        return proc

    def tempdir(self, prefix: str, root: str | None = None) -> str:
        path = tempfile.mkdtemp(prefix=prefix, dir=root)
        self._dirs.append(path)
        return path

    @staticmethod
    def stop(proc: subprocess.Popen[Any], timeout: float = 5.0) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    def discard(self, server: Server) -> None:
        """Stop ``server`` now and delete its directory (data, log)."""
        self.stop(server.proc)
        if server.workdir in self._dirs:
            self._dirs.remove(server.workdir)
            shutil.rmtree(server.workdir, ignore_errors=True)

    def close(self) -> None:
        while self._procs:
            self.stop(self._procs.pop())
        while self._dirs:
            shutil.rmtree(self._dirs.pop(), ignore_errors=True)

    def __enter__(self) -> Procs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- /proc readings ------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system time of the whole process (all threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def other_load(pids: list[int], seconds: float = 0.5) -> float:
    """CPU used by everything except ``pids`` over the next ``seconds``, in % of one core."""
    c0, (b0, _), t0 = sum(cpu_seconds(p) for p in pids), system_cpu(), time.monotonic()
    time.sleep(seconds)
    c1, (b1, _), t1 = sum(cpu_seconds(p) for p in pids), system_cpu(), time.monotonic()
    return max(0.0, 100 * ((b1 - b0) - (c1 - c0)) / (t1 - t0))


def wait_quiet(pids: list[int], max_pct: float, limit: float = 30.0) -> float:
    """Wait (at most ``limit`` seconds) until other processes use at most ``max_pct`` of a core;
    returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < limit and other_load(pids) > max_pct:
        pass
    return time.monotonic() - start


def server_sockets(port: int) -> tuple[int, int]:
    """(established connections on local ``port``, bytes received but not yet read by the app)."""
    want = f":{port:04X}"
    count = queued = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split(None, 5)
            if parts[3] == "01" and parts[1].endswith(want):
                count += 1
                queued += int(parts[4].split(":")[1], 16)
    return count, queued


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def fs_type(path: str) -> str:
    """The file system ``path`` is on, from /proc/mounts (longest matching mount point)."""
    path = os.path.realpath(path)
    best, kind = "", "?"
    with open("/proc/mounts") as f:
        for line in f:
            _, mnt, typ = line.split()[:3]
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                best, kind = mnt, typ
    return kind


# ---- servers -------------------------------------------------------------------------------


@dataclass
class Server:
    name: str  # short id used in the JSON
    label: str  # what the tables say
    kind: str  # "consul" or "etcd"
    port: int
    proc: subprocess.Popen[Any]
    workdir: str = ""
    info: dict[str, str] = field(default_factory=dict)
    etcd_prefix: str = "/v3"
    host: str = HOST

    @property
    def pid(self) -> int:
        return self.proc.pid

    def request(
        self, method: str, path: str, body: bytes | None = None, timeout: float = 10
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


def _wait_ready(server: Server, probe: tuple[str, str, bytes | None], log: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.label} exited ({server.proc.returncode}); see {log}")
        try:
            if server.request(*probe, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.label} did not become ready in 30 s; see {log}")


def start_agentd(
    procs: Procs, durable: bool, data_root: str | None, cpus: list[int] | None = None
) -> Server:
    port = free_port()
    work = procs.tempdir("cnsl-bench-agentd-", data_root)
    args = [sys.executable, "-m", "agentd"]
    if durable:
        args += ["-server", "-bootstrap", "-data-dir", os.path.join(work, "data")]
    else:
        args += ["-dev"]
    args += ["-node", "bench", "-http-port", str(port), "-dns-port", "-1"]
    args += ["-log-level", "warn", "-hcl", AGENT_HCL]
    log = os.path.join(work, "agentd.log")
    with open(log, "wb") as out:
        proc = procs.spawn(args, cpus, cwd=ROOT, env=child_env(), stdout=out, stderr=out)
    label = "agentd durable" if durable else "agentd -dev"
    name = "agentd-durable" if durable else "agentd-dev"
    server = Server(name, label, "consul", port, proc, work)
    if durable:
        server.info["data_fs"] = fs_type(work)
    _wait_ready(server, ("GET", "/v1/status/leader", None), log)
    return server


def ensure_etcd(install: bool) -> tuple[str | None, str]:
    """The etcd binary, installing Debian's ``etcd-server`` if allowed; (path, note)."""
    path = shutil.which("etcd")
    if path:
        return path, ""
    if not install:
        return None, "etcd not installed (--no-install)"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "etcd not installed and cannot apt-get (not root, or no apt-get)"
    print("==> installing etcd-server with apt-get (one time)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "etcd-server"]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL)
    path = shutil.which("etcd")
    return (path, "installed etcd-server") if path else (None, "apt-get install etcd-server failed")


def start_etcd(
    procs: Procs,
    binary: str,
    data_root: str | None,
    name: str,
    label: str,
    cpus: list[int] | None = None,
) -> Server:
    client, peer = free_port(), free_port()
    work = procs.tempdir("cnsl-bench-etcd-", data_root)
    curl, purl = f"http://{HOST}:{client}", f"http://{HOST}:{peer}"
    args = [binary, "--name", "bench", "--data-dir", os.path.join(work, "data")]
    args += ["--listen-client-urls", curl, "--advertise-client-urls", curl]
    args += ["--listen-peer-urls", purl, "--initial-advertise-peer-urls", purl]
    args += ["--initial-cluster", f"bench={purl}", "--logger", "zap", "--log-level", "error"]
    log = os.path.join(work, "etcd.log")
    with open(log, "wb") as out:
        proc = procs.spawn(args, cpus, cwd=work, stdout=out, stderr=out)
    server = Server(name, label, "etcd", client, proc, work)
    server.info["data_fs"] = fs_type(work)
    _wait_ready(server, ("GET", "/health", None), log)
    # etcd 3.4 serves the gateway at /v3/ and (deprecated) /v3beta/; 3.3 only at /v3beta/
    for prefix in ("/v3", "/v3beta"):
        status = server.request("POST", f"{prefix}/kv/range", b'{"key": "Zm9v"}')[0]
        if status == 200:
            server.etcd_prefix = prefix
            break
    else:
        raise RuntimeError("etcd's JSON gateway answers at neither /v3 nor /v3beta")
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    server.info["version"] = out.split("\n")[0].replace("etcd Version: ", "")
    return server
