"""The README's DNS examples with the real ``dig`` against a real ``agentd`` process."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.agents import AgentProcess, wait_for
from tests.examples import EXAMPLES


def setup_module() -> None:
    assert shutil.which("dig"), "dig is missing: scripts/test-deps.sh installs dnsutils"


_DNS = re.compile(r"DNS listening on udp://(\S+):(\d+) tcp://")


@pytest.fixture(scope="module")
def agent() -> Iterator[tuple[AgentProcess, int]]:
    proc = AgentProcess("-dev", "-node", "dig-node", "-http-port", "0", "-dns-port", "0").start()
    try:
        found = wait_for(lambda: _DNS.search("".join(proc.lines)), 10)
        yield proc, int(found.group(2))
    finally:
        proc.stop()


def register(url: str, node: str, addr: str, status: str, tags: list[str]) -> None:
    body = {
        "Node": node,
        "Address": addr,
        "Service": {"Service": "front-end-eCommerce", "Tags": tags, "Port": 8080},
        "Check": {"Name": "alive", "ServiceID": "front-end-eCommerce", "Status": status},
    }
    assert httpx.put(url + "/v1/catalog/register", json=body).text == "true\n"


def dig(port: int, *args: str) -> str:
    cmd = ["dig", "@127.0.0.1", "-p", str(port), "+time=5", "+tries=1", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=True)
    return done.stdout


def short(port: int, *args: str) -> list[str]:
    return sorted(dig(port, "+short", *args).split())


def test_service_and_prepared_query(agent: tuple[AgentProcess, int]) -> None:
    proc, port = agent
    register(proc.url, "shop1", "10.20.0.1", "passing", ["v7.05", "production"])
    register(proc.url, "shop2", "10.20.0.2", "critical", ["v7.05", "production"])
    register(proc.url, "shop3", "10.20.0.3", "passing", ["v7.04"])

    full = dig(port, "front-end-eCommerce.service.consul")
    assert "status: NOERROR" in full and "flags: qr aa rd;" in full
    assert short(port, "front-end-eCommerce.service.consul") == ["10.20.0.1", "10.20.0.3"]
    assert short(port, "+tcp", "front-end-eCommerce.service.consul") == ["10.20.0.1", "10.20.0.3"]
    assert short(port, "front-end-eCommerce.service.consul", "SRV") == [
        "1",
        "1",
        "1",
        "1",
        "8080",
        "8080",
        "shop1.node.dc1.consul.",
        "shop3.node.dc1.consul.",
    ]

    r = httpx.post(proc.url + "/v1/query", content=(EXAMPLES / "prepared-query.json").read_bytes())
    assert r.status_code == 200 and "ID" in r.json()
    ids = [q["ID"] for q in httpx.get(proc.url + "/v1/query").json() if q["Name"] == "Commerce"]
    assert ids == [r.json()["ID"]]
    assert short(port, "Commerce.query.consul") == ["10.20.0.1"]
    assert short(port, "+tcp", f"{ids[0]}.query.consul") == ["10.20.0.1"]

    missing = dig(port, "nothing.service.consul")
    assert "status: NXDOMAIN" in missing and "SOA" in missing
    assert "status: REFUSED" in dig(port, "example.com")
    assert short(port, "-x", "10.20.0.1") == ["shop1.node.dc1.consul."]
    assert short(port, "dig-node.node.consul") == ["127.0.0.1"]
