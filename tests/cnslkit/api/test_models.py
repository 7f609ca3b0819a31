"""KVPair and txn records against Consul's JSON shapes."""

from __future__ import annotations

import pytest

from cnslkit.api.models import KVPair, KVTxnOp, TxnResult, b64decode, b64encode

WIRE = {
    "LockIndex": 1,
    "Key": "foo/bar",
    "Flags": 42,
    "Value": "YmF6",
    "Session": "adf4238a-882b-9ddc-4a9d-5b6758e4159e",
    "CreateIndex": 12,
    "ModifyIndex": 15,
}


def test_kvpair_round_trip() -> None:
    pair = KVPair.from_json(WIRE)
    assert pair == KVPair("foo/bar", b"baz", 42, 1, WIRE["Session"], 12, 15)  # type: ignore[arg-type]
    assert pair.to_json() == WIRE
    assert list(pair.to_json()) == list(WIRE)  # Consul's field order


def test_nil_value_and_no_session() -> None:
    wire = {
        "LockIndex": 0,
        "Key": "k",
        "Flags": 0,
        "Value": None,
        "CreateIndex": 3,
        "ModifyIndex": 3,
    }
    pair = KVPair.from_json(wire)
    assert pair.value is None and pair.session == ""
    assert pair.to_json() == wire


def test_base64_is_strict() -> None:
    assert b64encode(b"\x00\xff") == "AP8=" and b64encode(None) == ""
    assert b64decode("AP8=") == b"\x00\xff"
    with pytest.raises(ValueError):
        b64decode("not base64!")


def test_txn_op_and_result() -> None:
    assert KVTxnOp("cas", "k", b"v", index=5).to_json() == {
        "KV": {"Verb": "cas", "Key": "k", "Value": "dg==", "Index": 5}
    }
    ok = TxnResult.from_json({"Results": [{"KV": WIRE}], "Errors": None}, ok=True)
    assert ok.ok and ok.results[0].key == "foo/bar" and ok.errors == []
    failed = TxnResult.from_json(
        {"Results": None, "Errors": [{"OpIndex": 1, "What": "index is stale"}]}, ok=False
    )
    assert not failed.ok and failed.errors[0].op_index == 1 and failed.results == []
