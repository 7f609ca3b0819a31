from __future__ import annotations

import httpx

from tests.agents import AgentThread


def test_metrics_json_and_prometheus(agent: AgentThread) -> None:
    with httpx.Client(base_url=agent.url, timeout=30) as http:
        assert http.put("/v1/kv/a", content=b"1").text == "true\n"
        http.get("/v1/kv/a")
        doc = http.get("/v1/agent/metrics").json()
        assert set(doc) == {"Timestamp", "Gauges", "Points", "Counters", "Samples"}
        samples = {(s["Name"], s["Labels"]["method"], s["Labels"]["path"]) for s in doc["Samples"]}
        assert ("consul.api.http", "PUT", "v1_kv") in samples
        assert ("consul.api.http", "GET", "v1_kv") in samples
        gauges = {g["Name"]: g["Value"] for g in doc["Gauges"]}
        assert gauges["consul.runtime.num_goroutines"] > 0
        assert gauges["consul.runtime.rss_bytes"] > 0
        counters = {c["Name"]: c["Count"] for c in doc["Counters"]}
        assert counters["consul.fsm.kv"] >= 1
        r = http.get("/v1/agent/metrics?format=prometheus")
        assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert 'consul_api_http_count{method="PUT",path="v1_kv"} 1\n' in r.text
        assert "# TYPE consul_runtime_num_goroutines gauge" in r.text


def test_durable_agent_reports_fsync_latency(tmp_path: object) -> None:
    durable = AgentThread("-data-dir", str(tmp_path)).start()
    try:
        with httpx.Client(base_url=durable.url, timeout=30) as http:
            for i in range(5):
                http.put(f"/v1/kv/k{i}", content=b"1")
            gauges = {g["Name"]: g["Value"] for g in http.get("/v1/agent/metrics").json()["Gauges"]}
        assert gauges["cnsl.log.batches"] >= 5
        assert gauges["cnsl.log.fsync_us_total"] > 0
        assert gauges["cnsl.log.fsync_us_max"] > 0
    finally:
        durable.stop()
