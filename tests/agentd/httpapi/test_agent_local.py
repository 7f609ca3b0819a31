from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.agents import AgentThread, wait_for
from tests.examples import EXAMPLES


def catalog_health(http: httpx.Client, name: str, passing: bool = False) -> list[str]:
    q = "?passing" if passing else ""
    return [e["Service"]["ID"] for e in http.get(f"/v1/health/service/{name}{q}").json()]


def test_payload_example_registers_retail_web(http: httpx.Client) -> None:
    body = (EXAMPLES / "payload.json").read_bytes()
    r = http.put("/v1/agent/service/register", content=body)
    assert r.status_code == 200, r.text
    services = http.get("/v1/agent/services").json()
    assert services["retail-web"]["Port"] == 8080
    wait_for(lambda: "retail-web" in http.get("/v1/catalog/services").json(), 5)


def test_ttl_check_drives_health_through_the_catalog(http: httpx.Client) -> None:
    r = http.put(
        "/v1/agent/service/register",
        json={
            "Name": "api",
            "ID": "api-1",
            "Port": 9000,
            "Tags": ["v1"],
            "Check": {"TTL": "30s"},
        },
    )
    assert r.status_code == 200, r.text
    checks = http.get("/v1/agent/checks").json()
    assert checks["service:api-1"]["Status"] == "critical"
    assert checks["service:api-1"]["Name"] == "Service 'api' check"
    wait_for(lambda: catalog_health(http, "api") == ["api-1"], 5)
    assert catalog_health(http, "api", passing=True) == []
    r = http.get("/v1/agent/health/service/id/api-1")
    assert r.status_code == 503 and r.json()["AggregatedStatus"] == "critical"

    assert http.put("/v1/agent/check/pass/service:api-1?note=ok").status_code == 200
    wait_for(lambda: catalog_health(http, "api", passing=True) == ["api-1"], 5)
    r = http.get("/v1/agent/health/service/name/api?format=text")
    assert (r.status_code, r.text) == (200, "passing")
    assert (
        http.put(
            "/v1/agent/check/update/service:api-1", json={"Status": "warning", "Output": "slow"}
        ).status_code
        == 200
    )
    assert http.get("/v1/agent/health/service/id/api-1").status_code == 429
    r = http.put("/v1/agent/check/update/service:api-1", json={"Status": "bogus"})
    assert (r.status_code, r.text) == (400, "Invalid check status: 'bogus'")
    r = http.put("/v1/agent/check/pass/serfHealth")
    assert r.status_code == 500 and r.text == 'CheckID "serfHealth" does not have associated TTL'

    assert http.put("/v1/agent/service/deregister/api-1").status_code == 200
    assert http.get("/v1/agent/checks").json() == {}
    wait_for(lambda: catalog_health(http, "api") == [], 5)
    r = http.put("/v1/agent/service/deregister/api-1")
    assert r.status_code == 404 and "Unknown service ID" in r.text


def test_maintenance_modes(http: httpx.Client) -> None:
    http.put(
        "/v1/agent/service/register",
        json={"Name": "m", "Check": {"TTL": "30s", "Status": "passing"}},
    )
    wait_for(lambda: catalog_health(http, "m", passing=True) == ["m"], 5)
    assert http.put("/v1/agent/service/maintenance/m?enable=true&reason=upgrade").status_code == 200
    checks = http.get("/v1/agent/checks").json()
    assert checks["_service_maintenance:m"]["Notes"] == "upgrade"
    wait_for(lambda: catalog_health(http, "m", passing=True) == [], 5)
    r = http.get("/v1/agent/health/service/id/m?format=text")
    assert (r.status_code, r.text) == (503, "maintenance")
    http.put("/v1/agent/service/maintenance/m?enable=false")
    wait_for(lambda: catalog_health(http, "m", passing=True) == ["m"], 5)
    assert http.put("/v1/agent/maintenance?enable=true").status_code == 200
    wait_for(lambda: catalog_health(http, "m", passing=True) == [], 5)
    assert http.put("/v1/agent/maintenance?enable=maybe").status_code == 400
    assert http.put("/v1/agent/maintenance").status_code == 400
    http.put("/v1/agent/maintenance?enable=false")
    wait_for(lambda: catalog_health(http, "m", passing=True) == ["m"], 5)
    r = http.put("/v1/agent/service/maintenance/nope?enable=true")
    assert r.status_code == 404


