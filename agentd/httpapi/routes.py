"""THE route table: every HTTP API path agentd serves, with its methods. Nothing is routed that
is not listed here."""

from __future__ import annotations

from agentd.httpapi import agent, agent_local, catalog, event, health, kv, session, status, txn
from agentd.httpapi.router import Route, Router

ROUTES = [
    Route("/v1/agent/check/deregister/", {"PUT": agent_local.check_deregister}),
    Route("/v1/agent/check/fail/", {"PUT": agent_local.check_fail}),
    Route("/v1/agent/check/pass/", {"PUT": agent_local.check_pass}),
    Route("/v1/agent/check/register", {"PUT": agent_local.check_register}),
    Route("/v1/agent/check/update/", {"PUT": agent_local.check_update}),
    Route("/v1/agent/check/warn/", {"PUT": agent_local.check_warn}),
    Route("/v1/agent/checks", {"GET": agent_local.checks}),
    Route("/v1/agent/health/service/id/", {"GET": agent_local.health_by_id}),
    Route("/v1/agent/health/service/name/", {"GET": agent_local.health_by_name}),
    Route("/v1/agent/maintenance", {"PUT": agent_local.maintenance}),
    Route("/v1/agent/members", {"GET": agent_local.members}),
    Route("/v1/agent/reload", {"PUT": agent_local.reload}),
    Route("/v1/agent/self", {"GET": agent.self_}),
    Route("/v1/agent/service/", {"GET": agent_local.service}),
    Route("/v1/agent/service/deregister/", {"PUT": agent_local.service_deregister}),
    Route("/v1/agent/service/maintenance/", {"PUT": agent_local.service_maintenance}),
    Route("/v1/agent/service/register", {"PUT": agent_local.service_register}),
    Route("/v1/agent/services", {"GET": agent_local.services}),
    Route("/v1/catalog/datacenters", {"GET": catalog.datacenters}),
    Route("/v1/catalog/deregister", {"PUT": catalog.deregister}),
    Route("/v1/catalog/node/", {"GET": catalog.node}),
    Route("/v1/catalog/node-services/", {"GET": catalog.node_services}),
    Route("/v1/catalog/nodes", {"GET": catalog.nodes}),
    Route("/v1/catalog/register", {"PUT": catalog.register}),
    Route("/v1/catalog/service/", {"GET": catalog.service}),
    Route("/v1/catalog/services", {"GET": catalog.services}),
    Route("/v1/event/fire/", {"PUT": event.fire}),
    Route("/v1/event/list", {"GET": event.list_}),
    Route("/v1/health/checks/", {"GET": health.checks}),
    Route("/v1/health/node/", {"GET": health.node}),
    Route("/v1/health/service/", {"GET": health.service}),
    Route("/v1/health/state/", {"GET": health.state}),
    Route("/v1/kv/", {"GET": kv.get, "PUT": kv.put, "DELETE": kv.delete}, checks_size=True),
    Route("/v1/session/create", {"PUT": session.create}),
    Route("/v1/session/destroy/", {"PUT": session.destroy}),
    Route("/v1/session/info/", {"GET": session.info}),
    Route("/v1/session/list", {"GET": session.list_}),
    Route("/v1/session/node/", {"GET": session.node}),
    Route("/v1/session/renew/", {"PUT": session.renew}),
    Route("/v1/status/leader", {"GET": status.leader}),
    Route("/v1/status/peers", {"GET": status.peers}),
    Route("/v1/txn", {"PUT": txn.apply}, checks_size=True),
]


def router() -> Router:
    return Router(ROUTES)
