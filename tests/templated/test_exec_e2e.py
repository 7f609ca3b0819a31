"""``-exec``: the child starts after the first render, restarts or is signalled after changes,
gets forwarded signals, never outlives templated, and its exit code is templated's."""

from __future__ import annotations

import shutil
import signal
import sys
import time
from pathlib import Path

from tests.agents import wait_for
from tests.procs import alive
from tests.templated.runner import KV, Templated, lines

CHILD = Path(__file__).with_name("child_script.py")


def _events(tmp_path: Path) -> list[list[str]]:
    return [line.split() for line in lines(tmp_path / "events.log")]


def _setup(kv: KV, tmp_path: Path) -> str:
    kv.put("cfg", "a")
    (tmp_path / "t.tmpl").write_text('{{ key "cfg" }}')
    shutil.copy(CHILD, tmp_path)
    return f"{sys.executable} child_script.py"


def test_child_restarts_after_a_change(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    command = _setup(kv, tmp_path)
    proc = tpl.start("-template", "t.tmpl:out", "-exec", command, "-exec-kill-timeout", "5s")
    wait_for(lambda: len(_events(tmp_path)) == 1)
    first = _events(tmp_path)[0]
    assert first[0] == "start" and first[2] == "a"  # started after the first render
    kv.put("cfg", "b")
    wait_for(lambda: len(_events(tmp_path)) == 3)
    term, start = _events(tmp_path)[1:]
    assert term == ["SIGTERM", first[1]] and start[0] == "start" and start[2] == "b"
    assert not alive(int(first[1]))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 12
    wait_for(lambda: not alive(int(start[1])))
    assert _events(tmp_path)[-1] == ["SIGTERM", start[1]]


def test_reload_signal_and_forwarding(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    command = _setup(kv, tmp_path)
    proc = tpl.start("-template", "t.tmpl:out", "-exec", command, "-exec-reload-signal", "HUP")
    wait_for(lambda: len(_events(tmp_path)) == 1)
    pid = _events(tmp_path)[0][1]
    kv.put("cfg", "b")
    wait_for(lambda: len(_events(tmp_path)) == 2)
    assert _events(tmp_path)[1] == ["SIGHUP", pid]  # signalled, not restarted
    proc.send_signal(signal.SIGUSR1)
    wait_for(lambda: len(_events(tmp_path)) == 3)
    assert _events(tmp_path)[2] == ["SIGUSR1", pid]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 12
    assert not alive(int(pid))


def test_child_exit_code_is_ours(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    _setup(kv, tmp_path)
    proc = tpl.start("-template", "t.tmpl:out", "-exec", "sleep 0.2; exit 7")
    assert proc.wait(15) == 7
    once = tpl("-template", "t.tmpl:out", "-once", "-exec", "cat out; exit 5")
    assert once.returncode == 5 and once.stdout == "a"
    killed = tpl("-template", "t.tmpl:out", "-once", "-exec", "kill -9 $$")
    assert killed.returncode == 128 + 9


def test_sigkilled_templated_leaves_no_child(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    command = _setup(kv, tmp_path)
    proc = tpl.start("-template", "t.tmpl:out", "-exec", command)
    wait_for(lambda: len(_events(tmp_path)) == 1)
    pid = int(_events(tmp_path)[0][1])
    proc.kill()
    proc.wait(10)
    wait_for(lambda: not alive(pid), timeout=10)


def test_splay_delays_the_restart(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    command = _setup(kv, tmp_path)
    tpl.start("-template", "t.tmpl:out", "-exec", command, "-exec-splay", "300ms")
    wait_for(lambda: len(_events(tmp_path)) == 1)
    kv.put("cfg", "b")
    wait_for(lambda: len(_events(tmp_path)) == 3)
    time.sleep(0.1)
    assert _events(tmp_path)[2][2] == "b"