def test_registration_errors(http: httpx.Client) -> None:
    r = http.put("/v1/agent/service/register", json={"Port": 1})
    assert (r.status_code, r.text) == (400, "Missing service name")
    r = http.put("/v1/agent/service/register", json={"Name": "x", "Address": "0.0.0.0"})
    assert (r.status_code, r.text) == (400, "Invalid service address")
    r = http.put(
        "/v1/agent/service/register", json={"Name": "x", "Check": {"TTL": "1s", "Interval": "1s"}}
    )
    assert r.status_code == 400 and "Interval and TTL cannot both be specified" in r.text
    r = http.put(
        "/v1/agent/service/register",
        json={"Name": "x", "Check": {"Args": ["true"], "Interval": "1s"}},
    )
    assert r.status_code == 400 and "enable_script_checks" in r.text
    r = http.put("/v1/agent/check/register", json={"Name": "c", "ServiceID": "ghost", "TTL": "5s"})
    assert (r.status_code, r.text) == (404, 'ServiceID "ghost" does not exist')
    assert http.put("/v1/agent/service/register", content=b"{").status_code == 400
    assert http.get("/v1/agent/service/nope").status_code == 404


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(type(self).status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_http_check_going_critical_leaves_passing_within_an_interval(http: httpx.Client) -> None:
    handler = type("H", (_Health,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/health"
        r = http.put(
            "/v1/agent/service/register",
            json={
                "Name": "web",
                "Port": server.server_address[1],
                "Check": {"HTTP": url, "Interval": "1s"},
            },
        )
        assert r.status_code == 200, r.text
        wait_for(lambda: catalog_health(http, "web", passing=True) == ["web"], 10)
        handler.status = 500
        wait_for(lambda: catalog_health(http, "web", passing=True) == [], 4)
        out = http.get("/v1/agent/checks").json()["service:web"]["Output"]
        assert out.startswith("HTTP GET " + url + ": 500")
    finally:
        server.shutdown()


def test_alias_check_mirrors_its_target(http: httpx.Client) -> None:
    http.put("/v1/agent/service/register", json={"Name": "db", "Check": {"TTL": "30s"}})
    http.put(
        "/v1/agent/service/register",
        json={
            "Name": "db-proxy",
            "Check": {"AliasService": "db"},
        },
    )
    alias = "service:db-proxy"
    wait_for(lambda: http.get("/v1/agent/checks").json()[alias]["Status"] == "critical", 5)
    http.put("/v1/agent/check/pass/service:db")
    wait_for(lambda: http.get("/v1/agent/checks").json()[alias]["Status"] == "passing", 5)


def test_anti_entropy_repairs_a_catalog_that_drifted(
    http: httpx.Client, agent: AgentThread
) -> None:
    agent.agent.antientropy.interval = 0.2  # the full sync runs every minute otherwise
    http.put("/v1/agent/service/register", json={"Name": "drift", "Check": {"TTL": "30s"}})
    wait_for(lambda: catalog_health(http, "drift") == ["drift"], 5)
    r = http.put("/v1/catalog/deregister", json={"Node": "test-node", "ServiceID": "drift"})
    assert r.text == "true\n"
    wait_for(lambda: catalog_health(http, "drift") == ["drift"], 5)
    # and something registered behind the agent's back on its own node is removed
    http.put(
        "/v1/catalog/register",
        json={"Node": "test-node", "Address": "127.0.0.1", "Service": {"Service": "stray"}},
    )
    wait_for(lambda: "stray" not in http.get("/v1/catalog/services").json(), 5)


def test_replace_existing_checks(http: httpx.Client) -> None:
    body = {"Name": "r", "Checks": [{"CheckID": "a", "TTL": "30s"}, {"CheckID": "b", "TTL": "30s"}]}
    http.put("/v1/agent/service/register", json=body)
    assert set(http.get("/v1/agent/checks").json()) == {"a", "b"}
    body["Checks"] = [{"CheckID": "a", "TTL": "30s"}]
    http.put("/v1/agent/service/register", json=body)
    assert set(http.get("/v1/agent/checks").json()) == {"a", "b"}  # kept without the flag
    http.put("/v1/agent/service/register?replace-existing-checks", json=body)
    assert set(http.get("/v1/agent/checks").json()) == {"a"}


def test_alias_of_another_node_follows_the_catalog(http: httpx.Client) -> None:
    http.put(
        "/v1/catalog/register",
        json={
            "Node": "db-host",
            "Address": "10.1.1.1",
            "Check": {"CheckID": "disk", "Name": "disk", "Status": "passing"},
        },
    )
    http.put("/v1/agent/check/register", json={"Name": "db-host alive", "AliasNode": "db-host"})
    checks = lambda: http.get("/v1/agent/checks").json()["db-host alive"]  # noqa: E731
    wait_for(lambda: checks()["Status"] == "passing", 5)
    http.put(
        "/v1/catalog/register",
        json={
            "Node": "db-host",
            "Address": "10.1.1.1",
            "Check": {"CheckID": "disk", "Name": "disk", "Status": "critical"},
        },
    )
    wait_for(lambda: checks()["Status"] == "critical", 5)
