from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from cnslkit import snapshot
from tests.agents import AgentThread, wait_for


def _kv(http: httpx.Client, key: str) -> httpx.Response:
    return http.get(f"/v1/kv/{key}")


def test_save_mutate_restore(http: httpx.Client) -> None:
    assert http.put("/v1/kv/keep", content=b"1").text == "true\n"
    assert http.put("/v1/catalog/register", json={"Node": "n1", "Address": "10.0.0.1"}).is_success
    before = _kv(http, "keep").json()[0]
    saved = http.get("/v1/snapshot?stale")
    assert saved.status_code == 200
    meta, _ = snapshot.read_archive(saved.content)
    assert int(saved.headers["X-Consul-Index"]) == meta.index >= before["ModifyIndex"]

    http.put("/v1/kv/keep", content=b"changed")
    http.put("/v1/kv/extra", content=b"x")
    http.put("/v1/catalog/deregister", json={"Node": "n1"})
    assert _kv(http, "keep").json()[0]["ModifyIndex"] > before["ModifyIndex"]

    r = http.put("/v1/snapshot", content=saved.content)
    assert r.status_code == 200, r.text
    assert _kv(http, "keep").json()[0] == before
    assert _kv(http, "extra").status_code == 404
    assert http.get("/v1/catalog/node/n1").json()["Node"]["Address"] == "10.0.0.1"
    http.put("/v1/kv/after", content=b"y")
    assert _kv(http, "after").json()[0]["ModifyIndex"] > meta.index


def test_bad_archives_change_nothing(http: httpx.Client) -> None:
    http.put("/v1/kv/keep", content=b"1")
    saved = http.get("/v1/snapshot").content
    http.put("/v1/kv/keep", content=b"2")
    bad = bytearray(saved)
    bad[len(bad) // 2] ^= 0xFF
    for body in (saved[: len(saved) // 2], bytes(bad), b"", b"not a snapshot"):
        r = http.put("/v1/snapshot", content=body)
        assert r.status_code == 400 and r.text.startswith("Restore failed"), r.text
    assert http.get("/v1/kv/keep?raw").content == b"2"


def test_restore_wakes_blocked_queries(http: httpx.Client) -> None:
    for i in range(5):
        http.put("/v1/kv/w", content=str(i).encode())
    saved = http.get("/v1/snapshot").content
    fresh = AgentThread().start()
    try:
        index = int(httpx.get(fresh.url + "/v1/kv/w").headers["X-Consul-Index"])
        answers: list[httpx.Response] = []

        def block() -> None:
            url = f"{fresh.url}/v1/kv/w?index={index}&wait=30s"
            answers.append(httpx.get(url, timeout=40))

        thread = threading.Thread(target=block)
        thread.start()
        # blocked: the answer must come from the restore, not the wait
        wait_for(lambda: len(fresh.agent.server.store.hub) > 0)
        started = time.monotonic()
        assert httpx.put(fresh.url + "/v1/snapshot", content=saved).status_code == 200
        thread.join(35)
        assert answers and time.monotonic() - started < 10
        assert answers[0].status_code == 200 and answers[0].json()[0]["Key"] == "w"
    finally:
        fresh.stop()


def test_restore_into_a_fresh_agent_survives_restart(http: httpx.Client, tmp_path: Path) -> None:
    http.put("/v1/kv/app/config", content=b"from-first")
    http.put("/v1/catalog/register", json={"Node": "db", "Address": "10.0.0.9"})
    entry = _kv(http, "app/config").json()[0]
    saved = http.get("/v1/snapshot").content

    fresh = AgentThread("-data-dir", str(tmp_path)).start()
    try:
        r = httpx.put(fresh.url + "/v1/snapshot", content=saved, timeout=30)
        assert r.status_code == 200, r.text
        assert httpx.get(fresh.url + "/v1/kv/app/config").json()[0] == entry
    finally:
        fresh.stop()
    again = AgentThread("-data-dir", str(tmp_path)).start()
    try:
        assert httpx.get(again.url + "/v1/kv/app/config").json()[0] == entry
        node = httpx.get(again.url + "/v1/catalog/node/db").json()
        assert node["Node"]["Address"] == "10.0.0.9"
    finally:
        again.stop()


def test_snapshots_larger_than_a_kv_value_restore(http: httpx.Client) -> None:
    import os

    blobs = {f"big/{i}": os.urandom(400 * 1024) for i in range(4)}
    for key, value in blobs.items():
        assert http.put(f"/v1/kv/{key}", content=value).text == "true\n"
    saved = http.get("/v1/snapshot").content
    assert len(saved) > 1024 * 1024
    http.delete("/v1/kv/big/?recurse")
    r = http.put("/v1/snapshot", content=saved)
    assert r.status_code == 200, r.text
    for key, value in blobs.items():
        assert http.get(f"/v1/kv/{key}?raw").content == value
    too_big = http.put("/v1/kv/x", content=b"x" * (600 * 1024))
    assert too_big.status_code == 413  # ordinary routes keep their own limits
    r = http.put("/v1/catalog/register", content=b" " * (600 * 1024))
    assert r.status_code == 413
