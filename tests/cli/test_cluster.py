"""cnsl join, leave, force-leave and rtt without an agent (scripted answers)."""

from __future__ import annotations

import json

from cli import force_leave, join, leave, rtt
from tests.cli.runner import FakeHttp, run

JOIN_FAILED = b"1 error occurred:\n\t* Failed to join 10.0.0.9:8301: no\n\n"


def _coord(x: float, height: float = 1e-05) -> dict[str, object]:
    return {"Vec": [x] + [0.0] * 7, "Error": 1.5, "Adjustment": 0.0, "Height": height}


def test_join() -> None:
    http = FakeHttp((200, b""), (200, b""))
    code, out, err = run(join.COMMAND, ["127.0.0.1", "[::1]:8301"], http)
    assert (code, out, err) == (0, "Successfully joined cluster by contacting 2 nodes.\n", "")
    assert http.calls == [
        ("PUT", "/v1/agent/join/127.0.0.1", [], b""),
        ("PUT", "/v1/agent/join/%5B::1%5D:8301", [], b""),  # escaped as Go escapes it
    ]
    http = FakeHttp((500, JOIN_FAILED), (200, b""))
    code, out, err = run(join.COMMAND, ["-wan", "10.0.0.9", "127.0.0.1"], http)
    assert code == 0 and out == "Successfully joined cluster by contacting 1 nodes.\n"
    assert err == (
        "Error joining address '10.0.0.9': Unexpected response code: 500 "
        f"({JOIN_FAILED.decode()})\n"
    )
    assert [c[2] for c in http.calls] == [[("wan", "1")], [("wan", "1")]]
    code, out, err = run(join.COMMAND, ["10.0.0.9"], FakeHttp((500, JOIN_FAILED)))
    assert code == 1 and out == "" and err.endswith("Failed to join any nodes.\n")
    code, out, err = run(join.COMMAND, [], FakeHttp())
    assert (code, out, err) == (1, "", "At least one address to join must be specified.\n")


def test_leave() -> None:
    http = FakeHttp((200, b""))
    assert run(leave.COMMAND, [], http) == (0, "Graceful leave complete\n", "")
    assert http.calls == [("PUT", "/v1/agent/leave", [], b"")]
    failed = run(leave.COMMAND, [], FakeHttp((403, b"Permission denied")))
    assert failed == (1, "", "Error leaving: Unexpected response code: 403 (Permission denied)\n")
    assert run(leave.COMMAND, ["a", "b"], FakeHttp()) == (
        1,
        "",
        "Error found unexpected args: [a b]\n",
    )


def test_force_leave() -> None:
    http = FakeHttp((200, b""), (200, b""))
    assert run(force_leave.COMMAND, ["n1"], http) == (0, "", "")
    assert run(force_leave.COMMAND, ["-prune", "-wan", "n1.dc1"], http) == (0, "", "")
    assert http.calls == [
        ("PUT", "/v1/agent/force-leave/n1", [], b""),
        ("PUT", "/v1/agent/force-leave/n1.dc1", [("prune", "1"), ("wan", "1")], b""),
    ]
    body = b"agent: No node found with name 'ghost'"
    code, out, err = run(force_leave.COMMAND, ["ghost"], FakeHttp((500, body)))
    assert (code, out) == (1, "")
    assert err == f"Error force leaving: Unexpected response code: 500 ({body.decode()})\n"
    for argv in ([], ["a", "b"]):
        assert run(force_leave.COMMAND, argv, FakeHttp()) == (
            1,
            "",
            "A single node name must be specified to force leave.\n",
        )


def _nodes(*entries: tuple[str, str, dict[str, object]]) -> bytes:
    return json.dumps([{"Node": n, "Segment": s, "Coord": c} for n, s, c in entries]).encode()


