from __future__ import annotations

from agentd.metrics import Registry, prometheus


def test_json_shape() -> None:
    reg = Registry()
    reg.sample("consul.api.http", 2.0, method="GET", path="v1_kv")
    reg.sample("consul.api.http", 4.0, method="GET", path="v1_kv")
    reg.incr("consul.kvs.apply")
    reg.gauge("consul.runtime.num_goroutines", 7)
    doc = reg.to_json("2026-01-01 00:00:00 +0000 UTC")
    [sample] = doc["Samples"]
    assert sample["Name"] == "consul.api.http"
    assert (sample["Count"], sample["Sum"], sample["Min"], sample["Max"]) == (2, 6.0, 2.0, 4.0)
    assert sample["Mean"] == 3.0 and sample["Stddev"] == 1.0
    assert sample["Labels"] == {"method": "GET", "path": "v1_kv"}
    assert doc["Counters"][0]["Count"] == 1
    assert doc["Gauges"] == [{"Name": "consul.runtime.num_goroutines", "Value": 7, "Labels": {}}]


def test_prometheus_text() -> None:
    reg = Registry()
    reg.sample("consul.api.http", 2.5, method="GET", path='v1_"kv"')
    reg.incr("cnsl.http.requests", code="200")
    reg.gauge("consul.raft.applied_index", 12)
    text = prometheus(reg)
    assert "# TYPE consul_api_http summary\n" in text
    assert 'consul_api_http_sum{method="GET",path="v1_\\"kv\\""} 2.5\n' in text
    assert 'consul_api_http_count{method="GET",path="v1_\\"kv\\""} 1\n' in text
    assert '# TYPE cnsl_http_requests counter\ncnsl_http_requests{code="200"} 1\n' in text
    assert "consul_raft_applied_index 12\n" in text
