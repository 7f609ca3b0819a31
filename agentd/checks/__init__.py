"""Health checks the agent runs itself: definitions, probes, thresholds, TTL and alias checks.

Rules: one module per check type (``http``, ``tcp``, ``udp``, ``script``, ``ttl``, ``alias``),
each probe an ``async def probe(defn, ...) -> Result`` that turns every expected failure into a
critical Result with Go-worded output and never raises for one. Decisions (thresholds, alias
aggregation, output capping, validation) are sans-IO. Checks never touch the agent's state:
they report through an ``on_update(check_id, status, output)`` callback, and only when status or
output changed. Every long-running piece is an ``async def run()`` owned by the agent's
TaskGroup and stopped by cancellation, which kills any script still running.
"""

from __future__ import annotations

from agentd.checks.alias import AliasCheck, CheckLike, aggregate
from agentd.checks.definition import MIN_INTERVAL, CheckDefinition, InvalidCheck, from_json
from agentd.checks.duration import format_duration
from agentd.checks.result import (
    CRITICAL,
    DEFAULT_OUTPUT_MAX_SIZE,
    PASSING,
    STATUSES,
    WARNING,
    OnUpdate,
    Result,
    Status,
    truncate,
)
from agentd.checks.runner import PERIODIC_TYPES, CheckRunner, open_probe
from agentd.checks.threshold import StatusFilter
from agentd.checks.ttl import TTLCheck

__all__ = [
    "CRITICAL",
    "DEFAULT_OUTPUT_MAX_SIZE",
    "MIN_INTERVAL",
    "PASSING",
    "PERIODIC_TYPES",
    "STATUSES",
    "WARNING",
    "AliasCheck",
    "CheckDefinition",
    "CheckLike",
    "CheckRunner",
    "InvalidCheck",
    "OnUpdate",
    "Result",
    "Status",
    "StatusFilter",
    "TTLCheck",
    "aggregate",
    "format_duration",
    "from_json",
    "open_probe",
    "truncate",
]
