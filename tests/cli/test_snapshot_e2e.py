"""``cnsl snapshot`` as users run it, against a real dev agent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from cli.snapshot import expired, format_inspect
from cnslkit.snapshot import Meta, TypeStat
from tests.agents import AgentThread, wait_for
from tests.cli.runner import Cnsl
from tests.examples import EXAMPLES


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def test_inspect_layout_matches_consul() -> None:
    lines = (EXAMPLES / "snapshot-inspect.txt").read_text().splitlines()
    start = lines.index("$ cnsl snapshot inspect consul.snap") + 1
    expected = "\n".join(lines[start:])
    meta = Meta(id="507-96051-1716174304295", size=15896, index=96051, term=507)
    stats = [
        TypeStat("Register", 13, 10035),
        TypeStat("ConnectCA", 1, 1229),
        TypeStat("ConnectCAProviderState", 1, 1126),
        TypeStat("Index", 27, 904),
        TypeStat("CoordinateBatchUpdate", 4, 693),
        TypeStat("PreparedQuery", 2, 691),
        TypeStat("KVS", 4, 414),
        TypeStat("Autopilot", 1, 199),
        TypeStat("ConnectCAConfig", 1, 195),
        TypeStat("SystemMetadata", 3, 191),
        TypeStat("FederationState", 1, 143),
        TypeStat("ChunkingState", 1, 12),
    ]
    assert format_inspect(meta, stats) == expected.rstrip("\n")


def test_save_inspect_restore(cnsl: Cnsl, agent: AgentThread, tmp_path: Path) -> None:
    httpx.put(agent.url + "/v1/kv/app/a", content=b"1")
    file = tmp_path / "consul.snap"
    out = cnsl.ok("snapshot", "save", str(file))
    index = int(out.removeprefix("Saved and verified snapshot to index ").strip())
    assert index >= 1 and out.endswith("\n")
    assert [p.name for p in tmp_path.iterdir()] == ["consul.snap"]

    text = cnsl.ok("snapshot", "inspect", str(file))
    assert f" Index        {index}\n" in text
    assert " KVS " in text and " Total " in text
    doc = json.loads(cnsl.ok("snapshot", "inspect", "-format=json", str(file)))
    assert doc["Meta"]["Index"] == index
    assert {s["Name"] for s in doc["Stats"]} >= {"KVS", "Register"}

    httpx.put(agent.url + "/v1/kv/app/a", content=b"2")
    assert cnsl.ok("snapshot", "restore", str(file)) == "Restored snapshot\n"
    assert httpx.get(agent.url + "/v1/kv/app/a?raw").content == b"1"


def test_bad_files(cnsl: Cnsl, tmp_path: Path) -> None:
    bad = tmp_path / "bad.snap"
    bad.write_bytes(b"garbage")
    r = cnsl("snapshot", "restore", str(bad))
    assert r.returncode == 1 and r.stderr.startswith(b"Error restoring snapshot:")
    r = cnsl("snapshot", "inspect", str(bad))
    assert r.returncode == 1 and r.stderr.startswith(b"Error extracting snapshot data:")
    r = cnsl("snapshot", "save")
    assert r.returncode == 1 and r.stderr == b"Missing FILE argument\n"


def test_expired_keeps_the_newest() -> None:
    names = ["consul-3.snap", "consul-10.snap", "other.txt", "consul-2.snap", "consul-1.snap.part"]
    assert expired(names, 2) == ["consul-2.snap"]
    assert expired(names, 0) == [] and expired(names, 5) == []


def test_snapshot_agent_saves_retains_and_registers(
    cnsl: Cnsl, agent: AgentThread, tmp_path: Path
) -> None:
    proc = cnsl.popen(
        "snapshot", "agent", "-interval=200ms", "-retain=2", f"-path={tmp_path}",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for _ in range(4):
            assert proc.stdout.readline().startswith(b"Saved and verified snapshot to index ")
        # a round saves before it prunes, so three may exist for a moment
        wait_for(lambda: 1 <= len([p for p in tmp_path.iterdir() if p.suffix == ".snap"]) <= 2)
        checks = httpx.get(agent.url + "/v1/agent/checks").json()
        check = checks["service:consul-snapshot"]
        assert check["Status"] == "passing" and "Saved snapshot to index" in check["Output"]
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
    assert "consul-snapshot" not in httpx.get(agent.url + "/v1/agent/services").json()
