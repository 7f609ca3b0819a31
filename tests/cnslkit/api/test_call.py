"""Call records: status checks, decoding, and the same Call through the async client."""

from __future__ import annotations

import httpx
import pytest

from cnslkit.api import agent, catalog, event, session
from cnslkit.api.call import Call, expect_list, params
from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.api.errors import ApiError, ResponseError


def test_finish_checks_status_then_decodes() -> None:
    call = Call("GET", "/v1/x", expect_list)
    assert call.finish(200, b'["a"]') == ["a"]
    assert call.finish(200, b"") == []
    with pytest.raises(ResponseError, match=r"Unexpected response code: 500 \(boom\)"):
        call.finish(500, b"boom")
    with pytest.raises(ApiError, match="Failed to decode response"):
        call.finish(200, b"{nope")
    with pytest.raises(ApiError, match="expected a JSON array"):
        call.finish(200, b"{}")


def test_params_drop_empty_values() -> None:
    assert params(("a", ""), ("b", None), ("c", False), ("d", True), ("e", "x")) == (
        ("d", None),
        ("e", "x"),
    )


def test_builders() -> None:
    nodes = catalog.nodes(near="_agent", node_meta=[("rack", "r1")], filter="Node == a")
    assert nodes.params == (("near", "_agent"), ("filter", "Node == a"), ("node-meta", "rack:r1"))
    assert catalog.service("a b", tags=["x", "y"]).path == "/v1/catalog/service/a%20b"
    assert catalog.service("a", tags=["x", "y"]).params == (("tag", "x"), ("tag", "y"))
    assert catalog.node("n1").finish(200, b"null") is None
    fired = event.fire("deploy", b"p", node="web", tag="")
    assert (fired.method, fired.path, fired.params, fired.body) == (
        "PUT",
        "/v1/event/fire/deploy",
        (("node", "web"),),
        b"p",
    )
    assert agent.members(wan=True).params == (("wan", "1"),)
    create = session.create(name="n", ttl="15s", behavior="delete", lock_delay=15)
    assert create.body == b'{"Name":"n","LockDelay":"15000ms","Behavior":"delete","TTL":"15s"}'
    assert session.create().body == b"{}"
    assert session.create().finish(200, b'{"ID":"abc"}') == "abc"
    assert session.renew("abc").finish(404, b"Session id 'abc' not found") is None
    entry = session.renew("abc").finish(200, b'[{"ID":"abc","TTL":"30s"}]')
    assert entry is not None and entry.ttl == "30s"
    assert agent.node_name().finish(200, b'{"Config":{"NodeName":"n1"}}') == "n1"
    with pytest.raises(ApiError, match=r"no Config\.NodeName"):
        agent.node_name().finish(200, b"{}")


async def test_the_async_client_sends_calls() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=["dc1"], headers={"X-Consul-Index": "3"})

    cfg = ClientConfig("agent:8500", datacenter="dc2")
    async with Client(cfg, transport=httpx.MockTransport(handler)) as client:
        assert await client.send(catalog.datacenters()) == ["dc1"]
        names, meta = await client.query(catalog.datacenters(), index=2, wait=1.0)
    assert names == ["dc1"] and meta.index == 3
    assert str(seen[0].url) == "http://agent:8500/v1/catalog/datacenters?dc=dc2"
    assert str(seen[1].url).endswith("?dc=dc2&index=2&wait=1000ms")
