from __future__ import annotations

import asyncio

from agentd.fsm import FSM
from agentd.state.kv import KVEntry
from agentd.state.store import Store
from agentd.structs.catalog import Node
from agentd.structs.session import Session


def kv(fsm: FSM, verb: str, key: str, value: bytes | None = b"v", **kw: object) -> object:
    op = {"Verb": verb, "Key": key, "Value": value, **kw}
    return fsm.apply(fsm.last_index + 1, {"Type": 1, "Op": op})


def test_set_keeps_create_index_and_bumps_modify() -> None:
    store = Store()
    fsm = FSM(store)
    assert kv(fsm, "set", "a") is True
    assert kv(fsm, "set", "a", b"w") is True
    _, e = store.kv.get(None, "a")
    assert e is not None and (e.create_index, e.modify_index, e.value) == (1, 2, b"w")


def test_cas_rules() -> None:
    fsm = FSM(Store())
    assert kv(fsm, "cas", "a", Index=0) is True  # create only if absent
    assert kv(fsm, "cas", "a", Index=0) is False
    assert kv(fsm, "cas", "a", Index=99) is False
    assert kv(fsm, "cas", "a", Index=1) is True
    assert kv(fsm, "delete-cas", "a", Index=1) is False
    assert kv(fsm, "delete-cas", "a", Index=4) is True
    assert kv(fsm, "delete-cas", "missing", Index=7) is True  # Consul's quirk


def test_lock_needs_a_session() -> None:
    fsm = FSM(Store())
    err = kv(fsm, "lock", "a", Session="")
    assert isinstance(err, Exception) and str(err) == "missing session"
    err = kv(fsm, "lock", "a", Session="abc")
    assert isinstance(err, Exception) and str(err) == 'invalid session "abc"'


def test_lock_and_unlock_with_a_session() -> None:
    store = Store()
    store.catalog.ensure_node(1, Node("n", "10.0.0.1"))
    store.sessions.create(1, Session("s1", "n"))
    store.sessions.create(1, Session("s2", "n"))
    fsm = FSM(store)
    assert kv(fsm, "lock", "l", b"1", Session="s1") is True
    assert kv(fsm, "lock", "l", b"2", Session="s1") is True  # same holder: no new LockIndex
    assert kv(fsm, "lock", "l", b"3", Session="s2") is False
    assert kv(fsm, "set", "l", b"plain") is True  # plain PUT keeps the holder
    e = store.kv.get(None, "l")[1]
    assert e is not None and (e.session, e.lock_index, e.value) == ("s1", 1, b"plain")
    assert kv(fsm, "unlock", "l", b"bye", Session="s2") is False
    assert kv(fsm, "unlock", "l", b"bye", Session="s1") is True
    e = store.kv.get(None, "l")[1]
    assert e is not None and (e.session, e.lock_index, e.value) == ("", 1, b"bye")


def test_indexes_of_missing_keys_and_prefixes() -> None:
    store = Store()
    fsm = FSM(store)
    kv(fsm, "set", "a/1")  # 1
    kv(fsm, "set", "b/1")  # 2
    assert store.kv.get(None, "nope") == (2, None)  # table index
    assert store.kv.tree(None, "a/")[0] == 1
    assert store.kv.tree(None, "zzz")[0] == 2  # nothing under it: table index
    kv(fsm, "delete", "a/1", None)  # 3, leaves a tombstone
    idx, entries = store.kv.tree(None, "a/")
    assert (idx, entries) == (3, [])
    kv(fsm, "set", "b/2")  # 4
    assert store.kv.tree(None, "a/")[0] == 3  # tombstone keeps it from sliding back
    assert store.kv.reap_tombstones(3) == 1
    assert store.kv.tree(None, "a/")[0] == 4  # reaped: falls back to the table index


def test_keys_with_separator() -> None:
    store = Store()
    fsm = FSM(store)
    for k in ["web/a", "web/sub/x", "web/sub/y", "web/sub2/z", "webz", "other"]:
        kv(fsm, "set", k)
    assert store.kv.keys(None, "web/", "/")[1] == ["web/a", "web/sub/", "web/sub2/"]
    assert store.kv.keys(None, "web", "/")[1] == ["web/", "webz"]
    assert store.kv.keys(None, "", "")[1] == sorted(
        ["web/a", "web/sub/x", "web/sub/y", "web/sub2/z", "webz", "other"]
    )


def test_delete_tree_and_snapshot_round_trip() -> None:
    store = Store()
    fsm = FSM(store)
    for k in ["x/1", "x/2", "y"]:
        kv(fsm, "set", k)
    kv(fsm, "delete-tree", "x/", None)
    assert [e.key for e in store.kv.tree(None, "")[1]] == ["y"]
    copy = Store()
    copy.load(store.last_index, store.image())
    assert copy.kv.tree(None, "") == store.kv.tree(None, "")
    assert copy.kv.tree(None, "x/")[0] == store.kv.tree(None, "x/")[0] == 4
    assert copy.last_index == 4


async def test_writes_wake_only_the_watchers_they_touch() -> None:
    store = Store()
    fsm = FSM(store)
    woken: list[str] = []

    async def watch(name: str, register: object) -> None:
        ws = store.watch_set()
        register(ws)  # type: ignore[operator]
        if await ws.wait(1.0):
            woken.append(name)

    tasks = [
        asyncio.create_task(watch("key a/b", lambda ws: store.kv.get(ws, "a/b"))),
        asyncio.create_task(watch("prefix a/", lambda ws: store.kv.tree(ws, "a/"))),
        asyncio.create_task(watch("prefix all", lambda ws: store.kv.tree(ws, ""))),
        asyncio.create_task(watch("key a/c", lambda ws: store.kv.get(ws, "a/c"))),
        asyncio.create_task(watch("prefix b/", lambda ws: store.kv.tree(ws, "b/"))),
    ]
    await asyncio.sleep(0.01)
    kv(fsm, "set", "a/b")
    await asyncio.wait_for(asyncio.gather(*tasks), 3)
    assert sorted(woken) == ["key a/b", "prefix a/", "prefix all"]


def test_entries_are_immutable_records() -> None:
    e = KVEntry("k")
    try:
        e.key = "j"  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("KVEntry must be frozen")
