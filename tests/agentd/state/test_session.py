from __future__ import annotations

import asyncio
from typing import Any

import msgpack
import pytest

from agentd.errors import AgentError
from agentd.fsm import FSM
from agentd.state.store import Store
from agentd.structs.catalog import Check, Health, Node, to_wire
from agentd.structs.commands import MessageType
from agentd.structs.session import Session
from agentd.structs.session import to_wire as session_wire

NOW = 1_700_000_000.0


def apply(fsm: FSM, cmd: dict[str, Any]) -> Any:
    return fsm.apply(fsm.last_index + 1, cmd)


def register(fsm: FSM, node: str = "n1", *checks: Check, now: float = NOW) -> Any:
    return apply(
        fsm,
        {
            "Type": int(MessageType.REGISTER),
            "Node": to_wire(Node(node, "10.0.0.1")),
            "Checks": [to_wire(c) for c in checks],
            "Now": now,
        },
    )


def create(fsm: FSM, session: Session) -> Any:
    return apply(
        fsm, {"Type": int(MessageType.SESSION), "Op": "create", "Session": session_wire(session)}
    )


def destroy(fsm: FSM, session_id: str, now: float = NOW) -> Any:
    return apply(
        fsm, {"Type": int(MessageType.SESSION), "Op": "destroy", "ID": session_id, "Now": now}
    )


def kv(fsm: FSM, verb: str, key: str, session: str = "", now: float = NOW) -> Any:
    op = {"Verb": verb, "Key": key, "Value": b"v", "Session": session, "Now": now}
    return apply(fsm, {"Type": int(MessageType.KV), "Op": op})


def serf(node: str = "n1", status: str = Health.PASSING) -> Check:
    return Check(node, "serfHealth", "Serf Health Status", status)


@pytest.fixture
def fsm() -> FSM:
    f = FSM(Store())
    register(f, "n1", serf())
    return f


def test_create_checks_the_node_and_its_checks(fsm: FSM) -> None:
    err = create(fsm, Session("a", "ghost"))
    assert isinstance(err, AgentError) and err.message == "Missing node registration"
    err = create(fsm, Session("a", "n1", node_checks=("nope",)))
    assert isinstance(err, AgentError) and err.message == "Missing check 'nope' registration"
    register(fsm, "n1", Check("n1", "bad", status=Health.CRITICAL))
    err = create(fsm, Session("a", "n1", service_checks=(("bad", ""),)))
    assert isinstance(err, AgentError) and err.message == "Check 'bad' is in critical state"
    assert fsm.store.sessions.sessions == {}

    assert create(fsm, Session("a", "N1", node_checks=("serfHealth",))) == "a"
    index = fsm.last_index
    sessions = fsm.store.sessions
    assert sessions.get(None, "a") == (index, sessions.sessions["a"])
    s = sessions.sessions["a"]
    assert (s.create_index, s.modify_index) == (index, index)
    assert create(fsm, Session("b", "n1")) == "b"
    assert [x.id for x in sessions.list_sessions(None)[1]] == ["a", "b"]
    assert [x.id for x in sessions.node_sessions(None, "n1")[1]] == ["a", "b"]
    assert sessions.node_sessions(None, "other") == (index + 1, [])
    assert sessions.get(None, "zzz") == (index + 1, None)


def test_destroy_releases_keys_with_a_lock_delay(fsm: FSM) -> None:
    store = fsm.store
    create(fsm, Session("s", "n1", lock_delay=10))
    create(fsm, Session("other", "n1"))
    assert kv(fsm, "lock", "k", "s") is True
    assert kv(fsm, "lock", "free", "other") is True
    held = store.kv.get(None, "k")[1]
    assert held is not None and (held.session, held.lock_index) == ("s", 1)

    assert destroy(fsm, "s") is True
    index = fsm.last_index
    e = store.kv.get(None, "k")[1]
    assert e is not None
    assert (e.session, e.lock_index, e.value, e.modify_index) == ("", 1, b"v", index)
    assert store.kv.get(None, "free")[1].session == "other"  # type: ignore[union-attr]
    assert store.sessions.lock_delay_until("k") == NOW + 10
    assert destroy(fsm, "s") is False  # already gone

    assert kv(fsm, "lock", "k", "other", now=NOW + 5) is False  # within the lock-delay
    assert kv(fsm, "lock", "k", "other", now=NOW + 10.5) is True
    e = store.kv.get(None, "k")[1]
    assert e is not None and (e.session, e.lock_index) == ("other", 2)


def test_lock_delay_is_capped_and_skipped_without_a_clock(fsm: FSM) -> None:
    create(fsm, Session("s", "n1", lock_delay=3600))
    create(fsm, Session("t", "n1", lock_delay=3600))
    kv(fsm, "lock", "a", "s")
    kv(fsm, "lock", "b", "t")
    destroy(fsm, "s")
    assert fsm.store.sessions.lock_delay_until("a") == NOW + 60
    destroy(fsm, "t", now=0)  # no clock in the command: no lock-delay
    assert fsm.store.sessions.lock_delay_until("b") == 0


