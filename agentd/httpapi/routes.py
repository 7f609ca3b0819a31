"""THE route table: every HTTP API path agentd serves, with its methods. Nothing is routed that
is not listed here."""

from __future__ import annotations

from agentd.httpapi import (
    acl,
    acl_templated,
    agent,
    agent_cluster,
    agent_local,
    catalog,
    coordinate,
    event,
    health,
    kv,
    metrics,
    monitor,
    session,
    snapshot,
    status,
    txn,
)
from agentd.httpapi import query as prepared_query
from agentd.httpapi.need import filtered, in_handler, path, public, scalar, this_agent
from agentd.httpapi.router import Route, Router

ROUTES = [
    Route("/v1/acl/bootstrap", {"PUT": acl.bootstrap}, {"PUT": public()}),
    Route("/v1/acl/policies", {"GET": acl.policy_list}, {"GET": scalar("acl", "read")}),
    Route("/v1/acl/policy", {"PUT": acl.policy_create}, {"PUT": scalar("acl", "write")}),
    Route(
        "/v1/acl/policy/",
        {"GET": acl.policy_item, "PUT": acl.policy_item, "DELETE": acl.policy_item},
        {
            "GET": scalar("acl", "read"),
            "PUT": scalar("acl", "write"),
            "DELETE": scalar("acl", "write"),
        },
    ),
    Route("/v1/acl/replication", {"GET": acl.replication}, {"GET": public()}),
    Route("/v1/acl/role", {"PUT": acl.role_create}, {"PUT": scalar("acl", "write")}),
    Route(
        "/v1/acl/role/",
        {"GET": acl.role_item, "PUT": acl.role_item, "DELETE": acl.role_item},
        {
            "GET": scalar("acl", "read"),
            "PUT": scalar("acl", "write"),
            "DELETE": scalar("acl", "write"),
        },
    ),
    Route("/v1/acl/roles", {"GET": acl.role_list}, {"GET": scalar("acl", "read")}),
    Route("/v1/acl/token", {"PUT": acl.token_create}, {"PUT": scalar("acl", "write")}),
    Route(
        "/v1/acl/token/",
        {"GET": acl.token_item, "PUT": acl.token_item, "DELETE": acl.token_item},
        {
            "GET": in_handler("acl:read, except token/self which needs only the secret"),
            "PUT": scalar("acl", "write"),
            "DELETE": scalar("acl", "write"),
        },
    ),
    Route("/v1/acl/tokens", {"GET": acl.token_list}, {"GET": scalar("acl", "read")}),
    Route(
        "/v1/acl/templated-policies",
        {"GET": acl_templated.templated_policy_list},
        {"GET": scalar("acl", "read")},
    ),
    Route(
        "/v1/acl/templated-policy/",
        {"GET": acl_templated.templated_policy_item, "POST": acl_templated.templated_policy_item},
        {"GET": scalar("acl", "read"), "POST": scalar("acl", "read")},
    ),
    Route(
        "/v1/agent/check/deregister/",
        {"PUT": agent_local.check_deregister},
        {"PUT": in_handler("check: agent:write, or service:write for a service check")},
    ),
    Route(
        "/v1/agent/check/fail/",
        {"PUT": agent_local.check_fail},
        {"PUT": in_handler("check: agent:write, or service:write for a service check")},
    ),
    Route(
        "/v1/agent/check/pass/",
        {"PUT": agent_local.check_pass},
        {"PUT": in_handler("check: agent:write, or service:write for a service check")},
    ),
    Route(
        "/v1/agent/check/register",
        {"PUT": agent_local.check_register},
        {"PUT": in_handler("check: node:write, or service:write for a service check")},
    ),
    Route(
        "/v1/agent/check/update/",
        {"PUT": agent_local.check_update},
        {"PUT": in_handler("check: agent:write, or service:write for a service check")},
    ),
    Route(
        "/v1/agent/check/warn/",
        {"PUT": agent_local.check_warn},
        {"PUT": in_handler("check: agent:write, or service:write for a service check")},
    ),
    Route("/v1/agent/checks", {"GET": agent_local.checks}, {"GET": filtered("service")}),
    Route(
        "/v1/agent/health/service/id/",
        {"GET": agent_local.health_by_id},
        {"GET": in_handler("service:read on the service's name")},
    ),
    Route(
        "/v1/agent/health/service/name/",
        {"GET": agent_local.health_by_name},
        {"GET": path("service", "read", "/v1/agent/health/service/name/")},
    ),
    Route("/v1/agent/maintenance", {"PUT": agent_local.maintenance}, {"PUT": this_agent("write")}),
    Route(
        "/v1/agent/force-leave/",
        {"PUT": agent_cluster.force_leave},
        {"PUT": scalar("operator", "write")},
    ),
    Route("/v1/agent/join/", {"PUT": agent_cluster.join}, {"PUT": this_agent("write")}),
    Route("/v1/agent/leave", {"PUT": agent_cluster.leave}, {"PUT": this_agent("write")}),
    Route("/v1/agent/members", {"GET": agent_local.members}, {"GET": filtered("node")}),
    Route("/v1/agent/metrics", {"GET": metrics.metrics}, {"GET": this_agent("read")}),
    Route("/v1/agent/monitor", {"GET": monitor.monitor}, {"GET": this_agent("read")}),
    Route("/v1/agent/reload", {"PUT": agent_local.reload}, {"PUT": this_agent("write")}),
    Route("/v1/agent/token/", {"PUT": acl.agent_token}, {"PUT": scalar("acl", "write")}),
    Route("/v1/agent/self", {"GET": agent.self_}, {"GET": this_agent("read")}),
    Route(
        "/v1/agent/service/",
        {"GET": agent_local.service},
        {"GET": in_handler("service:read on the service's name")},
    ),
    Route(
        "/v1/agent/service/deregister/",
        {"PUT": agent_local.service_deregister},
        {"PUT": in_handler("service:write on the service's name")},
    ),
    Route(
        "/v1/agent/service/maintenance/",
        {"PUT": agent_local.service_maintenance},
        {"PUT": in_handler("service:write on the service's name")},
    ),
    Route(
        "/v1/agent/service/register",
        {"PUT": agent_local.service_register},
        {"PUT": in_handler("service:write on the name in the body")},
    ),
    Route("/v1/agent/services", {"GET": agent_local.services}, {"GET": filtered("service")}),
    Route("/v1/catalog/connect/", {"GET": catalog.connect}, {"GET": filtered("service")}),
    Route("/v1/catalog/datacenters", {"GET": catalog.datacenters}, {"GET": public()}),
    Route(
        "/v1/catalog/deregister",
        {"PUT": catalog.deregister},
        {"PUT": in_handler("node:write, or service:write for a service")},
    ),
    Route(
        "/v1/catalog/node/",
        {"GET": catalog.node},
        {"GET": path("node", "read", "/v1/catalog/node/")},
    ),
    Route(
        "/v1/catalog/node-services/",
        {"GET": catalog.node_services},
        {"GET": path("node", "read", "/v1/catalog/node-services/")},
    ),
    Route("/v1/catalog/nodes", {"GET": catalog.nodes}, {"GET": filtered("node")}),
    Route(
        "/v1/catalog/register",
        {"PUT": catalog.register},
        {"PUT": in_handler("node:write, and service:write for a service")},
    ),
    Route("/v1/catalog/service/", {"GET": catalog.service}, {"GET": filtered("service")}),
    Route("/v1/catalog/services", {"GET": catalog.services}, {"GET": filtered("service")}),
    Route("/v1/coordinate/datacenters", {"GET": coordinate.datacenters}, {"GET": public()}),
    Route(
        "/v1/coordinate/node/",
        {"GET": coordinate.node},
        {"GET": path("node", "read", "/v1/coordinate/node/")},
    ),
    Route("/v1/coordinate/nodes", {"GET": coordinate.nodes}, {"GET": filtered("node")}),
    Route(
        "/v1/coordinate/update",
        {"PUT": coordinate.update},
        {"PUT": in_handler("node:write on the Node in the body")},
    ),
    Route(
        "/v1/event/fire/", {"PUT": event.fire}, {"PUT": path("event", "write", "/v1/event/fire/")}
    ),
    Route("/v1/event/list", {"GET": event.list_}, {"GET": filtered("event")}),
    Route("/v1/health/checks/", {"GET": health.checks}, {"GET": filtered("service")}),
    Route("/v1/health/connect/", {"GET": health.connect}, {"GET": filtered("service")}),
    Route("/v1/health/ingress/", {"GET": health.ingress}, {"GET": filtered("service")}),
    Route("/v1/health/node/", {"GET": health.node}, {"GET": filtered("node")}),
    Route("/v1/health/service/", {"GET": health.service}, {"GET": filtered("service")}),
    Route("/v1/health/state/", {"GET": health.state}, {"GET": filtered("service")}),
    Route(
        "/v1/kv/",
        {"GET": kv.get, "PUT": kv.put, "DELETE": kv.delete},
        {
            "GET": in_handler("key:read on the key; a list keeps what key:read allows"),
            "PUT": path("key", "write", "/v1/kv/"),
            "DELETE": in_handler("key:write, or key:write on every key under a prefix"),
        },
        checks_size=True,
    ),
    Route(
        "/v1/session/create",
        {"PUT": session.create},
        {"PUT": in_handler("session:write on the session's node")},
    ),
    Route(
        "/v1/session/destroy/",
        {"PUT": session.destroy},
        {"PUT": in_handler("session:write on the session's node")},
    ),
    Route("/v1/session/info/", {"GET": session.info}, {"GET": filtered("session")}),
    Route("/v1/session/list", {"GET": session.list_}, {"GET": filtered("session")}),
    Route("/v1/session/node/", {"GET": session.node}, {"GET": filtered("session")}),
    Route(
        "/v1/session/renew/",
        {"PUT": session.renew},
        {"PUT": in_handler("session:write on the session's node")},
    ),
    Route(
        "/v1/query",
        {"GET": prepared_query.list_, "POST": prepared_query.create},
        {"GET": filtered("query"), "POST": in_handler("query:write on the name in the body")},
    ),
    Route(
        "/v1/query/",
        {"GET": prepared_query.item, "PUT": prepared_query.item, "DELETE": prepared_query.item},
        {
            "GET": in_handler("query:read on the query's name; execute filters node/service"),
            "PUT": in_handler("query:write on the query's name"),
            "DELETE": in_handler("query:write on the query's name"),
        },
    ),
    Route(
        "/v1/snapshot",
        {"GET": snapshot.save, "PUT": snapshot.restore},
        {"GET": scalar("acl", "write"), "PUT": scalar("acl", "write")},
        checks_size=True,
    ),
    Route("/v1/status/leader", {"GET": status.leader}, {"GET": public()}),
    Route("/v1/status/peers", {"GET": status.peers}, {"GET": public()}),
    Route(
        "/v1/txn",
        {"PUT": txn.apply},
        {"PUT": in_handler("key:read or key:write per operation")},
        checks_size=True,
    ),
]


def router() -> Router:
    return Router(ROUTES)
