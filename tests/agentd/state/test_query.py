from __future__ import annotations

from typing import Any

import msgpack
import pytest

from agentd.errors import AgentError
from agentd.fsm import FSM
from agentd.state.query_template import TemplateError, compile_template
from agentd.state.store import Store
from agentd.structs.catalog import Check, Health, Node, to_wire
from agentd.structs.commands import MessageType
from agentd.structs.query import (
    Failover,
    PreparedQuery,
    QueryTarget,
    QueryTemplate,
    ServiceQuery,
    from_wire,
)
from agentd.structs.query import to_wire as query_wire
from agentd.structs.session import Session
from agentd.structs.session import to_wire as session_wire

ID1 = "11111111-1111-1111-1111-111111111111"
ID2 = "22222222-2222-2222-2222-222222222222"
ID3 = "33333333-3333-3333-3333-333333333333"


def apply(fsm: FSM, cmd: dict[str, Any]) -> Any:
    return fsm.apply(fsm.last_index + 1, cmd)


def put(fsm: FSM, q: PreparedQuery) -> Any:
    return apply(
        fsm, {"Type": int(MessageType.PREPARED_QUERY), "Op": "set", "Query": query_wire(q)}
    )


def delete(fsm: FSM, query_id: str) -> Any:
    return apply(fsm, {"Type": int(MessageType.PREPARED_QUERY), "Op": "delete", "ID": query_id})


def query(qid: str, name: str = "", service: str = "web", **kw: Any) -> PreparedQuery:
    return PreparedQuery(qid, name, service=ServiceQuery(service), **kw)


def template(qid: str, name: str, service: str, regexp: str = "", **kw: Any) -> PreparedQuery:
    tmpl = QueryTemplate("name_prefix_match", regexp, **kw)
    return PreparedQuery(qid, name, template=tmpl, service=ServiceQuery(service))


@pytest.fixture
def fsm() -> FSM:
    return FSM(Store())


def test_set_get_list_delete(fsm: FSM) -> None:
    assert put(fsm, query(ID1, "web-query")) is True
    table = fsm.store.queries
    index, got = table.get(None, ID1)
    assert got is not None and (got.create_index, got.modify_index) == (1, 1) and index == 1
    assert put(fsm, query(ID1, "web-query", "api")) is True
    _, got = table.get(None, ID1)
    assert got is not None and (got.create_index, got.modify_index, got.service.service) == (
        1,
        2,
        "api",
    )
    put(fsm, query(ID2, "other"))
    assert [q.id for q in table.list_queries(None)[1]] == [ID1, ID2]
    assert delete(fsm, ID1) is True and delete(fsm, ID1) is False
    assert table.get(None, ID1)[1] is None and table.index == 4


def test_names_are_unique_and_not_ids(fsm: FSM) -> None:
    put(fsm, query(ID1, "Web"))
    err = put(fsm, query(ID2, "web"))
    assert isinstance(err, AgentError) and "aliases an existing query name" in err.message
    err = put(fsm, query(ID2, ID1))
    assert isinstance(err, AgentError) and "aliases an existing query ID" in err.message
    put(fsm, template(ID2, "", "${name.full}"))
    err = put(fsm, template(ID3, "", "x"))
    assert isinstance(err, AgentError) and "empty name already exists" in err.message


def test_resolve_order(fsm: FSM) -> None:
    put(fsm, query(ID1, "web-static", "static"))
    put(fsm, template(ID2, "web-", "tmpl-${name.suffix}"))
    put(fsm, template(ID3, "", "any-${name.full}"))
    table = fsm.store.queries
    assert table.resolve(None, ID1)[1] == table.get(None, ID1)[1]
    static = table.resolve(None, "WEB-STATIC")[1]
    assert static is not None and static.service.service == "static"
    rendered = table.resolve(None, "web-api")[1]
    assert rendered is not None and rendered.id == ID2 and rendered.service.service == "tmpl-api"
    fallback = table.resolve(None, "db")[1]
    assert fallback is not None and fallback.service.service == "any-db"
    assert table.resolve(None, "")[1] is None


