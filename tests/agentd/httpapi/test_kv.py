from __future__ import annotations

import base64
import threading
import time

import httpx

from tests.agents import AgentThread


def test_put_get_round_trip_with_consul_shape(http: httpx.Client) -> None:
    r = http.put("/v1/kv/foo/bar?flags=42", content=b"baz")
    assert (r.status_code, r.text) == (200, "true\n")
    assert r.headers["content-type"] == "application/json"
    r = http.get("/v1/kv/foo/bar")
    assert r.status_code == 200
    [pair] = r.json()
    assert list(pair) == ["LockIndex", "Key", "Flags", "Value", "CreateIndex", "ModifyIndex"]
    assert pair["Key"] == "foo/bar" and pair["Flags"] == 42
    assert base64.b64decode(pair["Value"]) == b"baz"
    assert r.headers["X-Consul-Index"] == str(pair["ModifyIndex"])
    assert r.headers["X-Consul-KnownLeader"] == "true"
    assert r.headers["X-Consul-LastContact"] == "0"
    assert r.headers["X-Consul-Default-ACL-Policy"] == "allow"


def test_empty_body_is_null_and_raw_returns_bytes(http: httpx.Client) -> None:
    http.put("/v1/kv/empty")
    assert http.get("/v1/kv/empty").json()[0]["Value"] is None
    http.put("/v1/kv/bin", content=b"\x00\xffhi")
    r = http.get("/v1/kv/bin?raw")
    assert r.content == b"\x00\xffhi"
    assert r.headers["content-type"] == "text/plain"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_missing_key_is_404_with_index_headers(http: httpx.Client) -> None:
    r = http.get("/v1/kv/nope")
    assert r.status_code == 404 and r.content == b""
    assert int(r.headers["X-Consul-Index"]) >= 1
    assert r.headers["X-Consul-KnownLeader"] == "true"


def test_recurse_keys_and_separator(http: httpx.Client) -> None:
    for k in ["web/a", "web/sub/x", "web/sub/y", "webz"]:
        http.put(f"/v1/kv/{k}", content=k.encode())
    r = http.get("/v1/kv/web/?recurse")
    assert [p["Key"] for p in r.json()] == ["web/a", "web/sub/x", "web/sub/y"]
    assert http.get("/v1/kv/web/?keys&separator=/").json() == ["web/a", "web/sub/"]
    assert http.get("/v1/kv/web/?keys&seperator=/").json() == ["web/a", "web/sub/"]
    assert http.get("/v1/kv/nothing/?keys").status_code == 404
    assert http.get("/v1/kv/nothing/?recurse").status_code == 404
    assert http.get("/v1/kv/?keys").json() == ["web/a", "web/sub/x", "web/sub/y", "webz"]


def test_cas_and_delete(http: httpx.Client) -> None:
    assert http.put("/v1/kv/c?cas=0", content=b"1").text == "true\n"
    assert http.put("/v1/kv/c?cas=0", content=b"2").text == "false\n"
    idx = http.get("/v1/kv/c").json()[0]["ModifyIndex"]
    assert http.put(f"/v1/kv/c?cas={idx + 100}", content=b"3").text == "false\n"
    assert http.put(f"/v1/kv/c?cas={idx}", content=b"3").text == "true\n"
    idx = http.get("/v1/kv/c").json()[0]["ModifyIndex"]
    assert http.delete(f"/v1/kv/c?cas={idx - 1}").text == "false\n"
    assert http.delete(f"/v1/kv/c?cas={idx}").text == "true\n"
    assert http.get("/v1/kv/c").status_code == 404
    http.put("/v1/kv/t/1")
    http.put("/v1/kv/t/2")
    assert http.delete("/v1/kv/t/?recurse").text == "true\n"
    assert http.get("/v1/kv/t/?recurse").status_code == 404
    assert http.delete("/v1/kv/never").text == "true\n"


def test_bad_input_gets_consul_errors(http: httpx.Client) -> None:
    r = http.put("/v1/kv/x?cas=1&acquire=abc")
    assert r.status_code == 400 and r.text == "Conflicting flags: acquire=abc&cas=1\n"
    assert http.delete("/v1/kv/x?cas=1&recurse").status_code == 400
    r = http.put("/v1/kv/x?flags=abc")
    assert r.status_code == 500 and "invalid syntax" in r.text
    r = http.get("/v1/kv/")
    assert (r.status_code, r.text) == (400, "Missing key name")
    r = http.get("/v1/kv/x?index=abc")
    assert (r.status_code, r.text) == (400, "Invalid index")
    r = http.get("/v1/kv/x?index=1&wait=abc")
    assert (r.status_code, r.text) == (400, "Invalid wait time")
    r = http.get("/v1/kv/x?stale&consistent")
    assert r.status_code == 400 and "conflicting semantics" in r.text
    r = http.get("/v1/kv/x?dc=elsewhere")
    assert (r.status_code, r.text) == (500, "No path to datacenter")
    r = http.get("/v1/kv/x?dc=dc1")
    assert r.status_code == 404
    r = http.put("/v1/kv/l?acquire=nosuch")
    assert (r.status_code, r.text) == (500, 'invalid session "nosuch"')
    r = http.post("/v1/kv/x")
    assert r.status_code == 405 and r.headers["allow"] == "OPTIONS,GET,PUT,DELETE"
    assert http.options("/v1/kv/x").status_code == 200


