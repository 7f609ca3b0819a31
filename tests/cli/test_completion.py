"""Shell completions: generated files are current, and bash completes commands, flags, keys."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cli import completion
from tests.agents import ROOT, AgentThread
from tests.cli.runner import Cnsl


@pytest.mark.parametrize("shell", completion.SHELLS)
def test_committed_completions_are_current(shell: str) -> None:
    committed = (completion.REPO_DIR / completion.FILES[shell]).read_text()
    assert committed == completion.render(shell), (
        f"completions/{completion.FILES[shell]} is stale: run `python -m cli.completion`"
    )


def test_tree_has_nouns_commands_and_go_style_flags() -> None:
    t = completion.tree()
    assert {"kv", "catalog", "snapshot", "version"} <= set(t[""])
    assert t["kv"] == sorted(t["kv"]) and "get" in t["kv"]
    assert "-recurse" in t["kv get"] and "-http-addr" in t["kv get"]


def _complete(line: str, addr: str = "127.0.0.1:1") -> list[str]:
    script = completion.REPO_DIR / completion.FILES["bash"]
    words = line.split(" ")
    quoted = " ".join(f"'{w}'" for w in words)
    program = f"""
cnsl() {{ CONSUL_HTTP_ADDR={addr} {sys.executable} -m cli.main "$@"; }}
source '{script}'
COMP_WORDS=({quoted})
COMP_CWORD={len(words) - 1}
_cnsl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    out = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return [w for w in out.stdout.splitlines() if w]


def test_bash_completes_commands_and_flags() -> None:
    assert _complete("cnsl sn") == ["snapshot"]
    assert _complete("cnsl snapshot ") == ["agent", "inspect", "restore", "save"]
    assert _complete("cnsl kv get -rec") == ["-recurse"]
    assert _complete("cnsl -x kv get -separator") == ["-separator"]


def test_bash_completes_kv_keys_from_the_agent(agent: AgentThread) -> None:
    httpx.put(agent.url + "/v1/kv/app/config", content=b"1")
    httpx.put(agent.url + "/v1/kv/apple", content=b"1")
    assert _complete("cnsl kv get ap", agent.http_addr) == ["app/", "apple"]
    httpx.put(
        agent.url + "/v1/catalog/register",
        json={"Node": "n", "Address": "1.2.3.4", "Service": {"Service": "web"}},
    )
    assert _complete("cnsl catalog nodes -service w", agent.http_addr) == ["web"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_parse(shell: str) -> None:
    assert shutil.which(shell), f"{shell} is missing: scripts/test-deps.sh installs it"
    script = completion.REPO_DIR / completion.FILES[shell]
    assert subprocess.run([shell, "-n", str(script)], timeout=30).returncode == 0


def test_install_writes_where_the_shell_looks(tmp_path: Path) -> None:
    cnsl = Cnsl("127.0.0.1:1")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": "", "XDG_CONFIG_HOME": ""}
    r = cnsl("completion", "install", "-shell=fish", env=env)
    assert r.returncode == 0, r.stderr
    target = tmp_path / ".config" / "fish" / "completions" / "cnsl.fish"
    assert r.stdout.decode() == f"Installed fish completions to {target}\n"
    assert target.read_text() == completion.render("fish")
    r = cnsl("completion", "install", "-shell=tcsh", env=env)
    assert r.returncode == 1 and b"Unsupported shell" in r.stderr


def test_fish_completes_commands_and_flags() -> None:
    assert shutil.which("fish"), "fish is missing: scripts/test-deps.sh installs it"
    script = completion.REPO_DIR / completion.FILES["fish"]
    program = f"source '{script}'; complete -C 'cnsl snapshot '; complete -C 'cnsl kv get -rec'"
    out = subprocess.run(["fish", "-c", program], capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["agent", "inspect", "restore", "save", "-recurse"], out.stderr
