"""cnsl members without an agent: Consul's columns, order, tag rewriting and exit codes."""

from __future__ import annotations

import json
from typing import Any

from cli import members
from cnslkit.api.models import Member
from tests.cli.runner import FakeHttp, run


def _member(name: str, role: str, status: int = 1, **tags: str) -> dict[str, Any]:
    base = {"role": role, "dc": "dc1", "vsn": "2", "build": "1.18.0:abcdef", "segment": ""}
    return {
        "Name": name,
        "Addr": "10.0.0.1" if role == "consul" else "10.0.0.2",
        "Port": 8301,
        "Tags": {**base, **tags},
        "Status": status,
    }


MEMBERS = [
    _member("zeta-client", "node"),
    _member("beta-server", "consul"),
    _member("alpha-client", "node", status=4),
    _member("odd", "witness"),
]


def _members() -> list[Member]:
    return [Member.from_json(m) for m in MEMBERS]


def test_standard_table() -> None:
    assert members.format_members(_members(), detailed=False).splitlines() == [
        "Node          Address        Status  Type     Build   Protocol  DC   Partition  Segment",
        "beta-server   10.0.0.1:8301  alive   server   1.18.0  2         dc1  default    <all>",
        "alpha-client  10.0.0.2:8301  failed  client   1.18.0  2         dc1  default    <default>",
        "odd           10.0.0.2:8301  alive   unknown                                    ",
        "zeta-client   10.0.0.2:8301  alive   client   1.18.0  2         dc1  default    <default>",
    ]


def test_detailed_shows_every_tag_sorted() -> None:
    (server,) = [m for m in _members() if m.name == "beta-server"]
    assert members.format_members([server], detailed=True).splitlines() == [
        "Node         Address        Status  Tags",
        "beta-server  10.0.0.1:8301  alive   "
        "ap=default,build=1.18.0:abcdef,dc=dc1,role=consul,segment=<all>,vsn=2",
    ]


def test_status_names_and_ipv6_addresses() -> None:
    assert [members.status_name(s) for s in range(6)] == [
        "none",
        "alive",
        "leaving",
        "left",
        "failed",
        "unknown(5)",
    ]
    member = Member("v6", "::1", 8301, {"role": "node", "build": ""})
    row = members.format_members([member], detailed=False).splitlines()[1]
    assert row.split()[:5] == ["v6", "[::1]:8301", "none", "client", "<"]


def test_run_filters_by_status_and_exits_2_when_none_match() -> None:
    body = json.dumps(MEMBERS).encode()
    code, out, err = run(members.COMMAND, ["-status=fail.*"], FakeHttp((200, body)))
    assert (code, err) == (0, "")
    assert [line.split()[0] for line in out.splitlines()] == ["Node", "alpha-client"]
    assert run(members.COMMAND, ["-status=left"], FakeHttp((200, body))) == (2, "", "")


def test_run_sends_wan_and_filter_but_not_the_default_segment() -> None:
    http = FakeHttp((200, b"[]"))
    run(members.COMMAND, ["-wan", "-filter=Name == x"], http)
    assert http.calls[0][:3] == (
        "GET",
        "/v1/agent/members",
        [("wan", "1"), ("filter", "Name == x")],
    )
    http = FakeHttp((200, b"[]"))
    run(members.COMMAND, ["-segment=alpha"], http)
    assert http.calls[0][2] == [("segment", "alpha")]


def test_run_errors() -> None:
    assert run(members.COMMAND, ["-status=("], FakeHttp())[0] == 2
    failed = run(members.COMMAND, [], FakeHttp((500, b"no")))
    assert failed == (1, "", "Error retrieving members: Unexpected response code: 500 (no)\n")
    assert "-datacenter" not in {f.name for f in members.FLAGS}  # Consul: client flags only
