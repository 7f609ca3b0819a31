from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.agents import AgentThread


@pytest.fixture
def agent() -> Iterator[AgentThread]:
    """A dev agent serving the real HTTP API on a free port (in a thread of the test process)."""
    handle = AgentThread().start()
    try:
        yield handle
    finally:
        handle.stop()
