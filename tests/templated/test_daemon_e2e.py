"""templated as a daemon against a live agent: changes, quiescence, reloads, signals, dedup."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.agents import AgentThread, wait_for
from tests.templated.proxy import CountingProxy
from tests.templated.runner import KV, Templated, lines, read, wait_text


def test_kv_change_updates_the_file_and_runs_the_command_once_per_burst(
    tpl: Templated, kv: KV, tmp_path: Path
) -> None:
    kv.put("app/version", "1")
    (tmp_path / "t.tmpl").write_text('version={{ key "app/version" }}\n')
    proc = tpl.start("-template", "t.tmpl:out:echo ran >> runs.log", "-wait", "400ms:5s")
    out = tmp_path / "out"
    wait_text(out, "version=1\n")
    wait_for(lambda: lines(tmp_path / "runs.log") == ["ran"])  # the first render is immediate
    for n in range(2, 7):  # a burst, each change within the quiescence window
        kv.put("app/version", str(n))
        time.sleep(0.05)
    wait_text(out, "version=6\n")
    time.sleep(0.6)
    assert lines(tmp_path / "runs.log") == ["ran", "ran"]
    kv.put("app/version", "6")  # same data: no render, no command
    kv.put("app/other", "x")  # another key: not a dependency
    time.sleep(0.8)
    assert lines(tmp_path / "runs.log") == ["ran", "ran"]
    assert proc.poll() is None


def test_max_wait_bounds_a_continuous_stream(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("n", "0")
    (tmp_path / "t.tmpl").write_text('{{ key "n" }}')
    tpl.start("-template", "t.tmpl:out", "-wait", "300ms:1s")
    wait_text(tmp_path / "out", "0")
    start = time.monotonic()
    n = 0
    while read(tmp_path / "out") == "0" and time.monotonic() - start < 5:
        n += 1
        kv.put("n", str(n))  # never quiet for 300 ms
        time.sleep(0.1)
    assert read(tmp_path / "out") != "0"
    assert time.monotonic() - start < 2.0


def test_deleted_key_holds_the_file_then_recovers(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("a", "1")
    (tmp_path / "t.tmpl").write_text('{{ key "a" }}')
    proc = tpl.start("-template", "t.tmpl:out")
    wait_text(tmp_path / "out", "1")
    kv.delete("a")
    time.sleep(0.5)
    assert read(tmp_path / "out") == "1" and proc.poll() is None
    kv.put("a", "2")
    wait_text(tmp_path / "out", "2")


def test_template_file_change_rerenders(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("a", "1")
    kv.put("b", "2")
    source = tmp_path / "t.tmpl"
    source.write_text('a={{ key "a" }}')
    tpl.start("-template", "t.tmpl:out")
    wait_text(tmp_path / "out", "a=1")
    source.write_text('a={{ key "a" }} b={{ key "b" }}')
    wait_text(tmp_path / "out", "a=1 b=2")
    source.write_text("{{ if }}")  # broken: logged, the last good config keeps running
    time.sleep(0.5)
    kv.put("a", "3")
    wait_text(tmp_path / "out", "a=3 b=2")


def test_sighup_reloads_config(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("a", "x")
    (tmp_path / "t.tmpl").write_text('{{ key "a" }}')
    config = tmp_path / "c.hcl"
    config.write_text('template {\n  source = "t.tmpl"\n  destination = "one"\n}\n')
    proc = tpl.start("-config", "c.hcl", "-watch-files=false")
    wait_text(tmp_path / "one", "x")
    config.write_text('template {\n  source = "t.tmpl"\n  destination = "two"\n}\n')
    time.sleep(0.3)
    assert not (tmp_path / "two").exists()  # -watch-files=false: only the signal reloads
    proc.send_signal(signal.SIGHUP)
    wait_text(tmp_path / "two", "x")
    assert proc.poll() is None


def test_kill_signals_exit_12(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    (tmp_path / "t.tmpl").write_text('{{ key "never" }}')
    pid_file = tmp_path / "templated.pid"
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = tpl.start("-template", "t.tmpl:out", "-pid-file", str(pid_file))
        wait_for(lambda p=proc: read(pid_file).strip() == str(p.pid))
        proc.send_signal(sig)
        assert proc.wait(10) == 12
        assert not pid_file.exists()


def test_waiting_is_never_silent(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    (tmp_path / "t.tmpl").write_text('{{ key "late" }}')
    proc = tpl.start("-template", "t.tmpl:out", "-missing-timeout", "700ms")
    assert proc.wait(10) == 16
    assert proc.stderr is not None and "kv.get(late)" in proc.stderr.read()


def test_dedup_one_query_per_distinct_key(agent: AgentThread, kv: KV, tmp_path: Path) -> None:
    for i in range(5):
        kv.put(f"shared/k{i}", f"v{i}")
    proxy = CountingProxy(agent.http_addr).start()
    tpl = Templated(proxy.addr, tmp_path)
    try:
        args: list[str] = []
        for t in range(20):
            # Every template uses every key, through different functions.
            body = "".join(
                f'{{{{ key "shared/k{i}" }}}}{{{{ keyOrDefault "shared/k{i}" "" }}}}'
                for i in range(5)
            )
            (tmp_path / f"t{t}.tmpl").write_text(body + f"-{t}")
            args += ["-template", f"t{t}.tmpl:out{t}"]
        tpl.start(*args)
        for t in range(20):
            wait_text(tmp_path / f"out{t}", "v0v0v1v1v2v2v3v3v4v4" + f"-{t}")
        # Per key: the first read, then one long-poll that stays open.
        wait_for(lambda: proxy.total_requests == 10)
        time.sleep(0.3)
        paths = proxy.paths()
        assert paths == {f"/v1/kv/shared/k{i}": 2 for i in range(5)}
        assert proxy.connections <= 5
        kv.put("shared/k3", "new")
        for t in range(20):
            wait_text(tmp_path / f"out{t}", "v0v0v1v1v2v2newnewv4v4" + f"-{t}")
        wait_for(lambda: proxy.total_requests == 11)
        time.sleep(0.3)
        assert proxy.paths()["/v1/kv/shared/k3"] == 3 and proxy.total_requests == 11
    finally:
        tpl.close()
        proxy.stop()
