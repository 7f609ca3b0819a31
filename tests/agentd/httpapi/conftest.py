"""Fixtures of the HTTP API tests: a client of the shared agent, and an agent with ACLs on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.agents import AgentThread


@pytest.fixture
def http(agent: AgentThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=agent.url, timeout=30) as client:
        yield client


@pytest.fixture
def acl_agent(tmp_path: Path) -> Iterator[AgentThread]:
    """A durable agent with ACLs enabled and the default policy ``deny`` (not bootstrapped)."""
    handle = AgentThread(
        "-data-dir", str(tmp_path), "-hcl", 'acl { enabled = true  default_policy = "deny" }'
    ).start()
    try:
        yield handle
    finally:
        handle.stop()
