from __future__ import annotations

import base64
import threading
import time
from typing import Any

import httpx
import orjson
import pytest

from agentd.httpapi.session import decode_create, lock_delay
from tests.agents import AgentThread, wait_for


def create(http: httpx.Client, body: dict[str, Any] | None = None) -> str:
    r = http.put("/v1/session/create", json=body)  # no body when None
    assert r.status_code == 200, r.text
    session_id = r.json()["ID"]
    assert isinstance(session_id, str) and len(session_id) == 36
    return session_id


def info(http: httpx.Client, session_id: str) -> list[dict[str, Any]]:
    r = http.get(f"/v1/session/info/{session_id}")
    assert r.status_code == 200 and int(r.headers["X-Consul-Index"]) >= 1
    result: list[dict[str, Any]] = r.json()
    return result


def kv_entry(http: httpx.Client, key: str) -> dict[str, Any] | None:
    r = http.get(f"/v1/kv/{key}")
    return r.json()[0] if r.status_code == 200 else None


def acquire(http: httpx.Client, key: str, session_id: str, value: bytes = b"v") -> str:
    return http.put(f"/v1/kv/{key}?acquire={session_id}", content=value).text


def register(http: httpx.Client, body: dict[str, Any]) -> None:
    r = http.put("/v1/catalog/register", json=body)
    assert (r.status_code, r.text) == (200, "true\n"), r.text


def test_create_with_defaults_and_read_it_back(http: httpx.Client) -> None:
    sid = create(http)
    [s] = info(http, sid)
    assert s == {
        "ID": sid,
        "Name": "",
        "Node": "test-node",
        "LockDelay": 15_000_000_000,
        "Behavior": "release",
        "TTL": "",
        "NodeChecks": ["serfHealth"],
        "ServiceChecks": None,
        "CreateIndex": s["CreateIndex"],
        "ModifyIndex": s["CreateIndex"],
    }
    listed = http.get("/v1/session/list")
    assert [x["ID"] for x in listed.json()] == [sid]
    assert int(listed.headers["X-Consul-Index"]) >= s["CreateIndex"]
    assert [x["ID"] for x in http.get("/v1/session/node/test-node").json()] == [sid]
    assert http.get("/v1/session/node/elsewhere").json() == []
    assert info(http, "00000000-0000-0000-0000-000000000000") == []


def test_create_with_a_body(http: httpx.Client) -> None:
    sid = create(
        http,
        {"Name": "lock", "LockDelay": 5, "Behavior": "delete", "TTL": "20s", "Checks": []},
    )
    [s] = info(http, sid)
    assert (s["Name"], s["LockDelay"], s["Behavior"], s["TTL"], s["NodeChecks"]) == (
        "lock",
        5_000_000_000,
        "delete",
        "20s",
        [],
    )
    sid = create(http, {"lockdelay": "250ms", "nodechecks": ["serfHealth"], "ttl": "0s"})
    [s] = info(http, sid)
    assert (s["LockDelay"], s["NodeChecks"], s["TTL"]) == (250_000_000, ["serfHealth"], "0s")
    sid = create(http, {"LockDelay": 2_000_000_000, "ServiceChecks": [{"ID": "serfHealth"}]})
    [s] = info(http, sid)
    assert s["LockDelay"] == 2_000_000_000
    assert s["ServiceChecks"] == [{"ID": "serfHealth", "Namespace": ""}]


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"Behavior": "bogus"}, 500, "Invalid Behavior setting 'bogus'"),
        ({"TTL": "5s"}, 500, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"),
        ({"TTL": "25h"}, 500, "Invalid Session TTL '90000000000000', must be between"),
        ({"TTL": "abc"}, 500, "Session TTL 'abc' invalid: time: invalid duration \"abc\""),
        ({"Node": "ghost"}, 500, "Missing node registration"),
        ({"NodeChecks": ["nope"]}, 500, "Missing check 'nope' registration"),
        ({"LockDelay": "forever"}, 400, "Request decode failed"),
        ({"Checks": "serfHealth"}, 400, "Request decode failed"),
    ],
)
def test_create_errors(http: httpx.Client, body: dict[str, Any], status: int, text: str) -> None:
    r = http.put("/v1/session/create", json=body)
    assert r.status_code == status and r.text.startswith(text), r.text
    assert http.get("/v1/session/list").json() == []


def serf_health(http: httpx.Client, status: str) -> None:
    """The agent's own node check (anti-entropy leaves it to the server, so tests may set it)."""
    check = {"CheckID": "serfHealth", "Name": "Serf Health Status", "Status": status}
    register(http, {"Node": "test-node", "Address": "127.0.0.1", "Check": check})