def test_txn_lock_reports_the_lock_delay(fsm: FSM) -> None:
    create(fsm, Session("s", "n1"))
    create(fsm, Session("t", "n1"))
    kv(fsm, "lock", "k", "s")
    destroy(fsm, "s")
    op = {"Verb": "lock", "Key": "k", "Session": "t", "Now": NOW + 1}
    result = apply(fsm, {"Type": int(MessageType.TXN), "Ops": [{"KV": op}]})
    assert [e.what for e in result.errors] == ['failed to lock key "k" due to lock delay']


def test_behavior_delete_removes_the_keys(fsm: FSM) -> None:
    create(fsm, Session("s", "n1", behavior="delete"))
    kv(fsm, "lock", "app/leader", "s")
    kv(fsm, "set", "app/other")
    destroy(fsm, "s")
    store = fsm.store
    assert store.kv.get(None, "app/leader")[1] is None
    assert list(store.kv.tombstones) == ["app/leader"]
    assert store.kv.tree(None, "app/")[0] == fsm.last_index
    assert store.kv.get(None, "app/other")[1] is not None


def test_a_critical_check_or_a_gone_node_invalidates(fsm: FSM) -> None:
    register(fsm, "n1", Check("n1", "web", status=Health.PASSING))
    create(fsm, Session("on-web", "n1", node_checks=(), service_checks=(("web", ""),)))
    create(fsm, Session("on-serf", "n1", node_checks=("serfHealth",)))
    create(fsm, Session("no-checks", "n1", node_checks=()))
    kv(fsm, "lock", "k", "on-web")
    register(fsm, "n1", Check("n1", "web", status=Health.WARNING))
    assert set(fsm.store.sessions.sessions) == {"on-web", "on-serf", "no-checks"}
    register(fsm, "n1", Check("n1", "web", status=Health.CRITICAL), now=NOW + 1)
    assert set(fsm.store.sessions.sessions) == {"on-serf", "no-checks"}
    assert fsm.store.kv.get(None, "k")[1].session == ""  # type: ignore[union-attr]
    assert fsm.store.sessions.lock_delay_until("k") == NOW + 1 + 15

    apply(fsm, {"Type": int(MessageType.DEREGISTER), "Node": "n1", "CheckID": "serfHealth"})
    assert set(fsm.store.sessions.sessions) == {"no-checks"}
    apply(fsm, {"Type": int(MessageType.DEREGISTER), "Node": "N1"})
    assert fsm.store.sessions.sessions == {}


def test_snapshot_round_trip(fsm: FSM) -> None:
    create(fsm, Session("s", "n1", ttl="30s", service_checks=()))
    create(fsm, Session("gone", "n1"))
    kv(fsm, "lock", "k", "gone")
    destroy(fsm, "gone")
    image = msgpack.unpackb(msgpack.packb(fsm.snapshot()))
    copy = Store()
    copy.load(fsm.last_index, image)
    assert copy.sessions.sessions == fsm.store.sessions.sessions
    assert copy.sessions.lock_delay_until("k") == NOW + 15
    assert copy.sessions.get(None, "s")[0] == fsm.store.sessions.get(None, "s")[0]


async def test_destroy_wakes_the_session_watchers(fsm: FSM) -> None:
    create(fsm, Session("a", "n1"))
    create(fsm, Session("b", "n1"))
    store = fsm.store

    async def woken(register: Any) -> bool:
        ws = store.watch_set()
        register(ws)
        return await ws.wait(1.0)

    on_a = asyncio.create_task(woken(lambda ws: store.sessions.get(ws, "a")))
    on_b = asyncio.create_task(woken(lambda ws: store.sessions.get(ws, "b")))
    on_list = asyncio.create_task(woken(store.sessions.list_sessions))
    await asyncio.sleep(0)
    destroy(fsm, "a")
    assert await on_a and await on_list
    done, _ = await asyncio.wait({on_b}, timeout=0.1)
    assert not done  # another session's watchers sleep on
    on_b.cancel()


def test_the_keys_a_session_holds_follow_every_kind_of_write(fsm: FSM) -> None:
    store = fsm.store
    create(fsm, Session("s", "n1"))
    create(fsm, Session("t", "n1"))
    for key in ("a/1", "a/2", "b", "c", "d"):
        assert kv(fsm, "lock", key, "s") is True
    assert kv(fsm, "unlock", "b", "s") is True  # released
    kv(fsm, "delete", "c")  # deleted while held
    kv(fsm, "delete-tree", "a/")  # the whole tree, while held
    assert kv(fsm, "lock", "e", "t") is True
    assert [e.key for e in store.kv.held_by("s")] == ["d"]
    assert destroy(fsm, "s") is True
    assert [(e.key, e.session) for e in store.kv.tree(None, "")[1]] == [
        ("b", ""),
        ("d", ""),
        ("e", "t"),
    ]
    assert store.kv.held_by("s") == []

    image = msgpack.unpackb(msgpack.packb(fsm.snapshot()))
    copy = Store()
    copy.load(fsm.last_index, image)
    assert [e.key for e in copy.kv.held_by("t")] == ["e"]
    destroy(fsm, "t")
    assert store.kv.held_by("t") == [] and store.kv.get(None, "e")[1].session == ""  # type: ignore[union-attr]
