"""``cnsl services register|deregister`` against a real dev agent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.agents import AgentThread, wait_for
from tests.cli.runner import Cnsl
from tests.examples import EXAMPLES


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def _get(agent: AgentThread, path: str) -> Any:
    resp = httpx.get(agent.url + path)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_register_and_deregister_from_flags(cnsl: Cnsl, agent: AgentThread) -> None:
    out = cnsl.ok(
        "services",
        "register",
        "-name=web",
        "-id=web-1",
        "-port=8080",
        "-tag=v1",
        "-tag=blue",
        "-meta=team=ops",
        "-address=127.0.0.2",
    )
    assert out == "Registered service: web\n"
    svc = _get(agent, "/v1/agent/services")["web-1"]
    assert (svc["Service"], svc["Port"], svc["Address"]) == ("web", 8080, "127.0.0.2")
    assert svc["Tags"] == ["v1", "blue"] and svc["Meta"] == {"team": "ops"}
    wait_for(lambda: any(s["ServiceID"] == "web-1" for s in _get(agent, "/v1/catalog/service/web")))
    assert cnsl.ok("services", "deregister", "-id", "web-1") == "Deregistered service: web-1\n"
    assert "web-1" not in _get(agent, "/v1/agent/services")
    missing = cnsl("services", "deregister", "-id=web-1")
    assert missing.returncode == 1
    assert missing.stderr.startswith(b'Error deregistering service "web-1": ')


def test_register_errors(cnsl: Cnsl) -> None:
    usage = cnsl("services", "register")
    assert usage.returncode == 2
    assert usage.stderr == b"Service registration requires at least one argument or flags.\n"
    bad = cnsl("services", "register", "-name=web", "-address=0.0.0.0")
    assert bad.returncode == 1
    assert bad.stderr.startswith(b'Error registering service "web": Unexpected response code: 400')


def test_register_count_and_dashboard_with_sidecars(cnsl: Cnsl, agent: AgentThread) -> None:
    out = cnsl.ok(
        "services", "register", str(EXAMPLES / "count.hcl"), str(EXAMPLES / "dashboard.hcl")
    )
    assert out == "Registered service: counting\nRegistered service: dashboard\n"
    services = _get(agent, "/v1/agent/services")
    assert {"counting-1", "counting-1-sidecar-proxy", "dashboard"} <= set(services)
    assert "dashboard-sidecar-proxy" in services
    upstreams = services["dashboard-sidecar-proxy"]["Proxy"]["Upstreams"]
    assert [(u["DestinationName"], u["LocalBindPort"]) for u in upstreams] == [("counting", 5000)]
    checks = _get(agent, "/v1/agent/checks")
    assert checks["counting-check"]["Type"] == "http"
    assert checks["dashboard-check"]["ServiceID"] == "dashboard"
    out = cnsl.ok(
        "services", "deregister", str(EXAMPLES / "count.hcl"), str(EXAMPLES / "dashboard.hcl")
    )
    assert out == "Deregistered service: counting-1\nDeregistered service: dashboard\n"
    assert not set(_get(agent, "/v1/agent/services")) & {"counting-1", "dashboard"}


@pytest.fixture
def script_agent() -> Iterator[AgentThread]:
    handle = AgentThread("-hcl", "enable_script_checks = true").start()
    try:
        yield handle
    finally:
        handle.stop()


def test_register_redis_instances_with_script_checks(script_agent: AgentThread) -> None:
    cnsl = Cnsl(script_agent.http_addr)
    out = cnsl.ok("services", "register", str(EXAMPLES / "services-redis.hcl"))
    assert out == "Registered service: redis\nRegistered service: redis\n"
    services = _get(script_agent, "/v1/agent/services")
    assert services["web-server-01"]["Port"] == 6000
    assert services["web-server-02"]["Tags"] == ["delayed", "secondary"]
    checks = _get(script_agent, "/v1/agent/checks")
    scripts = sorted(c["ServiceID"] for c in checks.values() if c["Type"] == "script")
    assert scripts == ["web-server-01", "web-server-02"]


def test_script_checks_need_the_agent_to_allow_them(cnsl: Cnsl) -> None:
    result = cnsl("services", "register", str(EXAMPLES / "services-redis.hcl"))
    assert result.returncode == 1
    assert result.stderr.startswith(b'Error registering service "redis": ')
