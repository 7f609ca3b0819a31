"""cnsl services register/deregister without an agent: flags, files and what is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import services
from cli.goflags import parse
from tests.cli.runner import FakeHttp, run

OK = (200, b"")


def test_flags_describe_one_registration() -> None:
    argv = ["-name=web", "-port=80", "-tag=a", "-tag", "b", "-meta=k=v", "-meta=k=w"]
    argv += ["-tagged-address=lan=10.0.0.1:8080", "-tagged-address=wan=example.com"]
    reg = services.from_flags(parse(argv, services.REGISTER_FLAGS))
    assert reg == {
        "Name": "web",
        "Tags": ["a", "b"],
        "Port": 80,
        "TaggedAddresses": {
            "lan": {"Address": "10.0.0.1", "Port": 8080},
            "wan": {"Address": "example.com", "Port": 0},
        },
        "Meta": {"k": "w"},
    }


def test_parse_service_addr() -> None:
    assert services.parse_service_addr("[::1]:80") == {"Address": "::1", "Port": 80}
    assert services.parse_service_addr("::1") == {"Address": "::1", "Port": 0}
    with pytest.raises(ValueError, match='failed to parse port "x"'):
        services.parse_service_addr("h:x")


def test_combine_fills_gaps_and_appends() -> None:
    from_file = {"Name": "web", "Port": 80, "Tags": ["a"], "Meta": {"x": "1"}}
    flags = {"ID": "web-1", "Name": "other", "Port": 81, "Tags": ["b"], "Meta": {"y": "2"}}
    assert services.combine(from_file, flags) == {
        "Name": "web",
        "ID": "web-1",
        "Port": 80,
        "Tags": ["a", "b"],
        "Meta": {"x": "1", "y": "2"},
        "TaggedAddresses": {},
    }


def test_register_from_flags() -> None:
    http = FakeHttp(OK)
    assert run(services.COMMANDS["register"], ["-name=web", "-port=80"], http) == (
        0,
        "Registered service: web\n",
        "",
    )
    method, path, params, body = http.calls[0]
    assert (method, path, params) == ("PUT", "/v1/agent/service/register", [])
    assert json.loads(body or b"") == {"Name": "web", "Port": 80}


def test_register_from_files(tmp_path: Path) -> None:
    path = tmp_path / "svc.hcl"
    path.write_text('services { name = "a" }\nservices { name = "b"\n id = "b1" }\n')
    http = FakeHttp(OK, OK)
    code, out, _ = run(services.COMMANDS["register"], ["-tag=extra", str(path)], http)
    assert (code, out) == (0, "Registered service: a\nRegistered service: b\n")
    bodies = [json.loads(call[3] or b"") for call in http.calls]
    assert [(b["Name"], b.get("ID"), b["Tags"]) for b in bodies] == [
        ("a", None, ["extra"]),
        ("b", "b1", ["extra"]),
    ]


def test_register_stops_at_the_first_failure(tmp_path: Path) -> None:
    path = tmp_path / "svc.json"
    path.write_text('{"services": [{"name": "a"}, {"name": "b"}]}')
    http = FakeHttp((400, b"Invalid service address"))
    code, out, err = run(services.COMMANDS["register"], [str(path)], http)
    assert (code, out) == (1, "")
    assert err == (
        'Error registering service "a": Unexpected response code: 400 (Invalid service address)\n'
    )
    assert len(http.calls) == 1


def test_register_usage_and_file_errors(tmp_path: Path) -> None:
    register = services.COMMANDS["register"]
    assert run(register, [], FakeHttp()) == (
        2,
        "",
        "Service registration requires at least one argument or flags.\n",
    )
    assert run(register, ["-name=a", "f.hcl"], FakeHttp())[0] == 2
    assert run(register, ["-name=a", "-meta=x"], FakeHttp())[0] == 2
    assert run(register, ["-name=a", "-tagged-address=l=h:p"], FakeHttp()) == (
        2,
        "",
        'Invalid Tagged Address: failed to parse port "p"\n',
    )
    code, _, err = run(register, [str(tmp_path / "none.hcl")], FakeHttp())
    assert code == 1 and err.startswith("Error: open ") and "no such file" in err
    empty = tmp_path / "empty.json"
    empty.write_text('{"name": "bare"}')
    code, _, err = run(register, [str(empty)], FakeHttp())
    assert code == 1 and "no service definitions" in err


def test_deregister_by_id_and_by_file(tmp_path: Path) -> None:
    deregister = services.COMMANDS["deregister"]
    http = FakeHttp(OK)
    assert run(deregister, ["-id=web 1"], http) == (0, "Deregistered service: web 1\n", "")
    assert http.calls[0][:2] == ("PUT", "/v1/agent/service/deregister/web%201")
    path = tmp_path / "svc.hcl"
    path.write_text('service { name = "a" }\nservice {\n name = "b"\n id = "b1"\n}\n')
    http = FakeHttp(OK, OK)
    code, out, _ = run(deregister, [str(path)], http)
    assert (code, out) == (0, "Deregistered service: a\nDeregistered service: b1\n")
    assert run(deregister, [], FakeHttp()) == (
        2,
        "",
        "Service deregistration requires at least one argument or -id.\n",
    )
    assert run(deregister, ["-id=x", str(path)], FakeHttp())[0] == 2
    missing = run(deregister, ["-id=nope"], FakeHttp((404, b'Unknown service ID "nope"')))
    assert missing[0] == 1 and missing[2].startswith('Error deregistering service "nope": ')
