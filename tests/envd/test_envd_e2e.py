"""envd against a live agent with real child processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.agents import wait_for
from tests.envd.conftest import CHILD, Envd, records
from tests.procs import alive


def test_the_example(envd: Envd, api: httpx.Client) -> None:
    api.put("/v1/kv/apps/eCommerce/database_host", content=b"customer_db")
    api.put("/v1/kv/apps/eCommerce/database", content=b"billing")
    result = envd.run("-upcase", "-prefix", "apps/eCommerce", "env")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "DATABASE_HOST=customer_db" in lines and "DATABASE=billing" in lines


def test_dotenv_and_json_output(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/ci/app/greeting", content=b"it's a $test")
    api.put("/v1/kv/ci/app/port", content=b"8080")
    api.put("/v1/kv/ci/more/port", content=b"9090")  # later prefixes win
    api.put("/v1/agent/service/register",
            json={"Name": "api", "Port": 7000, "Address": "10.1.1.1"})  # fmt: skip
    args = ("-upcase", "-prefix", "ci/app", "-prefix", "ci/more", "-service", "api")
    result = envd.run(*args, "-format", "dotenv")
    assert result.returncode == 0, result.stderr
    assert "PORT=9090\n" in result.stdout and "API/ADDRESSES=10.1.1.1:7000\n" in result.stdout
    dotenv = tmp_path / "vars.env"
    dotenv.write_text(envd.run("-upcase", "-prefix", "ci/app", "-format=dotenv").stdout)
    sourced = subprocess.run(["sh", "-c", f'. {dotenv}; printf %s "$GREETING"'],
                             capture_output=True, text=True, check=True)  # fmt: skip
    assert sourced.stdout == "it's a $test"
    as_json = json.loads(envd.run(*args, "-sanitize", "-format", "json").stdout)
    assert as_json["API_PORT"] == "7000" and as_json["GREETING"] == "it's a $test"


def test_exit_code_is_the_childs(envd: Envd, api: httpx.Client) -> None:
    api.put("/v1/kv/code/x", content=b"1")
    assert envd.run("-prefix", "code", "--", "sh", "-c", "exit 7").returncode == 7


def test_restart_on_change_and_forwarded_signals(
    envd: Envd, api: httpx.Client, tmp_path: Path
) -> None:
    api.put("/v1/kv/r/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start("-prefix", "r", sys.executable, CHILD, str(log))
    first = wait_for(lambda: records(log))[0]
    assert first["value"] == "one"
    api.put("/v1/kv/r/VALUE", content=b"two")
    second = wait_for(lambda: [r for r in records(log) if r.get("value") == "two"])[0]
    assert second["pid"] != first["pid"] and not alive(first["pid"])
    proc.send_signal(signal.SIGUSR1)
    wait_for(lambda: {"pid": second["pid"], "signal": signal.SIGUSR1} in records(log))
    proc.send_signal(signal.SIGTERM)  # stops the child; envd exits with its code
    assert proc.wait(10) == 128 + signal.SIGTERM
    assert not alive(second["pid"])


def test_reload_signal_instead_of_restart(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/s/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start(
        "-prefix", "s", "-exec-reload-signal", "SIGHUP", sys.executable, CHILD, str(log)
    )
    first = wait_for(lambda: records(log))[0]
    api.put("/v1/kv/s/VALUE", content=b"two")
    wait_for(lambda: {"pid": first["pid"], "signal": signal.SIGHUP} in records(log))
    assert len({r["pid"] for r in records(log)}) == 1
    proc.send_signal(signal.SIGINT)
    proc.wait(10)


def test_no_orphans_when_the_child_is_killed(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/k/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start("-prefix", "k", sys.executable, CHILD, str(log), "grandchild")
    first = wait_for(lambda: records(log))[0]
    assert alive(first["grandchild"])
    subprocess.run(["kill", "-KILL", str(first["pid"])], check=True)
    assert proc.wait(10) == 128 + signal.SIGKILL
    wait_for(lambda: not alive(first["grandchild"]), 5)


def test_no_orphans_when_envd_is_killed(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/e/VALUE", content=b"one")
    log = tmp_path / "child.log"
    proc = envd.start("-prefix", "e", sys.executable, CHILD, str(log))
    first = wait_for(lambda: records(log))[0]
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    wait_for(lambda: not alive(first["pid"]), 5)  # PR_SET_PDEATHSIG


def test_config_file_toml_and_hcl(envd: Envd, api: httpx.Client, tmp_path: Path) -> None:
    api.put("/v1/kv/cfg/app/db-host", content=b"h1")
    (tmp_path / "a.toml").write_text(
        'upcase = true\nsanitize = true\n[[prefix]]\npath = "cfg/app"\nno_prefix = false\n'
    )
    out = envd.run("-config", str(tmp_path / "a.toml"), "-format", "dotenv")
    assert out.stdout == "CFG_APP_DB_HOST=h1\n", out.stderr
    (tmp_path / "b.hcl").write_text('upcase = true\nprefix {\n  path = "cfg/app"\n}\n')
    out = envd.run("-config", str(tmp_path / "b.hcl"), "-format", "dotenv")
    assert out.stdout == "DB-HOST=h1\n", out.stderr


def test_usage_errors(envd: Envd) -> None:
    assert envd.run("-prefix", "x").returncode == 2  # no command, no -format
    assert envd.run("-bogus").returncode == 2