def test_rtt_lan() -> None:
    coords = _nodes(("n1", "", _coord(0.0)), ("n2", "", _coord(0.003)))
    http = FakeHttp((200, coords))
    code, out, err = run(rtt.COMMAND, ["n1", "N2"], http)
    assert (code, err) == (0, "")
    # 3 ms apart plus two heights of 10 us
    assert out == "Estimated n1 <-> N2 rtt: 3.020 ms (using LAN coordinates)\n"
    assert http.calls == [("GET", "/v1/coordinate/nodes", [], None)]
    self_ = json.dumps({"Config": {"NodeName": "n1", "Datacenter": "dc1"}}).encode()
    code, out, _ = run(rtt.COMMAND, ["n1"], FakeHttp((200, self_), (200, coords)))
    assert out == "Estimated n1 <-> n1 rtt: 0.020 ms (using LAN coordinates)\n"
    code, out, err = run(rtt.COMMAND, ["n1", "ghost"], FakeHttp((200, coords)))
    assert (code, out, err) == (1, "", 'Could not find a coordinate for node "ghost"\n')
    for argv in ([], ["a", "b", "c"]):
        assert run(rtt.COMMAND, argv, FakeHttp())[::2] == (
            1,
            "One or two node names must be specified\n",
        )


def test_rtt_segments_and_adjustment() -> None:
    # a client in segment "s1" only is compared with a server in its segment
    server = [("srv", "", _coord(0.0)), ("srv", "s1", _coord(0.001))]
    http = FakeHttp((200, _nodes(*server, ("cli", "s1", _coord(0.002)))))
    assert run(rtt.COMMAND, ["srv", "cli"], http)[1].startswith("Estimated srv <-> cli rtt: 1.020")
    # a negative adjustment is applied only while the distance stays positive
    a = {"Vec": [0.0] * 8, "Error": 1.5, "Adjustment": -0.001, "Height": 0.0}
    b = {"Vec": [0.004] + [0.0] * 7, "Error": 1.5, "Adjustment": 0.0, "Height": 0.0}
    out = run(rtt.COMMAND, ["a", "b"], FakeHttp((200, _nodes(("a", "", a), ("b", "", b)))))[1]
    assert "rtt: 3.000 ms" in out
    a["Adjustment"] = -1.0
    out = run(rtt.COMMAND, ["a", "b"], FakeHttp((200, _nodes(("a", "", a), ("b", "", b)))))[1]
    assert "rtt: 4.000 ms" in out


def test_rtt_wan() -> None:
    dcs = json.dumps(
        [
            {
                "Datacenter": "dc1",
                "AreaID": "wan",
                "Coordinates": [
                    {"Node": "s1", "Segment": "", "Coord": _coord(0.0)},
                    {"Node": "s2", "Segment": "", "Coord": _coord(0.01)},
                ],
            }
        ]
    ).encode()
    http = FakeHttp((200, dcs))
    code, out, _ = run(rtt.COMMAND, ["-wan", "s1.dc1", "s2.dc1"], http)
    assert out == "Estimated s1.dc1 <-> s2.dc1 rtt: 10.020 ms (using WAN coordinates)\n"
    assert http.calls == [("GET", "/v1/coordinate/datacenters", [], None)]
    self_ = json.dumps({"Config": {"NodeName": "s2", "Datacenter": "dc1"}}).encode()
    code, out, _ = run(rtt.COMMAND, ["-wan", "s1.dc1"], FakeHttp((200, self_), (200, dcs)))
    assert out.startswith("Estimated s1.dc1 <-> s2.dc1 rtt: 10.020 ms")
    code, out, err = run(rtt.COMMAND, ["-wan", "s1", "s2.dc1"], FakeHttp())
    assert (code, err) == (
        1,
        "Node names must be specified as <node name>.<datacenter> with -wan\n",
    )
    code, _, err = run(rtt.COMMAND, ["-wan", "s1.dc1", "s9.dc1"], FakeHttp((200, dcs)))
    assert (code, err) == (1, 'Could not find a coordinate for node "s1.dc1"\n')
