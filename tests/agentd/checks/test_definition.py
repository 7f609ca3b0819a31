"""CheckDefinition: decoding Consul check bodies, validation texts, type and JSON encoding."""

from __future__ import annotations

from typing import Any

import pytest

from agentd.checks.definition import CheckDefinition, InvalidCheck, from_json
from agentd.errors import BadRequest


def test_decodes_camel_case_http_check() -> None:
    d = from_json(
        {
            "ID": "web-http",
            "Name": "web",
            "Notes": "n",
            "ServiceID": "web1",
            "Status": "passing",
            "HTTP": "https://example.test/health",
            "Method": "POST",
            "Header": {"X-A": ["1", "2"], "X-B": "3"},
            "Body": "{}",
            "TLSServerName": "svc.test",
            "TLSSkipVerify": True,
            "DisableRedirects": True,
            "Interval": "10s",
            "Timeout": "1s",
            "DeregisterCriticalServiceAfter": "90m",
            "SuccessBeforePassing": 2,
            "FailuresBeforeWarning": 1,
            "FailuresBeforeCritical": 3,
            "OutputMaxSize": 100,
        }
    )
    assert d == CheckDefinition(
        check_id="web-http",
        name="web",
        notes="n",
        service_id="web1",
        status="passing",
        http="https://example.test/health",
        method="POST",
        header={"X-A": ["1", "2"], "X-B": ["3"]},
        body="{}",
        tls_server_name="svc.test",
        tls_skip_verify=True,
        disable_redirects=True,
        interval=10.0,
        timeout=1.0,
        deregister_critical_service_after=5400.0,
        success_before_passing=2,
        failures_before_warning=1,
        failures_before_critical=3,
        output_max_size=100,
    )
    assert d.type == "http"


def test_decodes_snake_case_and_lower_case_aliases() -> None:
    d = from_json(
        {
            "id": "c1",
            "name": "script",
            "args": ["/bin/true", "-x"],
            "interval": "5s",
            "tls_skip_verify": True,
            "tls_server_name": "x",
            "deregister_critical_service_after": "1m",
            "success_before_passing": 1,
            "failures_before_critical": 2,
            "docker_container_id": "",
        }
    )
    assert d.check_id == "c1"
    assert d.args == ("/bin/true", "-x")
    assert d.tls_skip_verify and d.tls_server_name == "x"
    assert d.deregister_critical_service_after == 60.0
    assert (d.success_before_passing, d.failures_before_critical) == (1, 2)
    assert d.type == "script"


def test_script_args_spellings_and_check_id_alias() -> None:
    assert from_json({"ScriptArgs": ["a"]}).args == ("a",)
    assert from_json({"script_args": ["b"]}).args == ("b",)
    assert from_json({"ScriptArgs": ["a"], "args": ["b"]}).args == ("a",)
    assert from_json({"CheckID": "x"}).check_id == "x"
    assert from_json({"ID": "a", "CheckID": "b"}).check_id == "a"


def test_durations_accept_integer_nanoseconds() -> None:
    d = from_json({"TTL": 15_000_000_000, "Timeout": 500_000_000})
    assert (d.ttl, d.timeout) == (15.0, 0.5)


def test_service_id_argument_wins_and_defaults() -> None:
    d = from_json({"TTL": "10s", "ServiceID": "other"}, service_id="web")
    assert d.service_id == "web"
    assert from_json({"TTL": "10s"}).output_max_size == 4096
    assert from_json({"TTL": "10s", "OutputMaxSize": 0}).output_max_size == 4096
    assert from_json({"H2PING": "h:1", "Interval": "1s"}).h2ping_use_tls is True
    assert from_json({"H2PING": "h:1", "H2PingUseTLS": False}).h2ping_use_tls is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"Interval": "nope"}, 'Request decode failed: time: invalid duration "nope"'),
        ({"HTTP": 5}, "Request decode failed: cannot unmarshal number into HTTP of type string"),
        (
            {"Args": "ls"},
            "Request decode failed: cannot unmarshal string into Args of type []string",
        ),
        ({"TLSSkipVerify": "yes"}, "Request decode failed: cannot unmarshal string into"),
        ({"Header": {"A": 1}}, "Request decode failed: cannot unmarshal number into Header.A"),
    ],
)
def test_decode_errors(body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidCheck) as exc:
        from_json(body)
    assert exc.value.message.startswith(message)
    assert isinstance(exc.value, BadRequest)


