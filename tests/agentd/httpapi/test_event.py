from __future__ import annotations

import threading

import httpx

from agentd.event import event_index
from tests.agents import AgentThread


def test_fire_and_list(http: httpx.Client) -> None:
    r = http.get("/v1/event/list")
    assert r.json() == [] and r.headers["X-Consul-Index"] == "1"
    r = http.put("/v1/event/fire/deploy", content=b"abc")
    ev = r.json()
    assert (ev["Name"], ev["Payload"], ev["LTime"], ev["Version"]) == ("deploy", "YWJj", 0, 1)
    http.put("/v1/event/fire/other")
    events = http.get("/v1/event/list").json()
    assert [e["Name"] for e in events] == ["deploy", "other"]
    assert [e["LTime"] for e in events] == [1, 2]
    r = http.get("/v1/event/list?name=deploy")
    assert [e["ID"] for e in r.json()] == [ev["ID"]]
    assert r.headers["X-Consul-Index"] == str(event_index(ev["ID"]))


def test_filters_decide_whether_this_agent_keeps_it(http: httpx.Client) -> None:
    http.put("/v1/event/fire/a?node=^test-")
    http.put("/v1/event/fire/b?node=^elsewhere$")
    http.put("/v1/event/fire/c?service=web")
    http.put("/v1/agent/service/register", json={"Name": "web", "Tags": ["blue"]})
    http.put("/v1/event/fire/d?service=web&tag=blue")
    http.put("/v1/event/fire/e?service=web&tag=green")
    assert [e["Name"] for e in http.get("/v1/event/list").json()] == ["a", "d"]
    assert http.put("/v1/event/fire/x?node=(").status_code == 400
    assert http.put("/v1/event/fire/").status_code == 400


def test_list_blocks_until_a_new_event(http: httpx.Client, agent: AgentThread) -> None:
    http.put("/v1/event/fire/first")
    index = http.get("/v1/event/list").headers["X-Consul-Index"]
    got: list[httpx.Response] = []
    t = threading.Thread(
        target=lambda: got.append(
            httpx.get(f"{agent.url}/v1/event/list?index={index}&wait=20s", timeout=30)
        )
    )
    t.start()
    t.join(0.3)
    assert not got
    http.put("/v1/event/fire/second")
    t.join(10)
    assert [e["Name"] for e in got[0].json()] == ["first", "second"]
