from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import AgentThread
from tests.templated.runner import KV, Templated


@pytest.fixture
def tpl(agent: AgentThread, tmp_path: Path) -> Iterator[Templated]:
    runner = Templated(agent.http_addr, tmp_path)
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture
def kv(agent: AgentThread) -> Iterator[KV]:
    client = KV(agent.url)
    try:
        yield client
    finally:
        client.close()
