from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import msgpack
import pytest

from agentd.fsm import FSM
from agentd.state.store import Store
from agentd.state.txn import TxnResult, op_from_wire, op_wire, run
from agentd.state.txn_catalog import CatalogOp
from agentd.structs.catalog import Check, Node, Service
from agentd.structs.commands import MessageType
from agentd.structs.session import Session
from agentd.structs.session import to_wire as session_to_wire


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


# ---- catalog ops: Node, Service, Check -------------------------------------------------------


def node_op(verb: str, name: str, address: str = "10.0.0.1", **kw: Any) -> dict[str, Any]:
    return op_wire(CatalogOp("Node", verb, node=Node(name, address, **kw)))


def svc_op(verb: str, node: str, sid: str, name: str = "", **kw: Any) -> dict[str, Any]:
    svc = Service(node, sid, name or sid, **kw)
    return op_wire(CatalogOp("Service", verb, node_name=node, service=svc))


def chk_op(verb: str, node: str, cid: str, **kw: Any) -> dict[str, Any]:
    return op_wire(CatalogOp("Check", verb, check=Check(node, cid, **kw)))


def kv_op(verb: str, key: str, value: bytes | None = None, **kw: Any) -> dict[str, Any]:
    return {"KV": {"Verb": verb, "Key": key, "Value": value, **kw}}


def mixed(fsm: FSM, *ops: dict[str, Any], now: float = 0.0) -> TxnResult:
    cmd: dict[str, Any] = {"Type": int(MessageType.TXN), "Ops": list(ops)}
    if now:
        cmd["Now"] = now
    res = fsm.apply(fsm.last_index + 1, cmd)
    assert isinstance(res, TxnResult)
    return res


