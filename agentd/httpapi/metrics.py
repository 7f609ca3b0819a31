"""``/v1/agent/metrics``: the registry's counters and samples, plus gauges read now.

``?format=prometheus``, or an ``Accept`` header asking for OpenMetrics or Prometheus' text
format 0.4.0, answers the text exposition format instead of Consul's JSON document.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time
from typing import TYPE_CHECKING

from agentd.httpapi.app import json_response
from agentd.httpapi.request import Request, Response
from agentd.metrics import Registry, Stat, prometheus
from agentd.structs.commands import MessageType

if TYPE_CHECKING:
    from agentd.agent import Agent

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def rss_bytes() -> int:
    """Resident set size now (Linux), else the peak the OS reports."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def collect(agent: Agent) -> Registry:
    """The agent's registry with its live gauges and FSM apply counts added (a copy)."""
    live = Registry(
        counters=dict(agent.metrics.counters),
        samples=dict(agent.metrics.samples),
        gauges=dict(agent.metrics.gauges),
    )
    store = agent.server.store
    live.gauge("consul.runtime.num_goroutines", len(asyncio.all_tasks()))
    live.gauge("consul.runtime.rss_bytes", rss_bytes())
    live.gauge("consul.raft.applied_index", store.last_index)
    live.gauge("cnsl.blocking_queries.watched", len(store.hub))
    statuses: dict[str, int] = {"passing": 0, "warning": 0, "critical": 0}
    for lc in agent.local.checks.values():
        statuses[lc.check.status] = statuses.get(lc.check.status, 0) + 1
    for status, count in statuses.items():
        live.gauge("cnsl.agent.checks", count, status=status)
    for name, value in getattr(agent.log, "stats", {}).items():
        live.gauge(f"cnsl.log.{name}", value)
    for mtype, count in agent.fsm.applied.items():
        try:
            name = MessageType(mtype).name.lower()
        except ValueError:
            name = str(mtype)
        live.counters[(f"consul.fsm.{name}", ())] = Stat(count, count, count, 1.0, 1.0)
    return live


def wants_prometheus(req: Request) -> bool:
    """Consul's ``enablePrometheusOutput``: ``?format=prometheus``, or an ``Accept`` header
    listing ``application/openmetrics-text`` or ``text/plain; version=0.4.0``."""
    if req.arg("format") == "prometheus":
        return True
    for media in req.headers.get("accept", "").split(","):
        parts = media.split(";")
        mime = parts[0].strip(" ").lower()
        if mime == "application/openmetrics-text":
            return True
        if mime == "text/plain" and len(parts) > 1 and parts[1].strip(" ") == "version=0.4.0":
            return True
    return False


async def metrics(agent: Agent, req: Request) -> Response:
    live = collect(agent)
    if wants_prometheus(req):
        return Response(200, prometheus(live).encode(), PROMETHEUS_TYPE)
    now = time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC", time.gmtime())
    return json_response(live.to_json(now))
