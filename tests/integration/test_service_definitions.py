"""Service definitions in config files: the examples load unchanged, and reload follows edits."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import httpx

from tests.agents import AgentProcess, wait_for
from tests.examples import EXAMPLES


def test_examples_load_from_a_config_dir(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    for name in ("services-redis.hcl", "count.hcl", "dashboard.hcl"):
        shutil.copy(EXAMPLES / name, conf / name)
    (conf / "zz-agent.hcl").write_text('enable_script_checks = true\nnode_name = "n1"\n')
    agent = AgentProcess(
        "-dev",
        "-config-dir",
        str(conf),
        "-http-port",
        "0",
        "-dns-port",
        "-1",
        "-log-level",
        "info",
    ).start()
    try:
        services = httpx.get(agent.url + "/v1/agent/services").json()
        assert {s["ID"] for s in services.values()} == {
            "web-server-01",
            "web-server-02",
            "counting-1",
            "counting-1-sidecar-proxy",
            "dashboard",
            "dashboard-sidecar-proxy",
        }
        assert services["counting-1-sidecar-proxy"]["Kind"] == "connect-proxy"
        assert services["counting-1-sidecar-proxy"]["Port"] == 21000
        assert services["dashboard-sidecar-proxy"]["Port"] == 21001
        upstreams = services["dashboard-sidecar-proxy"]["Proxy"]["Upstreams"]
        assert upstreams[0]["DestinationName"] == "counting"
        checks = httpx.get(agent.url + "/v1/agent/checks").json()
        assert checks["service:web-server-01"]["Type"] == "script"
        assert checks["counting-check"]["Type"] == "http"
        wait_for(lambda: len(httpx.get(agent.url + "/v1/catalog/service/redis").json()) == 2, 10)

        (conf / "services-redis.hcl").unlink()
        agent.signal(signal.SIGHUP)
        wait_for(
            lambda: "web-server-01" not in httpx.get(agent.url + "/v1/agent/services").json(), 10
        )
        wait_for(lambda: httpx.get(agent.url + "/v1/catalog/service/redis").json() == [], 10)
    finally:
        agent.stop()
