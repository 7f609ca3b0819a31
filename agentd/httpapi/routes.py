"""THE route table: every HTTP API path agentd serves, with its methods. Nothing is routed that
is not listed here."""

from __future__ import annotations

from agentd.httpapi import agent, kv, status, txn
from agentd.httpapi.router import Route, Router

ROUTES = [
    Route("/v1/agent/self", {"GET": agent.self_}),
    Route("/v1/kv/", {"GET": kv.get, "PUT": kv.put, "DELETE": kv.delete}, checks_size=True),
    Route("/v1/status/leader", {"GET": status.leader}),
    Route("/v1/status/peers", {"GET": status.peers}),
    Route("/v1/txn", {"PUT": txn.apply}, checks_size=True),
]


def router() -> Router:
    return Router(ROUTES)
