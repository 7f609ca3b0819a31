"""A watch's own ``token`` is sent with its queries, and never shows in its identity."""

from __future__ import annotations

import httpx
import pytest

from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import ApiError
from cnslkit.watch.dependency import QueryOptions
from cnslkit.watch.plans import parse_watch, query
from tests.agents import AgentThread


async def test_a_watch_uses_its_own_token() -> None:
    hcl = (
        'acl { enabled = true  default_policy = "deny"  '
        'tokens { initial_management = "root-tok" } }'
    )
    agent = AgentThread("-hcl", hcl).start()
    try:
        httpx.put(agent.url + "/v1/kv/w/k", content=b"v", headers={"X-Consul-Token": "root-tok"})
        async with Client(ClientConfig(agent.http_addr)) as client:
            plain = query({"type": "key", "key": "w/k"})
            with pytest.raises(ApiError) as denied:
                await plain.fetch(client, QueryOptions())
            assert denied.value.status == 403
            own = query({"type": "key", "key": "w/k", "token": "root-tok"})
            got = await own.fetch(client, QueryOptions())
            assert got.data.body["Value"] == "dg=="
        assert own.key != plain.key and "root-tok" not in own.key
        spec = parse_watch({"type": "key", "key": "w/k", "token": "root-tok", "args": ["true"]})
        assert "root-tok" not in spec.name and "root-tok" not in repr(spec.query)
    finally:
        agent.stop()