def record_wakeups(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[Hashable]:
    """Every watch key the store's hub is asked to wake, in order."""
    woken: list[Hashable] = []
    monkeypatch.setattr(store.hub, "notify", woken.append)
    monkeypatch.setattr(store.hub, "notify_many", woken.extend)
    return woken


def errors(res: TxnResult) -> list[tuple[int, str]]:
    return [(e.op_index, e.what) for e in res.errors]


def test_node_verbs_and_cas() -> None:
    fsm = FSM(Store())
    catalog = fsm.store.catalog
    res = mixed(fsm, node_op("set", "n1", meta={"a": "1"}), node_op("get", "n1"))
    assert not res.errors
    first, got = res.results
    assert isinstance(first, Node) and (first.create_index, first.modify_index) == (1, 1)
    assert got == first and catalog.nodes["n1"].meta == {"a": "1"}

    assert mixed(fsm, node_op("set", "n1", meta={"a": "1"})).results[0].modify_index == 1
    assert errors(mixed(fsm, node_op("cas", "n1"))) == [
        (0, 'failed to set node "n1", index is stale')  # 0 = create only
    ]
    assert errors(mixed(fsm, node_op("cas", "n1", modify_index=7))) == [
        (0, 'failed to set node "n1", index is stale')
    ]
    res = mixed(fsm, node_op("cas", "n1", address="10.0.0.2", modify_index=1))
    assert not res.errors and res.results[0].modify_index == fsm.last_index
    assert catalog.nodes["n1"].address == "10.0.0.2"
    assert errors(mixed(fsm, node_op("cas", "n2", modify_index=3))) == [
        (0, 'failed to set node "n2", index is stale')
    ]
    assert not mixed(fsm, node_op("cas", "n2")).errors  # index 0: created

    bad = mixed(
        fsm,
        node_op("get", "nope"),
        node_op("delete-cas", "n1", modify_index=1),
        node_op("delete-cas", "ghost"),
        node_op("frob", "n1"),
    )
    assert errors(bad) == [
        (0, 'node "nope" doesn\'t exist'),
        (1, 'failed to delete node "n1", index is stale'),
        (2, 'failed to delete node "ghost", index is stale'),
        (3, 'unknown Node verb "frob"'),
    ]
    n1 = catalog.nodes["n1"].modify_index
    res = mixed(
        fsm,
        node_op("delete-cas", "n1", modify_index=n1),
        node_op("delete", "n2"),
        node_op("delete", "x"),
    )
    assert (res.errors, res.results, catalog.nodes) == ([], [], {})


def test_node_id_wins_over_the_name_and_renames() -> None:
    fsm = FSM(Store())
    catalog = fsm.store.catalog
    uid = "40e4a748-2192-161a-0510-9bf59fe950b5"
    mixed(fsm, node_op("set", "old", id=uid), svc_op("set", "old", "web"))
    got = mixed(fsm, node_op("get", "whatever", id=uid[:8])).results  # an ID prefix finds it
    assert [n.node for n in got] == ["old"]  # type: ignore[union-attr]
    res = mixed(fsm, node_op("set", "new", id=uid))
    assert not res.errors
    renamed = res.results[0]
    assert isinstance(renamed, Node) and renamed.node == "new"
    assert renamed.create_index == 1 and renamed.modify_index == fsm.last_index
    assert list(catalog.nodes) == ["new"] and catalog.services == {}  # the old node went whole

    # a live node (serfHealth passing) keeps its name from a node with another ID
    other = "11111111-2222-3333-4444-555555555555"
    mixed(
        fsm,
        node_op("set", "alive", id=other, address="10.0.0.9"),
        chk_op("set", "alive", "serfHealth", status="passing"),
    )
    assert errors(mixed(fsm, node_op("set", "alive", id=uid))) == [
        (
            0,
            f'Error while renaming Node ID: "{uid}" (10.0.0.1): Node name alive is reserved by '
            f"node {other} with name alive (10.0.0.9)",
        )
    ]
    third = "99999999-2222-3333-4444-555555555555"
    assert errors(mixed(fsm, node_op("set", "alive", id=third))) == [
        (
            0,
            f'Error while renaming Node ID: "{third}": Node name alive is reserved by '
            f"node {other} with name alive (10.0.0.9)",
        )
    ]


def test_service_verbs_and_cas() -> None:
    fsm = FSM(Store())
    catalog = fsm.store.catalog
    assert errors(mixed(fsm, svc_op("set", "n1", "web"))) == [(0, "Missing node registration")]
    res = mixed(
        fsm,
        node_op("set", "n1"),
        svc_op("set", "n1", "web1", "web", tags=("a",), port=80),
        chk_op("set", "n1", "c1", service_id="web1"),
        svc_op("get", "n1", "web1"),
    )
    assert not res.errors
    _, web, chk, got = res.results
    assert isinstance(web, Service) and (web.service, web.port) == ("web", 80)
    assert web.create_index == web.modify_index == fsm.last_index
    assert isinstance(chk, Check) and chk.service_name == "web" and chk.service_tags == ("a",)
    assert got == web

    stale = 'failed to set service "web1" on node "n1", index is stale'
    assert errors(mixed(fsm, svc_op("cas", "n1", "web1", "web"))) == [(0, stale)]
    assert errors(mixed(fsm, svc_op("cas", "n1", "web1", "web", modify_index=9))) == [(0, stale)]
    res = mixed(fsm, svc_op("cas", "n1", "web1", "web", port=81, modify_index=web.modify_index))
    assert not res.errors and catalog.services[("n1", "web1")].port == 81

    bad = mixed(
        fsm,
        svc_op("get", "n1", "nope"),
        svc_op("delete-cas", "n1", "web1", "web", modify_index=1),
        svc_op("delete-cas", "n1", "ghost"),
        svc_op("zap", "n1", "web1"),
    )
    assert errors(bad) == [
        (0, 'service "nope" on node "n1" doesn\'t exist'),
        (1, 'failed to delete service "web1" on node "n1", index is stale'),
        (2, 'failed to delete service "ghost" on node "n1", index is stale'),
        (3, 'unknown Service verb "zap"'),
    ]
    idx = catalog.services[("n1", "web1")].modify_index
    res = mixed(fsm, svc_op("delete-cas", "n1", "web1", "web", modify_index=idx))
    assert not res.errors and res.results == []
    assert catalog.services == {} and catalog.checks == {}  # its checks went with it
    assert not mixed(fsm, svc_op("delete", "n1", "web1")).errors  # absent: fine


def test_check_verbs_and_cas() -> None:
    fsm = FSM(Store())
    catalog = fsm.store.catalog
    assert errors(mixed(fsm, chk_op("set", "n1", "c"))) == [(0, "Missing node registration")]
    mixed(fsm, node_op("set", "n1"))
    assert errors(mixed(fsm, chk_op("set", "n1", "c", service_id="web"))) == [
        (0, "Missing service registration")
    ]
    res = mixed(fsm, chk_op("set", "n1", "c", status="", output="hi"), chk_op("get", "n1", "c"))
    set_, got = res.results
    assert isinstance(set_, Check) and set_.status == "critical"  # the default
    assert got == set_ and set_.create_index == set_.modify_index == fsm.last_index

    stale = 'failed to set check "c" on node "n1", index is stale'
    assert errors(mixed(fsm, chk_op("cas", "n1", "c", status="passing"))) == [(0, stale)]
    res = mixed(fsm, chk_op("cas", "n1", "c", status="passing", modify_index=set_.modify_index))
    assert not res.errors and catalog.checks[("n1", "c")].status == "passing"
    assert not mixed(fsm, chk_op("cas", "n1", "d", status="warning")).errors

    bad = mixed(
        fsm,
        chk_op("get", "n1", "zz"),
        chk_op("delete-cas", "n1", "c", modify_index=1),
        chk_op("delete-cas", "n1", "ghost"),
        chk_op("bump", "n1", "c"),
    )
    assert errors(bad) == [
        (0, 'check "zz" on node "n1" doesn\'t exist'),
        (1, 'failed to delete check "c" on node "n1", index is stale'),
        (2, 'failed to delete check "ghost" on node "n1", index is stale'),
        (3, 'unknown Check verb "bump"'),
    ]
    idx = catalog.checks[("n1", "c")].modify_index
    res = mixed(fsm, chk_op("delete-cas", "n1", "c", modify_index=idx), chk_op("delete", "n1", "d"))
    assert not res.errors and catalog.checks == {}


def test_a_failed_mixed_txn_leaves_catalog_and_kv_untouched_and_wakes_nobody(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store()
    fsm = FSM(store)
    mixed(fsm, node_op("set", "n1"), svc_op("set", "n1", "web"), kv_op("set", "k", b"v"))
    before = store.image()
    woken = record_wakeups(store, monkeypatch)
    res = mixed(
        fsm,
        kv_op("set", "k", b"changed"),
        kv_op("set", "k2", b"new"),
        node_op("set", "n2"),
        svc_op("set", "n2", "db"),
        svc_op("delete", "n1", "web"),
        node_op("delete", "n1"),
        chk_op("set", "n2", "c", service_id="db"),
        svc_op("cas", "n2", "db", modify_index=99),  # the one failure
    )
    assert errors(res) == [(7, 'failed to set service "db" on node "n2", index is stale')]
    assert res.results == []
    assert store.image() == before and woken == []


def test_a_commit_wakes_each_catalog_watch_once(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    fsm = FSM(store)
    mixed(fsm, node_op("set", "n1"))
    woken = record_wakeups(store, monkeypatch)
    res = mixed(
        fsm,
        node_op("set", "n1", meta={"v": "2"}),
        svc_op("set", "n1", "web"),
        svc_op("set", "n1", "web2", "web"),
        chk_op("set", "n1", "c1", service_id="web"),
        chk_op("set", "n1", "c2"),
    )
    assert not res.errors
    for key in [("service", "web"), ("node", "n1"), ("table", "services"), ("table", "checks")]:
        assert woken.count(key) == 1, key
    assert store.catalog.index("services", "checks", "nodes") == fsm.last_index
    assert store.catalog.service_index("web") == fsm.last_index


def test_catalog_ops_see_earlier_ops_of_the_same_txn() -> None:
    fsm = FSM(Store())
    res = mixed(
        fsm,
        node_op("set", "n1"),
        svc_op("set", "n1", "web"),
        chk_op("set", "n1", "c", service_id="web"),
        kv_op("set", "k", b"v"),
        svc_op("delete", "n1", "web"),
        chk_op("get", "n1", "c"),  # gone with its service
    )
    assert errors(res) == [(5, 'check "c" on node "n1" doesn\'t exist')]


def test_a_check_turning_critical_invalidates_its_sessions() -> None:
    store = Store()
    fsm = FSM(store)
    mixed(fsm, node_op("set", "n1"), chk_op("set", "n1", "serfHealth", status="passing"))
    session = Session(id="s1", node="n1", node_checks=("serfHealth",), lock_delay=15.0)
    fsm.apply(
        fsm.last_index + 1,
        {"Type": int(MessageType.SESSION), "Op": "create", "Session": session_to_wire(session)},
    )
    assert not mixed(fsm, kv_op("lock", "lk", b"x", Session="s1")).errors
    res = mixed(fsm, chk_op("set", "n1", "serfHealth", status="critical"), now=1000.0)
    assert not res.errors
    assert not store.sessions.exists("s1")
    held = store.kv.get(None, "lk")[1]
    assert held is not None and held.session == ""
    assert store.sessions.lock_delay_until("lk") == 1015.0


def test_read_only_catalog_gets_change_nothing() -> None:
    store = Store()
    fsm = FSM(store)
    mixed(fsm, node_op("set", "n1"), svc_op("set", "n1", "web"))
    before = store.image()
    ops = [op_from_wire(node_op("get", "n1")), op_from_wire(svc_op("get", "n1", "web"))]
    res = run(store, store.last_index, ops, write=False)
    assert [type(r) for r in res.results] == [Node, Service]
    assert store.image() == before


def test_replaying_the_log_gives_the_same_state() -> None:
    log = [
        {"Type": int(MessageType.TXN), "Ops": [node_op("set", "n1"), svc_op("set", "n1", "w")]},
        {"Type": int(MessageType.TXN), "Ops": [chk_op("set", "n1", "c"), kv_op("set", "a", b"1")]},
        {"Type": int(MessageType.TXN), "Ops": [svc_op("cas", "n1", "w", modify_index=5)]},
        {"Type": int(MessageType.TXN), "Ops": [node_op("delete", "n1")], "Now": 5.0},
    ]
    images = []
    for _ in range(2):
        store = Store()
        fsm = FSM(store)
        for i, cmd in enumerate(log, start=1):
            fsm.apply(i, msgpack.unpackb(msgpack.packb(cmd)))  # as the log stores it
        images.append(store.image())
    assert images[0] == images[1]
    assert images[0]["Catalog"]["Nodes"] == [] and images[0]["KV"]


def test_a_node_deleted_or_renamed_by_a_txn_loses_its_coordinates() -> None:
    fsm = FSM(Store())
    coords = fsm.store.coordinates
    mixed(fsm, node_op("set", "a"), node_op("set", "b", id="2b6a3f4e-0000-4000-8000-000000000001"))
    zero = {"Vec": [0.0] * 8, "Error": 1.5, "Adjustment": 0.0, "Height": 1e-05}
    updates = [{"Node": n, "Segment": "", "Coord": zero} for n in ("a", "b")]
    fsm.apply(
        fsm.last_index + 1,
        {"Type": int(MessageType.COORDINATE_BATCH_UPDATE), "Updates": updates},
    )
    assert [c.node for c in coords.list_all(None)[1]] == ["a", "b"]
    res = mixed(
        fsm,
        node_op("delete", "a"),
        node_op("set", "b2", id="2b6a3f4e-0000-4000-8000-000000000001"),  # renames b
    )
    assert not res.errors
    assert coords.list_all(None)[1] == []