def test_create_refuses_a_critical_check(http: httpx.Client) -> None:
    serf_health(http, "critical")
    r = http.put("/v1/session/create")
    assert (r.status_code, r.text) == (500, "Check 'serfHealth' is in critical state")
    r = http.put("/v1/session/create", content=b"{bad")
    assert r.status_code == 400 and r.text.startswith("Request decode failed")


def test_renew_and_destroy(http: httpx.Client) -> None:
    sid = create(http, {"TTL": "15s"})
    r = http.put(f"/v1/session/renew/{sid}")
    assert r.status_code == 200 and [s["ID"] for s in r.json()] == [sid]
    assert r.json()[0]["TTL"] == "15s"
    r = http.put("/v1/session/renew/nope")
    assert (r.status_code, r.text) == (404, "Session id 'nope' not found")
    r = http.put(f"/v1/session/destroy/{sid}")
    assert (r.status_code, r.text) == (200, "true\n")
    assert info(http, sid) == []
    assert http.put("/v1/session/destroy/nope").text == "true\n"
    r = http.put("/v1/session/destroy/")
    assert (r.status_code, r.text) == (400, "Missing session")
    assert http.get("/v1/session/create").status_code == 405


def test_acquire_and_release(http: httpx.Client) -> None:
    one, two = create(http), create(http)
    assert acquire(http, "lock", one, b"mine") == "true\n"
    e = kv_entry(http, "lock")
    assert e is not None and (e["Session"], e["LockIndex"]) == (one, 1)
    assert base64.b64decode(e["Value"]) == b"mine"
    assert acquire(http, "lock", two) == "false\n"  # held by another session
    assert acquire(http, "lock", one, b"again") == "true\n"  # same holder: LockIndex unchanged
    assert kv_entry(http, "lock")["LockIndex"] == 1  # type: ignore[index]
    assert http.put(f"/v1/kv/lock?release={two}").text == "false\n"
    assert http.put(f"/v1/kv/lock?release={one}", content=b"done").text == "true\n"
    e = kv_entry(http, "lock")
    assert e is not None and "Session" not in e and e["LockIndex"] == 1
    assert acquire(http, "lock", two) == "true\n"  # an explicit release has no lock-delay
    assert kv_entry(http, "lock")["LockIndex"] == 2  # type: ignore[index]


def test_destroy_releases_with_a_lock_delay(http: httpx.Client) -> None:
    one = create(http, {"LockDelay": "2s"})
    two = create(http)
    assert acquire(http, "app/leader", one, b"state") == "true\n"
    before = kv_entry(http, "app/leader")
    assert http.put(f"/v1/session/destroy/{one}").text == "true\n"
    e = kv_entry(http, "app/leader")
    assert e is not None and before is not None
    assert "Session" not in e and e["LockIndex"] == 1 and e["Value"] == before["Value"]
    assert e["ModifyIndex"] > before["ModifyIndex"]
    assert acquire(http, "app/leader", two) == "false\n"  # within the lock-delay
    r = http.put("/v1/txn", json=[{"KV": {"Verb": "lock", "Key": "app/leader", "Session": two}}])
    assert r.status_code == 409
    assert r.json()["Errors"] == [
        {"OpIndex": 0, "What": 'failed to lock key "app/leader" due to lock delay'}
    ]
    started = time.monotonic()
    wait_for(lambda: acquire(http, "app/leader", two) == "true\n", timeout=5, interval=0.1)
    assert time.monotonic() - started < 4
    assert kv_entry(http, "app/leader")["Session"] == two  # type: ignore[index]


def test_behavior_delete_removes_the_keys(http: httpx.Client) -> None:
    sid = create(http, {"Behavior": "delete", "LockDelay": "0s"})
    assert acquire(http, "eph/a", sid) == "true\n"
    http.put("/v1/kv/eph/b", content=b"plain")
    http.put(f"/v1/session/destroy/{sid}")
    assert kv_entry(http, "eph/a") is None
    assert kv_entry(http, "eph/b") is not None