NEEDS_INTERVAL = "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks"
ALIAS_INTERVAL = "Interval cannot be set for Alias checks"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"TTL": "10s", "Interval": "10s"}, "Interval and TTL cannot both be specified"),
        ({"HTTP": "http://x"}, NEEDS_INTERVAL),
        ({"Args": ["true"]}, NEEDS_INTERVAL),
        ({"AliasService": "web", "Interval": "10s"}, ALIAS_INTERVAL),
        ({"AliasService": "web", "TCP": "h:1", "Interval": "1s"}, ALIAS_INTERVAL),
        ({"AliasService": "web", "TTL": "10s"}, "TTL must be not be set for Alias checks"),
        ({"Name": "nothing"}, "TTL must be > 0 for TTL checks"),
        (
            {"TTL": "10s", "FailuresBeforeWarning": 2},
            "FailuresBeforeWarning can't be higher than FailuresBeforeCritical",
        ),
    ],
)
def test_validate_texts(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidCheck) as exc:
        from_json(body).validate()
    assert exc.value.message == f"Invalid check: {reason}"
    assert exc.value.status == 400


@pytest.mark.parametrize(
    "body",
    [
        {"TTL": "10s"},
        {"HTTP": "http://x", "Interval": "10s"},
        {"TCP": "h:1", "Interval": "100ms"},
        {"UDP": "h:1", "Interval": "1s"},
        {"Args": ["true"], "Interval": "1s"},
        {"AliasService": "web"},
        {"AliasNode": "n2"},
        {"GRPC": "h:1/svc", "Interval": "1s"},
        {"TTL": "1s", "FailuresBeforeWarning": 1, "FailuresBeforeCritical": 2},
    ],
)
def test_validate_accepts(body: dict[str, Any]) -> None:
    from_json(body).validate()


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"TTL": "10s"}, "ttl"),
        ({"HTTP": "http://x", "Interval": "10s"}, "http"),
        ({"TCP": "h:1", "Interval": "1s"}, "tcp"),
        ({"UDP": "h:1", "Interval": "1s"}, "udp"),
        ({"GRPC": "h:1", "Interval": "1s"}, "grpc"),
        ({"H2PING": "h:1", "Interval": "1s"}, "h2ping"),
        ({"Args": ["x"], "Interval": "1s"}, "script"),
        ({"Args": ["x"], "DockerContainerID": "abc", "Interval": "1s"}, "docker"),
        ({"AliasService": "web"}, "alias"),
        ({"HTTP": "http://x"}, ""),
        ({}, ""),
    ],
)
def test_type(body: dict[str, Any], kind: str) -> None:
    assert from_json(body).type == kind


def test_run_interval_has_a_floor_of_one_second() -> None:
    assert from_json({"TCP": "h:1", "Interval": "100ms"}).run_interval == 1.0
    assert from_json({"TCP": "h:1", "Interval": "1m"}).run_interval == 60.0


def test_to_json_http() -> None:
    d = from_json(
        {"HTTP": "http://x/h", "Interval": "90s", "Timeout": "500ms", "Header": {"A": "b"}}
    )
    assert d.to_json() == {
        "Type": "http",
        "Interval": "1m30s",
        "Timeout": "500ms",
        "Definition": {
            "HTTP": "http://x/h",
            "Header": {"A": ["b"]},
            "Interval": "1m30s",
            "Timeout": "500ms",
        },
    }


def test_to_json_ttl_uses_nanoseconds_inside_definition() -> None:
    d = from_json({"TTL": "15s", "DeregisterCriticalServiceAfter": "10m", "OutputMaxSize": 64})
    assert d.to_json() == {
        "Type": "ttl",
        "Interval": "",
        "Timeout": "",
        "Definition": {
            "TTL": 15_000_000_000,
            "DeregisterCriticalServiceAfter": "10m0s",
            "OutputMaxSize": 64,
        },
    }


def test_to_json_script_and_alias() -> None:
    assert from_json({"Args": ["a", "b"], "Interval": "5s"}).to_json()["Definition"] == {
        "ScriptArgs": ["a", "b"],
        "Interval": "5s",
    }
    alias = from_json({"AliasService": "web", "AliasNode": "n2"}).to_json()
    assert alias["Type"] == "alias"
    assert alias["Definition"] == {"AliasNode": "n2", "AliasService": "web"}
