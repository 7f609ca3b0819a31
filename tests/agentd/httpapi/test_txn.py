from __future__ import annotations

import base64

import httpx


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def test_txn_success_and_results(http: httpx.Client) -> None:
    ops = [
        {"KV": {"Verb": "set", "Key": "t/a", "Value": b64("1")}},
        {"kv": {"verb": "set", "key": "t/b", "value": b64("2"), "flags": 3}},
        {"KV": {"Verb": "get-tree", "Key": "t/"}},
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Errors"] is None
    results = [x["KV"] for x in body["Results"]]
    assert [x["Key"] for x in results] == ["t/a", "t/b", "t/a", "t/b"]
    assert results[0]["Value"] is None and base64.b64decode(results[3]["Value"]) == b"2"
    assert results[3]["Flags"] == 3
    assert http.get("/v1/kv/t/a").status_code == 200


def test_txn_rollback_is_409_with_every_error(http: httpx.Client) -> None:
    ops = [
        {"KV": {"Verb": "set", "Key": "r/a", "Value": b64("1")}},
        {"KV": {"Verb": "cas", "Key": "r/a", "Value": b64("1"), "Index": 99}},
        {"KV": {"Verb": "check-index", "Key": "r/none", "Index": 1}},
    ]
    r = http.put("/v1/txn", json=ops)
    assert r.status_code == 409
    assert r.json() == {
        "Results": None,
        "Errors": [
            {"OpIndex": 1, "What": 'failed to set key "r/a", index is stale'},
            {"OpIndex": 2, "What": 'failed to check index, key "r/none" doesn\'t exist'},
        ],
    }
    assert http.get("/v1/kv/r/a").status_code == 404


def test_read_only_txn_is_a_read(http: httpx.Client) -> None:
    http.put("/v1/kv/ro", content=b"x")
    r = http.put("/v1/txn?stale", json=[{"KV": {"Verb": "get", "Key": "ro"}}])
    assert r.status_code == 200
    assert r.headers["X-Consul-KnownLeader"] == "true"
    assert "X-Consul-Index" not in r.headers


def test_txn_limits_and_bad_bodies(http: httpx.Client) -> None:
    ops = [{"KV": {"Verb": "get", "Key": f"k{i}"}} for i in range(129)]
    r = http.put("/v1/txn", json=ops)
    assert (r.status_code, r.text) == (413, "Transaction contains too many operations (129 > 128)")
    r = http.put("/v1/txn", content=b"{not json")
    assert r.status_code == 400 and r.text.startswith("Failed to parse body:")
    r = http.put("/v1/txn", json=[{"KV": {"Verb": "set", "Key": "v", "Value": "!!!"}}])
    assert r.status_code == 400
    big = base64.b64encode(b"x" * (512 * 1024 + 1)).decode()
    r = http.put("/v1/txn", json=[{"KV": {"Verb": "set", "Key": "v", "Value": big}}])
    assert r.status_code == 413
    r = http.put("/v1/txn", json=[{"KV": {"Verb": "nope", "Key": "v"}}])
    assert r.status_code == 409 and r.json()["Errors"][0]["What"] == 'unknown KV verb "nope"'
