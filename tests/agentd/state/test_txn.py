from __future__ import annotations

from agentd.fsm import FSM
from agentd.state.store import Store
from agentd.state.txn import TxnResult


def txn(fsm: FSM, *ops: dict[str, object]) -> TxnResult:
    res = fsm.apply(fsm.last_index + 1, {"Type": 2, "Ops": [{"KV": op} for op in ops]})
    assert isinstance(res, TxnResult)
    return res


def test_all_or_nothing_with_every_error_listed() -> None:
    store = Store()
    fsm = FSM(store)
    txn(fsm, {"Verb": "set", "Key": "a", "Value": b"1"})
    res = txn(
        fsm,
        {"Verb": "set", "Key": "b", "Value": b"2"},
        {"Verb": "cas", "Key": "a", "Value": b"x", "Index": 77},
        {"Verb": "get", "Key": "nope"},
        {"Verb": "frob", "Key": "a"},
    )
    assert [(e.op_index, e.what) for e in res.errors] == [
        (1, 'failed to set key "a", index is stale'),
        (2, 'key "nope" doesn\'t exist'),
        (3, 'unknown KV verb "frob"'),
    ]
    assert res.results == []
    assert store.kv.get(None, "b")[1] is None  # nothing applied


def test_ops_see_earlier_ops_and_share_one_index() -> None:
    store = Store()
    fsm = FSM(store)
    res = txn(
        fsm,
        {"Verb": "set", "Key": "p/a", "Value": b"1"},
        {"Verb": "set", "Key": "p/b", "Value": b"2"},
        {"Verb": "get-tree", "Key": "p/"},
        {"Verb": "delete", "Key": "p/a"},
        {"Verb": "get-or-empty", "Key": "p/a"},
        {"Verb": "check-not-exists", "Key": "p/a"},
    )
    assert not res.errors
    keys = [(e.key, e.value, e.modify_index) for e in res.results]
    assert keys == [
        ("p/a", None, 1),  # write verbs report no value
        ("p/b", None, 1),
        ("p/a", b"1", 1),
        ("p/b", b"2", 1),
        ("p/a", None, 0),
    ]
    assert [e.key for e in store.kv.tree(None, "")[1]] == ["p/b"]
    assert store.kv.tree(None, "p/")[0] == 1
