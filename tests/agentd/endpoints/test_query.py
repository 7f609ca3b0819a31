from __future__ import annotations

import random
from typing import Any

import pytest

from agentd.endpoints import query as endpoint
from agentd.errors import AgentError, NotFound
from agentd.fsm import FSM
from agentd.state.store import Store
from agentd.structs.catalog import Check, Health, Node, Service, to_wire
from agentd.structs.commands import MessageType
from agentd.structs.query import (
    Failover,
    PreparedQuery,
    QueryTarget,
    QueryTemplate,
    ServiceQuery,
)
from agentd.structs.query import to_wire as query_wire


def apply(fsm: FSM, cmd: dict[str, Any]) -> Any:
    return fsm.apply(fsm.last_index + 1, cmd)


def register(
    fsm: FSM,
    node: str,
    addr: str,
    *,
    tags: tuple[str, ...] = (),
    status: str = Health.PASSING,
    node_meta: dict[str, str] | None = None,
    svc_meta: dict[str, str] | None = None,
    check_id: str = "web-check",
    service: Service | None = None,
) -> None:
    svc = service or Service(node, "web", "web", tags=tags, meta=svc_meta or {}, port=80)
    chk = Check(node, check_id, status=status, service_id=svc.id)
    apply(
        fsm,
        {
            "Type": int(MessageType.REGISTER),
            "Node": to_wire(Node(node, addr, meta=node_meta or {})),
            "Service": to_wire(svc),
            "Checks": [to_wire(chk)],
        },
    )


def define(fsm: FSM, svc: ServiceQuery, name: str = "q", **kw: Any) -> None:
    q = PreparedQuery("11111111-1111-1111-1111-111111111111", name, service=svc, **kw)
    apply(fsm, {"Type": int(MessageType.PREPARED_QUERY), "Op": "set", "Query": query_wire(q)})


def run(fsm: FSM, name: str = "q", **kw: Any) -> list[str]:
    result = endpoint.execute_now(fsm.store, name, agent_node="n2", datacenter="dc1", **kw)
    return [i.node.node for i in result.nodes]


@pytest.fixture
def fsm() -> FSM:
    f = FSM(Store())
    register(f, "n1", "10.0.0.1", tags=("v1", "Primary"), node_meta={"rack": "a"})
    register(f, "n2", "10.0.0.2", tags=("v1",), status=Health.WARNING, svc_meta={"env": "prod"})
    register(f, "n3", "10.0.0.3", tags=("v2",), status=Health.CRITICAL)
    return f


def test_health_filters(fsm: FSM) -> None:
    define(fsm, ServiceQuery("web"))
    assert sorted(run(fsm)) == ["n1", "n2"]
    define(fsm, ServiceQuery("web", only_passing=True))
    assert run(fsm) == ["n1"]
    define(fsm, ServiceQuery("web", ignore_check_ids=("web-check",), only_passing=True))
    assert sorted(run(fsm)) == ["n1", "n2", "n3"]


def test_tag_and_meta_filters(fsm: FSM) -> None:
    define(fsm, ServiceQuery("web", tags=("v1", "!primary")))
    assert run(fsm) == ["n2"]
    define(fsm, ServiceQuery("web", tags=("PRIMARY",)))
    assert run(fsm) == ["n1"]
    define(fsm, ServiceQuery("web", node_meta={"rack": "a"}))
    assert run(fsm) == ["n1"]
    define(fsm, ServiceQuery("web", service_meta={"env": "prod"}))
    assert run(fsm) == ["n2"]


def test_near_limit_and_shuffle(fsm: FSM) -> None:
    for i in range(4, 12):
        register(fsm, f"n{i}", f"10.0.0.{i}")
    define(fsm, ServiceQuery("web", near="_agent"))
    assert all(run(fsm, rng=random.Random(s))[0] == "n2" for s in range(10))
    orders = {tuple(run(fsm, rng=random.Random(s))[1:]) for s in range(10)}
    assert len(orders) > 1
    define(fsm, ServiceQuery("web", near="_ip"))
    assert run(fsm, source=endpoint.Source(ip="10.0.0.5"))[0] == "n5"
    define(fsm, ServiceQuery("web"))
    assert run(fsm, source=endpoint.Source(node="n7"))[0] == "n7"
    assert len(run(fsm, limit=3)) == 3


def test_templates_and_not_found(fsm: FSM) -> None:
    tmpl = QueryTemplate("name_prefix_match")
    define(fsm, ServiceQuery("${name.suffix}"), name="svc-", template=tmpl)
    result = endpoint.execute_now(fsm.store, "svc-web", agent_node="n", datacenter="dc1")
    assert result.query.service.service == "web" and len(result.nodes) == 2
    with pytest.raises(NotFound, match="Query not found"):
        endpoint.execute_now(fsm.store, "nope", agent_node="n", datacenter="dc1")


def test_failover_without_federation(fsm: FSM) -> None:
    define(fsm, ServiceQuery("db", failover=Failover(2, ("dc2", "dc3"))))
    result = endpoint.execute_now(fsm.store, "q", agent_node="n", datacenter="dc1")
    assert (result.nodes, result.datacenter, result.failovers) == ([], "dc1", 0)


def test_failover_order() -> None:
    fo = Failover(1, ("dc3", "dc1", "dc9", "dc2"))
    assert endpoint.failover_datacenters(fo, "dc1", ["dc2", "dc3"]) == ["dc2", "dc3"]
    targets = Failover(targets=(QueryTarget(datacenter="dc3"), QueryTarget(peer="p")))
    assert endpoint.failover_datacenters(targets, "dc1", ["dc2", "dc3"]) == ["dc3"]
    assert endpoint.failover_datacenters(fo, "dc1", []) == []


def test_connect_capable_instances(fsm: FSM) -> None:
    proxy = Service(
        "n1",
        "web-sidecar-proxy",
        "web-sidecar-proxy",
        kind="connect-proxy",
        port=21000,
        proxy={"DestinationServiceName": "web"},
    )
    register(fsm, "n1", "10.0.0.1", service=proxy, check_id="proxy-check")
    define(fsm, ServiceQuery("web", connect=True))
    result = endpoint.execute_now(fsm.store, "q", agent_node="n", datacenter="dc1")
    assert [i.service.id for i in result.nodes] == ["web-sidecar-proxy"]


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (PreparedQuery("", "", service=ServiceQuery("web")), "Must be bound to a session"),
        (PreparedQuery("", "x"), "Must provide a Service name to query"),
        (
            PreparedQuery("", "x", service=ServiceQuery("w", failover=Failover(-1))),
            "Bad NearestN '-1', must be >= 0",
        ),
        (
            PreparedQuery(
                "",
                "x",
                service=ServiceQuery(
                    "w", failover=Failover(1, targets=(QueryTarget(datacenter="d"),))
                ),
            ),
            "Targets cannot be populated with NearestN or Datacenters",
        ),
        (PreparedQuery("", "x", service=ServiceQuery("w"), dns_ttl="soon"), "Bad DNS TTL 'soon'"),
        (PreparedQuery("", "x", token="<hidden>", service=ServiceQuery("w")), "redacted token"),
        (
            PreparedQuery("", "x", template=QueryTemplate("other"), service=ServiceQuery("w")),
            "Bad Template.Type 'other'",
        ),
    ],
)
def test_validation(q: PreparedQuery, message: str) -> None:
    with pytest.raises(AgentError) as info:
        endpoint.validate(q)
    assert info.value.message.startswith("Invalid prepared query: ")
    assert message in info.value.message