def test_template_interpolation() -> None:
    q = PreparedQuery(
        ID1,
        "geo-db-",
        template=QueryTemplate("name_prefix_match", r"^geo-db-(.*?)-([^\-]+?)$", True),
        service=ServiceQuery(
            "mysql-${match(1)}",
            failover=Failover(datacenters=("${match(2)}",), targets=(QueryTarget(peer="p"),)),
            tags=("${match(9)}", "x-${name.prefix}", "$${literal}"),
            node_meta={"dc": "${match(2)}"},
            near="${agent.segment}",
        ),
    )
    tmpl = compile_template(q)
    assert tmpl is not None
    out = tmpl.render("geo-db-customer-primary", segment="seg")
    assert out.service.service == "mysql-customer"
    assert out.service.failover.datacenters == ("primary",)
    assert out.service.tags == ("x-geo-db-", "${literal}")  # the empty tag removed
    assert out.service.node_meta == {"dc": "primary"} and out.service.near == "seg"
    assert tmpl.render("geo-db-x").service.service == "mysql-"  # no match: ""
    full = compile_template(template(ID2, "a-", "${name.full}|${name.prefix}|${name.suffix}"))
    assert full is not None and full.render("a-b").service.service == "a-b|a-|b"


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (PreparedQuery(ID1, "x", template=QueryTemplate("nope")), "Bad Template.Type 'nope'"),
        (template(ID1, "x", "s", regexp="(unclosed"), "Bad Regexp"),
        (template(ID1, "x", "${bogus}"), "unknown 'bogus'"),
        (template(ID1, "x", "${name.full"), "missing"),
    ],
)
def test_bad_templates(q: PreparedQuery, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        compile_template(q)
    assert message in str(info.value)


def test_session_bound_queries_go_with_the_session(fsm: FSM) -> None:
    apply(
        fsm,
        {
            "Type": int(MessageType.REGISTER),
            "Node": to_wire(Node("n1", "10.0.0.1")),
            "Checks": [to_wire(Check("n1", "serfHealth", status=Health.PASSING))],
        },
    )
    sid = "aaaaaaaa-0000-0000-0000-000000000001"
    session = Session(sid, "n1", node_checks=("serfHealth",))
    apply(fsm, {"Type": int(MessageType.SESSION), "Op": "create", "Session": session_wire(session)})
    err = put(fsm, query(ID3, session="bbbbbbbb-0000-0000-0000-000000000000"))
    assert isinstance(err, AgentError) and "invalid session" in err.message
    assert put(fsm, query(ID1, session=sid)) is True
    put(fsm, query(ID2, "kept"))
    apply(fsm, {"Type": int(MessageType.SESSION), "Op": "destroy", "ID": sid, "Now": 1.0})
    assert [q.id for q in fsm.store.queries.list_queries(None)[1]] == [ID2]
    # invalidation through the catalog (the session's check going critical) too
    session2 = Session("aaaaaaaa-0000-0000-0000-000000000002", "n1", node_checks=("serfHealth",))
    apply(
        fsm, {"Type": int(MessageType.SESSION), "Op": "create", "Session": session_wire(session2)}
    )
    put(fsm, query(ID3, session=session2.id))
    apply(
        fsm,
        {
            "Type": int(MessageType.REGISTER),
            "Node": to_wire(Node("n1", "10.0.0.1")),
            "Checks": [to_wire(Check("n1", "serfHealth", status=Health.CRITICAL))],
        },
    )
    assert fsm.store.queries.get(None, ID3)[1] is None


def test_snapshot_round_trip(fsm: FSM) -> None:
    full = PreparedQuery(
        ID1,
        "geo-",
        token="t",
        template=QueryTemplate("name_prefix_match", "^geo-(.*)$", True),
        service=ServiceQuery(
            "${match(1)}",
            Failover(2, ("dc2",), (QueryTarget("p", "dc3", "part", "ns"),)),
            ("chk",),
            True,
            "_agent",
            ("a", "!b"),
            {"k": "v"},
            {"s": "m"},
            "peer",
            True,
        ),
        dns_ttl="10s",
    )
    put(fsm, full)
    image = msgpack.unpackb(msgpack.packb(fsm.snapshot()))
    restored = FSM(Store())
    restored.restore(7, image)
    got = restored.store.queries.get(None, ID1)[1]
    assert got == fsm.store.queries.get(None, ID1)[1]
    assert restored.store.queries.index == 1
    rendered = restored.store.queries.resolve(None, "geo-web")[1]
    assert rendered is not None and rendered.service.service == "web"
    assert from_wire(query_wire(full)) == full