def test_value_over_512k_is_413(http: httpx.Client) -> None:
    r = http.put("/v1/kv/big", content=b"x" * (512 * 1024 + 1))
    assert r.status_code == 413
    assert r.text.startswith("Request body(524289 bytes) too large, max size: 524288 bytes.")
    assert http.put("/v1/kv/big", content=b"x" * (512 * 1024)).text == "true\n"
    assert http.get("/v1/status/leader").status_code == 200  # still serving


def test_unknown_paths_and_redirects(http: httpx.Client) -> None:
    r = http.get("/v1/nope")
    assert r.status_code == 404
    assert r.text == "Invalid URL path: not a recognized HTTP API endpoint\n"
    r = http.get("/nope")
    assert r.text.startswith("Invalid URL path: if attempting to use the HTTP API")
    r = http.get("/v1/kv/a//b")
    assert r.status_code == 301 and r.headers["location"] == "/v1/kv/a/b"
    r = http.get("/v1/kv")
    assert r.status_code == 301 and r.headers["location"] == "/v1/kv/"


def test_malformed_http_gets_400_and_agent_keeps_serving(agent: AgentThread) -> None:
    import socket

    host, port = agent.http_addr.rsplit(":", 1)
    with socket.create_connection((host, int(port))) as s:
        s.sendall(b"GARBAGE \x00\x01 nonsense\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400")
    assert httpx.get(agent.url + "/v1/status/leader").status_code == 200


def test_blocking_get_wakes_on_change(http: httpx.Client, agent: AgentThread) -> None:
    http.put("/v1/kv/b/k", content=b"1")
    index = int(http.get("/v1/kv/b/k").headers["X-Consul-Index"])
    result: dict[str, httpx.Response] = {}

    def block(name: str, path: str) -> None:
        with httpx.Client(base_url=agent.url, timeout=30) as c:
            result[name] = c.get(path)

    idx_missing = int(http.get("/v1/kv/b/missing").headers["X-Consul-Index"])
    threads = [
        threading.Thread(target=block, args=("key", f"/v1/kv/b/k?index={index}&wait=20s")),
        threading.Thread(
            target=block, args=("prefix", f"/v1/kv/b/?recurse&index={index}&wait=20s")
        ),
        threading.Thread(
            target=block, args=("missing", f"/v1/kv/b/missing?index={idx_missing}&wait=20s")
        ),
    ]
    for t in threads:
        t.start()
    time.sleep(0.3)
    assert not result  # all still blocked
    start = time.monotonic()
    http.put("/v1/kv/b/k", content=b"2")
    http.put("/v1/kv/b/missing", content=b"now")
    for t in threads:
        t.join(10)
    assert time.monotonic() - start < 5
    assert base64.b64decode(result["key"].json()[0]["Value"]) == b"2"
    assert int(result["key"].headers["X-Consul-Index"]) > index
    assert len(result["prefix"].json()) >= 1
    assert result["missing"].status_code == 200


def test_blocking_wait_times_out_with_same_index(http: httpx.Client) -> None:
    http.put("/v1/kv/w", content=b"1")
    index = int(http.get("/v1/kv/w").headers["X-Consul-Index"])
    start = time.monotonic()
    r = http.get(f"/v1/kv/w?index={index}&wait=300ms")
    elapsed = time.monotonic() - start
    assert r.status_code == 200 and int(r.headers["X-Consul-Index"]) == index
    assert 0.25 < elapsed < 3


def test_prefix_index_stays_monotonic_after_delete(http: httpx.Client) -> None:
    http.put("/v1/kv/mono/a", content=b"1")
    http.put("/v1/kv/other", content=b"1")
    before = int(http.get("/v1/kv/mono/?recurse").headers["X-Consul-Index"])
    http.delete("/v1/kv/mono/a")
    after = http.get("/v1/kv/mono/?recurse")
    assert after.status_code == 404
    assert int(after.headers["X-Consul-Index"]) > before


def test_token_and_pretty_accepted(http: httpx.Client) -> None:
    http.put("/v1/kv/tok?token=abc", content=b"1", headers={"X-Consul-Token": "x"})
    r = http.get("/v1/kv/tok?pretty", headers={"Authorization": "Bearer abc"})
    assert r.text.startswith("[\n    {") and r.text.endswith("\n")


def test_unicode_keys_work_and_invalid_utf8_is_400(http: httpx.Client) -> None:
    assert http.put("/v1/kv/caf%C3%A9/%E2%9C%93", content=b"1").text == "true\n"
    assert http.get("/v1/kv/?keys").json() == ["café/✓"]
    r = http.put("/v1/kv/bad%FF", content=b"1")
    assert r.status_code == 400
