"""agentd as users run it: a child process, killed, restarted, signalled, misconfigured."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.agents import ROOT, AgentProcess, wait_for


def durable(data_dir: Path, *extra: str) -> AgentProcess:
    return AgentProcess(
        "-server",
        "-bootstrap",
        "-data-dir",
        str(data_dir),
        "-node",
        "n1",
        "-http-port",
        "0",
        "-dns-port",
        "-1",
        "-log-level",
        "info",
        *extra,
    )


def _writer(url: str, prefix: str, stop: threading.Event, acked: dict[str, str]) -> None:
    n = 0
    with httpx.Client(base_url=url, timeout=10) as c:
        while not stop.is_set():
            key, value = f"{prefix}/{n}", f"{prefix}-{n}"
            try:
                r = c.put(f"/v1/kv/{key}", content=value.encode())
            except httpx.HTTPError:
                return  # the agent died mid-request: not acknowledged
            if r.status_code == 200 and r.text == "true":
                acked[key] = value
            n += 1


def test_every_acknowledged_write_survives_sigkill(tmp_path: Path) -> None:
    acked: dict[str, str] = {}
    for round_ in range(3):
        agent = durable(tmp_path).start()
        stop = threading.Event()

        threads = [
            threading.Thread(target=_writer, args=(agent.url, f"r{round_}/w{i}", stop, acked))
            for i in range(16)
        ]
        for t in threads:
            t.start()
        prefix = f"r{round_}/"
        wait_for(lambda p=prefix: sum(k.startswith(p) for k in list(acked)) > 300, 20)
        agent.signal(signal.SIGKILL)
        agent.wait()
        stop.set()
        for t in threads:
            t.join(10)

    agent = durable(tmp_path).start()
    try:
        r = httpx.get(agent.url + "/v1/kv/?recurse", timeout=30)
        stored = {p["Key"]: p["Value"] for p in r.json()}
        import base64

        missing = [
            k for k, v in acked.items() if base64.b64decode(stored.get(k) or "") != v.encode()
        ]
        assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
        assert len(acked) > 900
    finally:
        agent.stop()


def test_sigterm_is_a_clean_shutdown_and_state_persists(tmp_path: Path) -> None:
    agent = durable(tmp_path).start()
    assert httpx.put(agent.url + "/v1/kv/keep", content=b"me").text == "true"
    index = int(httpx.get(agent.url + "/v1/kv/keep").headers["X-Consul-Index"])
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0
    assert "agent: stopped" in "".join(agent.lines)
    agent = durable(tmp_path).start()
    try:
        r = httpx.get(agent.url + "/v1/kv/keep")
        assert r.json()[0]["Value"] == "bWU="
        assert int(r.headers["X-Consul-Index"]) == index
        assert httpx.put(agent.url + "/v1/kv/next", content=b"1").text == "true"
        assert int(httpx.get(agent.url + "/v1/kv/next").headers["X-Consul-Index"]) > index
    finally:
        agent.stop()


def test_sighup_reloads_the_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "agent.hcl"
    cfg.write_text('log_level = "info"\n')
    agent = durable(tmp_path / "data", "-config-file", str(cfg)).start()
    try:
        cfg.write_text('log_level = "debug"\n')
        agent.signal(signal.SIGHUP)
        wait_for(lambda: "configuration reloaded" in "".join(agent.lines), 10)
        httpx.get(agent.url + "/v1/status/leader")
        assert agent.proc is not None and agent.proc.poll() is None
        cfg.write_text('log_level = "nonsense"\n')
        agent.signal(signal.SIGHUP)
        wait_for(lambda: "reload failed" in "".join(agent.lines), 10)
        assert httpx.get(agent.url + "/v1/status/leader").status_code == 200
    finally:
        agent.stop()


def test_tcp_and_unix_socket_serve_the_same_api(tmp_path: Path) -> None:
    sock = tmp_path / "agent.sock"
    agent = AgentProcess(
        "-dev",
        "-node",
        "n1",
        "-http-port",
        "0",
        "-dns-port",
        "-1",
        "-log-level",
        "info",
        "-hcl",
        f'addresses {{ http = "127.0.0.1 unix://{sock}" }}',
    ).start()
    try:
        assert f"unix://{sock}" in agent.addrs
        assert httpx.put(agent.url + "/v1/kv/both", content=b"x").text == "true\n"
        transport = httpx.HTTPTransport(uds=str(sock))
        with httpx.Client(transport=transport, base_url="http://agent") as c:
            assert c.get("/v1/kv/both").json()[0]["Key"] == "both"
    finally:
        agent.stop()


def run_agentd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentd", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )


def test_bad_flags_and_config_fail_start_up_clearly(tmp_path: Path) -> None:
    r = run_agentd("-dev", "-no-such-flag")
    assert r.returncode == 2 and "flag provided but not defined: -no-such-flag" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"ports": {"http": "abc"}}')
    r = run_agentd("-dev", "-config-file", str(bad))
    assert r.returncode == 1 and "ports.http" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_agentd("-server")
    assert r.returncode == 1 and "data_dir" in r.stderr


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_agentd("-dev", "-http-port", str(port), "-dns-port", "-1")
    assert r.returncode == 1 and "Error starting agent" in r.stderr
    assert "Traceback" not in r.stderr


def test_startup_is_quick(tmp_path: Path) -> None:
    start = time.monotonic()
    agent = durable(tmp_path).start()
    agent.stop()
    assert time.monotonic() - start < 15


def test_help_prints_the_usage() -> None:
    r = run_agentd("-h")
    assert r.returncode == 0 and "Usage: agentd" in r.stderr and "-data-dir" in r.stderr