def test_txn_lock_unlock_and_check_session(http: httpx.Client) -> None:
    sid = create(http)
    ops = [
        {"KV": {"Verb": "lock", "Key": "t", "Value": "eA==", "Session": sid}},
        {"KV": {"Verb": "check-session", "Key": "t", "Session": sid}},
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 200, r.text
    assert [x["KV"]["Session"] for x in r.json()["Results"]] == [sid, sid]
    r = http.put("/v1/txn", json=[{"KV": {"Verb": "check-session", "Key": "t", "Session": ""}}])
    assert r.status_code == 409
    r = http.put("/v1/txn", json=[{"KV": {"Verb": "unlock", "Key": "t", "Session": sid}}])
    assert r.status_code == 200
    assert "Session" not in kv_entry(http, "t")  # type: ignore[operator]


def test_a_critical_check_invalidates_the_session(http: httpx.Client) -> None:
    node = {"Node": "db1", "Address": "10.0.0.9"}
    register(http, {**node, "Check": {"CheckID": "disk", "Name": "disk", "Status": "passing"}})
    sid = create(http, {"Node": "db1", "NodeChecks": ["disk"]})
    other = create(http)
    assert acquire(http, "svc/leader", sid) == "true\n"
    register(http, {**node, "Check": {"CheckID": "disk", "Name": "disk", "Status": "warning"}})
    assert len(info(http, sid)) == 1
    register(http, {**node, "Check": {"CheckID": "disk", "Name": "disk", "Status": "critical"}})
    assert info(http, sid) == []
    assert len(info(http, other)) == 1  # it does not depend on the disk check
    assert "Session" not in kv_entry(http, "svc/leader")  # type: ignore[operator]
    assert acquire(http, "svc/leader", other) == "false\n"  # lock-delay after invalidation

    serf_health(http, "critical")  # the agent's node check: its default sessions go
    assert info(http, other) == []


def test_blocking_info_wakes_on_destroy(http: httpx.Client, agent: AgentThread) -> None:
    sid = create(http)
    index = int(http.get(f"/v1/session/info/{sid}").headers["X-Consul-Index"])
    got: list[httpx.Response] = []
    t = threading.Thread(
        target=lambda: got.append(
            httpx.get(f"{agent.url}/v1/session/info/{sid}?index={index}&wait=20s", timeout=30)
        )
    )
    t.start()
    wait_for(lambda: len(agent.agent.store.hub) > 0)  # the read is blocked
    create(http)  # another session does not wake it
    t.join(0.3)
    assert not got
    http.put(f"/v1/session/destroy/{sid}")
    t.join(10)
    assert got and got[0].json() == []
    assert int(got[0].headers["X-Consul-Index"]) > index


def test_ttl_sessions_expire_unless_renewed() -> None:
    agent = AgentThread("-hcl", 'session_ttl_min = "100ms"').start()
    try:
        with httpx.Client(base_url=agent.url, timeout=30) as http:
            r = http.put("/v1/session/create", json={"TTL": "50ms"})
            assert (r.status_code, r.text) == (
                500,
                "Invalid Session TTL '50000000', must be between [100ms=24h0m0s]",
            )
            sid = create(http, {"TTL": "200ms", "LockDelay": "0s"})
            kept = create(http, {"TTL": "1s"})
            assert acquire(http, "ttl/lock", sid) == "true\n"
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:  # renewed well within 2 x TTL: it stays
                assert http.put(f"/v1/session/renew/{kept}").status_code == 200
                time.sleep(0.1)
            assert info(http, sid) == []  # expired after 2 x TTL without a renew
            assert len(info(http, kept)) == 1
            assert "Session" not in kv_entry(http, "ttl/lock")  # type: ignore[operator]
            wait_for(lambda: info(http, kept) == [], timeout=5)
    finally:
        agent.stop()


@pytest.mark.parametrize(
    ("body", "node_checks"),
    [
        ({}, ("serfHealth",)),
        ({"Checks": []}, ()),
        ({"Checks": None}, ()),
        ({"Checks": [], "NodeChecks": ["a"]}, ()),  # Consul's quirk: empty Checks wins
        ({"Checks": ["serfHealth"], "NodeChecks": ["a"]}, ("a",)),
        ({"Checks": ["a", "b"]}, ("serfHealth", "a", "b")),
        ({"Checks": ["a"], "NodeChecks": []}, ()),
        ({"NodeChecks": ["x"]}, ("x",)),
    ],
)
def test_checks_follow_consuls_compatibility_rules(
    body: dict[str, Any], node_checks: tuple[str, ...]
) -> None:
    assert decode_create(orjson.dumps(body), "n").node_checks == node_checks


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(5, 5.0), ("5", 5.0), ("15s", 15.0), ("1.5m", 90.0), (2_000_000_000, 2.0), ("999ns", 999.0)],
)
def test_lock_delay_numbers_below_1000_are_seconds(raw: object, seconds: float) -> None:
    assert lock_delay(raw) == seconds
