from __future__ import annotations

import logging

import httpx

from agentd.httpapi.monitor import HUB
from tests.agents import AgentThread, wait_for


def test_monitor_streams_log_lines_until_the_client_leaves(agent: AgentThread) -> None:
    with (
        httpx.Client(base_url=agent.url, timeout=30) as http,
        http.stream("GET", "/v1/agent/monitor?loglevel=info") as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["transfer-encoding"] == "chunked"
        wait_for(lambda: HUB.subscribers)
        agent.call(lambda: logging.getLogger("agentd.test").warning("hello %s", "monitor"))
        # other lines of this process (the test's own httpx) may come first
        line = next(ln for ln in resp.iter_lines() if "agentd.test" in ln)
        assert "[WARNING] agentd.test: hello monitor" in line
    wait_for(lambda: not HUB.subscribers)


def test_monitor_json_and_bad_level(agent: AgentThread) -> None:
    with httpx.Client(base_url=agent.url, timeout=30) as http:
        r = http.get("/v1/agent/monitor?loglevel=loud")
        assert r.status_code == 400 and r.text == "Unknown log level: loud"
        with http.stream("GET", "/v1/agent/monitor?logjson") as resp:
            wait_for(lambda: HUB.subscribers)
            agent.call(lambda: logging.getLogger("agentd.test").error("boom"))
            line = next(ln for ln in resp.iter_lines() if "agentd.test" in ln)
            assert '"@message":"boom"' in line and '"@level":"error"' in line


def test_monitor_sees_debug_lines_below_the_agents_own_level(agent: AgentThread) -> None:
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.INFO)  # as an agent started with -log-level info
    try:
        with (
            httpx.Client(base_url=agent.url, timeout=30) as http,
            http.stream("GET", "/v1/agent/monitor?loglevel=debug") as resp,
        ):
            wait_for(lambda: HUB.subscribers)
            agent.call(lambda: logging.getLogger("agentd.test").debug("quiet %s", "detail"))
            line = next(ln for ln in resp.iter_lines() if "agentd.test" in ln)
            assert "[DEBUG] agentd.test: quiet detail" in line
        wait_for(lambda: not HUB.subscribers)
        assert root.level == logging.INFO  # restored once nobody listens
    finally:
        root.setLevel(before)
