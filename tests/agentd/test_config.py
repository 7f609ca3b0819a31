from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentd.config import ConfigError, Listener, RuntimeConfig, load, setup_logging
from agentd.config_schema import SCHEMA
from agentd.flags import parse_flags
from tests.examples import EXAMPLES


def _load(tmp_path: Path, *argv: str) -> RuntimeConfig:
    return load(parse_flags(["-data-dir", str(tmp_path / "data"), *argv]))


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# --- defaults and dev mode ------------------------------------------------------------------


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("socket.gethostname", lambda: "host-1")
    cfg = _load(tmp_path)
    assert (cfg.dev, cfg.server, cfg.bootstrap) == (False, False, False)
    assert cfg.datacenter == "dc1"
    assert cfg.node_name == "host-1"
    assert cfg.log_level == "INFO"
    assert cfg.domain == "consul."
    assert cfg.client_addrs == ("127.0.0.1",)
    assert cfg.bind_addr == "0.0.0.0"
    assert cfg.advertise_addr == "127.0.0.1"
    assert (cfg.http_port, cfg.dns_port, cfg.server_port) == (8500, 8600, 8300)
    assert cfg.http_listeners == (Listener("tcp", host="127.0.0.1", port=8500),)
    assert cfg.dns_listeners == (Listener("tcp", host="127.0.0.1", port=8600),)
    assert (cfg.kv_max_value_size, cfg.txn_max_req_len) == (524288, 524288)
    assert cfg.http_max_conns_per_client == 200
    assert (cfg.default_query_time, cfg.max_query_time) == (300.0, 600.0)
    assert cfg.unix_socket_mode is None
    assert cfg.sources == ()
    assert cfg.raw["ports"]["https"] == -1


def test_dev_mode_defaults(caplog: pytest.LogCaptureFixture) -> None:
    cfg = load(parse_flags(["-dev"]))
    assert (cfg.dev, cfg.server, cfg.bootstrap) == (True, True, True)
    assert cfg.bind_addr == cfg.advertise_addr == "127.0.0.1"
    assert cfg.log_level == "DEBUG"
    assert cfg.data_dir is None
    uuid.UUID(cfg.node_id)
    assert cfg.raw["ui_config"] == {"enabled": True}
    # dev defaults are ours, not the user's: no "not supported" noise
    assert not _warnings(caplog)


def test_dev_mode_flags_still_win() -> None:
    cfg = load(parse_flags(["-dev", "-log-level", "warning", "-bind", "127.0.0.2"]))
    assert cfg.log_level == "WARN"
    assert cfg.bind_addr == "127.0.0.2"


def test_data_dir_required_unless_dev() -> None:
    with pytest.raises(ConfigError, match="data_dir: must be set unless -dev"):
        load(parse_flags([]))
    with pytest.raises(ConfigError, match="data_dir: must be set unless -dev"):
        load(parse_flags(["-server"]))


def test_data_dir_must_be_a_directory(tmp_path: Path) -> None:
    path = _write(tmp_path / "file", "x")
    with pytest.raises(ConfigError, match="is not a directory"):
        load(parse_flags(["-data-dir", path]))


# --- merge order ----------------------------------------------------------------------------


def test_later_file_wins_and_flags_win_over_files(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", '{"datacenter": "one", "node_name": "a", "log_level": "debug"}')
    b = _write(tmp_path / "b.hcl", 'datacenter = "two"\nnode_name = "b"')
    cfg = _load(tmp_path, "-config-file", a, "-config-file", b, "-node", "flag")
    assert cfg.datacenter == "two"
    assert cfg.node_name == "flag"
    assert cfg.log_level == "DEBUG"
    assert cfg.sources == (a, b)


def test_hcl_fragments_come_after_files_and_before_flags(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", '{"datacenter": "file", "node_name": "file"}')
    cfg = _load(
        tmp_path,
        "-hcl",
        'datacenter = "hcl"\nnode_name = "hcl"',
        "-config-file",
        a,
        "-node",
        "flag",
    )
    assert (cfg.datacenter, cfg.node_name) == ("hcl", "flag")


def test_dir_files_in_lexical_order_and_others_ignored(tmp_path: Path) -> None:
    d = tmp_path / "conf.d"
    _write(d / "2-a.hcl", 'datacenter = "from-2"')
    _write(d / "10-b.json", '{"datacenter": "from-10", "node_name": "n10"}')
    _write(d / "README.md", "not config")
    _write(d / "9.yaml", "datacenter: nope")
    _write(d / "sub" / "z.json", '{"datacenter": "from-subdir"}')
    cfg = _load(tmp_path, "-config-dir", str(d))
    assert cfg.datacenter == "from-2"  # "10-b.json" < "2-a.hcl"
    assert cfg.node_name == "n10"
    assert cfg.sources == (str(d / "10-b.json"), str(d / "2-a.hcl"))


def test_files_and_dirs_interleave_in_command_line_order(tmp_path: Path) -> None:
    d = _write(tmp_path / "d" / "x.json", '{"datacenter": "dir"}')
    f = _write(tmp_path / "f.json", '{"datacenter": "file"}')
    dir_arg = str(Path(d).parent)
    assert _load(tmp_path, "-config-dir", dir_arg, "-config-file", f).datacenter == "file"
    assert _load(tmp_path, "-config-file", f, "-config-dir", dir_arg).datacenter == "dir"


def test_maps_merge_and_lists_accumulate(tmp_path: Path) -> None:
    a = _write(
        tmp_path / "a.hcl",
        """
        ports { dns = 8601 }
        node_meta { rack = "r1" }
        retry_join = ["10.0.0.1"]
        service { name = "web"
          port = 80 }
        services = [{ name = "db" }]
        check { id = "c1"
          ttl = "10s" }
        watches = [{ type = "key", key = "a" }]
        """,
    )
    b = _write(
        tmp_path / "b.json",
        json.dumps(
            {
                "ports": {"http": 8501},
                "node_meta": {"zone": "z1"},
                "retry_join": ["10.0.0.2"],
                "service": {"name": "api"},
                "checks": [{"id": "c2", "ttl": "5s"}],
                "watches": [{"type": "event"}],
            }
        ),
    )
    cfg = _load(tmp_path, "-config-file", a, "-config-file", b)
    assert (cfg.http_port, cfg.dns_port) == (8501, 8601)
    assert cfg.raw["node_meta"] == {"rack": "r1", "zone": "z1"}
    assert cfg.raw["retry_join"] == ["10.0.0.1", "10.0.0.2"]
    assert [s["name"] for s in cfg.services] == ["db", "web", "api"]
    assert [c["id"] for c in cfg.checks] == ["c1", "c2"]
    assert [w["type"] for w in cfg.watches] == ["key", "event"]
    assert "service" not in cfg.raw and "check" not in cfg.raw


def test_service_blocks_nest_like_consul(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "dashboard.hcl", tmp_path / "dashboard.hcl")
    shutil.copy(EXAMPLES / "services-redis.hcl", tmp_path / "services-redis.hcl")
    cfg = _load(tmp_path, "-config-dir", str(tmp_path))
    dashboard, redis1, redis2 = cfg.services
    assert dashboard["check"]["id"] == "dashboard-check"  # one block: an object
    upstreams = dashboard["connect"]["sidecar_service"]["proxy"]["upstreams"]
    assert upstreams == [{"destination_name": "counting", "local_bind_port": 5000}]
    assert [redis1["id"], redis2["id"]] == ["web-server-01", "web-server-02"]
    assert redis2["checks"][0]["args"] == ["/bin/check_redis", "-p", "7000"]


def test_repeated_blocks_of_list_keys_stay_lists(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        "-hcl",
        'service {\n name = "a"\n proxy { upstreams { destination_name = "b" } }\n'
        ' check { id = "c1" }\n check { id = "c2" }\n}',
    )
    (service,) = cfg.services
    assert service["proxy"]["upstreams"] == [{"destination_name": "b"}]
    assert service["check"] == [{"id": "c1"}, {"id": "c2"}]


def test_repeated_service_blocks_in_one_file(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.hcl", 'service { name = "a" }\nservice { name = "b" }\n')
    cfg = _load(tmp_path, "-config-file", a)
    assert [s["name"] for s in cfg.services] == ["a", "b"]


# --- formats --------------------------------------------------------------------------------

HCL_DOC = r"""
# a comment
datacenter = "east"
server     = true
log_level  = "warn"
ports {
  http = 8501
  dns  = -1
}
addresses {
  http = "127.0.0.1 unix:///tmp/agent.sock"
}
acl = {
  enabled = true
  tokens = { agent = "secret \"quoted\" \\ back" }
}
node_meta = { "rack-id" = "r1" }
retry_join = ["10.0.0.1", "10.0.0.2"]
limits { kv_max_value_size = 1024 }
dns_config { service_ttl = { "*" = "5s" } }
services = [
  {
    name = "web", port = 80, tags = ["a", "b"],
    checks = [{ http = "http://x/$${y}", interval = "10s" }]
  }
]
"""

JSON_DOC = {
    "datacenter": "east",
    "server": True,
    "log_level": "warn",
    "ports": {"http": 8501, "dns": -1},
    "addresses": {"http": "127.0.0.1 unix:///tmp/agent.sock"},
    "acl": {"enabled": True, "tokens": {"agent": 'secret "quoted" \\ back'}},
    "node_meta": {"rack-id": "r1"},
    "retry_join": ["10.0.0.1", "10.0.0.2"],
    "limits": {"kv_max_value_size": 1024},
    "dns_config": {"service_ttl": {"*": "5s"}},
    "services": [
        {
            "name": "web",
            "port": 80,
            "tags": ["a", "b"],
            "checks": [{"http": "http://x/${y}", "interval": "10s"}],
        }
    ],
}


def test_hcl_and_json_give_the_same_config(tmp_path: Path) -> None:
    h = _write(tmp_path / "h" / "c.hcl", HCL_DOC)
    j = _write(tmp_path / "j" / "c.json", json.dumps(JSON_DOC))
    from_hcl = _load(tmp_path, "-config-file", h)
    from_json = _load(tmp_path, "-config-file", j)
    assert from_hcl.raw == from_json.raw
    assert from_hcl.services == from_json.services == tuple(JSON_DOC["services"])  # type: ignore[arg-type]
    assert from_hcl.raw["acl"]["tokens"]["agent"] == 'secret "quoted" \\ back'


def test_heredoc_strings(tmp_path: Path) -> None:
    h = _write(tmp_path / "c.hcl", "node_meta = {\n  note = <<EOT\nline 1\nline 2\nEOT\n}\n")
    assert _load(tmp_path, "-config-file", h).raw["node_meta"]["note"] == "line 1\nline 2"


def test_config_format_forces_the_parser(tmp_path: Path) -> None:
    f = _write(tmp_path / "agent.conf", 'datacenter = "forced"')
    with pytest.raises(ConfigError, match=r"extension must be \.hcl or \.json"):
        _load(tmp_path, "-config-file", f)
    assert _load(tmp_path, "-config-format", "hcl", "-config-file", f).datacenter == "forced"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        _load(tmp_path, "-config-file", str(tmp_path / "nope.json"))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", '{"server": tru}', "Expecting value"),
        ("bad.json", "[1, 2]", "top level must be an object"),
        ("bad.hcl", "server = \n = 1", "Unexpected"),
        ("bad.hcl", "ports {", "Unexpected"),
    ],
)
def test_parse_errors_name_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _write(tmp_path / name, text)
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "-config-file", path)
    assert f"failed to parse {path}: " in str(info.value)
    assert message in str(info.value)


def test_empty_file_is_no_config(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.json", "\n")
    assert _load(tmp_path, "-config-file", path).datacenter == "dc1"


# --- the shared examples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_warnings"),
    [
        (
            "server.hcl",
            {
                "config: tls is not supported yet",
                "config: ports.https is not supported yet",
                "config: encrypt is not supported yet",
                "config: retry_join is not supported yet",
                "config: ui_config is not supported yet",
                "config: auto_encrypt is not supported yet",
            },
        ),
        (
            "client.json",
            {
                "config: enable_syslog is not supported yet",
                "config: verify_incoming is not supported yet",
                "config: key_file is not supported yet",
            },
        ),
        ("join.json", {"config: bootstrap_expect is not supported yet"}),
    ],
)
def test_examples_load_with_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, expected_warnings: set[str]
) -> None:
    path = tmp_path / name
    shutil.copy(EXAMPLES / name, path)
    caplog.set_level(logging.WARNING)
    cfg = _load(tmp_path, "-config-file", str(path))
    warnings = _warnings(caplog)
    assert expected_warnings <= set(warnings)
    assert len(warnings) == len(set(warnings)), "each unsupported key is reported once"
    assert not [w for w in warnings if "unknown key" in w]
    assert cfg.sources == (str(path),)


def test_server_example_values(tmp_path: Path) -> None:
    path = tmp_path / "server.hcl"
    shutil.copy(EXAMPLES / "server.hcl", path)
    cfg = _load(tmp_path, "-config-file", str(path))
    assert cfg.server and cfg.datacenter == "us-east-1"
    assert cfg.http_port == -1 and cfg.http_listeners == ()  # ports.http = -1
    assert cfg.client_addrs == ("0.0.0.0",)
    assert cfg.bind_addr == cfg.advertise_addr == "10.0.0.170"
    assert cfg.raw["tls"]["defaults"]["verify_incoming"] is True
    assert cfg.raw["acl"]["tokens"]["agent"] == "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"


def test_all_examples_together_in_a_dir(tmp_path: Path) -> None:
    d = tmp_path / "consul.d"
    d.mkdir()
    for name in ("client.json", "join.json", "server.hcl"):
        shutil.copy(EXAMPLES / name, d / name)
    cfg = _load(tmp_path, "-config-dir", str(d))
    aws = "provider=aws tag_key=Environment-Name tag_value=consul-cluster region=us-east-1"
    assert cfg.raw["retry_join"] == [aws, "10.0.10.34", "10.0.11.72", aws]  # lists append
    assert cfg.server and cfg.node_name == "node-a.example.com"
    assert cfg.raw["bootstrap_expect"] == 5  # server.hcl is read last


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"ports": {"http": "abc"}}, 'ports.http: invalid value "abc": expected an integer'),
        ({"ports": {"dns": -5}}, "ports.dns: invalid value -5: expected a port number"),
        ({"ports": {"server": 70000}}, "ports.server: invalid value 70000"),
        ({"ports": {"https": 1.5}}, "ports.https: invalid value 1.5: expected an integer"),
        ({"ports": 8500}, "ports: invalid value 8500: expected an object"),
        ({"server": "yes"}, 'server: invalid value "yes": expected true or false'),
        ({"default_query_time": "10x"}, 'default_query_time: invalid value "10x": time: unknown'),
        ({"max_query_time": 600}, "max_query_time: invalid value 600: expected a duration"),
        ({"max_query_time": "0s"}, 'max_query_time: invalid value "0s": expected a positive'),
        ({"retry_interval": "soon"}, 'retry_interval: invalid value "soon"'),
        ({"log_level": "loud"}, 'log_level: invalid value "loud": expected one of'),
        ({"limits": {"kv_max_value_size": -1}}, "limits.kv_max_value_size: invalid value -1"),
        ({"datacenter": "us east"}, 'datacenter: invalid value "us east"'),
        ({"node_id": "not-a-uuid"}, 'node_id: invalid value "not-a-uuid": expected a UUID'),
        ({"unix_sockets": {"mode": "999"}}, 'unix_sockets.mode: invalid value "999"'),
        ({"client_addr": "localhost"}, 'client_addr: invalid value "localhost"'),
        (
            {"bind_addr": "{{ GetPrivateIP }}"},
            'bind_addr: invalid value "{{ GetPrivateIP }}": expected an IP address (go-sockaddr',
        ),
        ({"addresses": {"http": "unix://rel.sock"}}, "addresses.http: invalid value"),
        ({"retry_join": "10.0.0.1"}, 'retry_join: invalid value "10.0.0.1": expected a list'),
        ({"acl": {"tokens": {"agent": 5}}}, "acl.tokens.agent: invalid value 5: expected a string"),
        ({"node_name": ""}, 'node_name: invalid value "": expected a non-empty string'),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, doc: dict[str, object], message: str) -> None:
    path = _write(tmp_path / "bad.json", json.dumps(doc))
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "-config-file", path)
    assert str(info.value).startswith(message), str(info.value)
    assert path in str(info.value)


def test_invalid_flag_value_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'^log_level: invalid value "loud".*command-line flags'):
        _load(tmp_path, "-log-level", "loud")
    with pytest.raises(ConfigError, match=r"^ports\.http: invalid value -2"):
        _load(tmp_path, "-http-port", "-2")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-bootstrap"], "'bootstrap = true' requires 'server = true'"),
        (["-hcl", "bootstrap_expect = 3"], "'bootstrap_expect > 0' requires 'server = true'"),
        (["-server", "-bootstrap", "-hcl", "bootstrap_expect = 3"], "mutually exclusive"),
        (["-advertise", "0.0.0.0"], "advertise_addr: cannot be 0.0.0.0"),
    ],
)
def test_inconsistent_settings(tmp_path: Path, argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, *argv)


@pytest.mark.parametrize(
    ("level", "normalised"),
    [
        ("trace", "TRACE"),
        ("DEBUG", "DEBUG"),
        ("Info", "INFO"),
        ("warn", "WARN"),
        ("warning", "WARN"),
        ("err", "ERR"),
        ("ERROR", "ERR"),
    ],
)
def test_log_levels(tmp_path: Path, level: str, normalised: str) -> None:
    assert _load(tmp_path, "-log-level", level).log_level == normalised


def test_unknown_keys_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(
        tmp_path / "c.hcl",
        'bogus = 1\nports { htp = 1 }\nacl { tokens { agnet = "x" } }\ntelemetry { nope = true }',
    )
    cfg = _load(tmp_path, "-config-file", path, "-hcl", "also_bogus = true")
    warnings = _warnings(caplog)
    for key in ("bogus", "ports.htp", "acl.tokens.agnet", "telemetry.nope"):
        assert f"config: unknown key {key!r} in {path}" in warnings
    assert "config: unknown key 'also_bogus' in -hcl fragment 1" in warnings
    assert cfg.raw["bogus"] == 1  # kept, in case a later feature wants it


def test_unsupported_key_reported_once_across_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    a = _write(tmp_path / "a.json", '{"encrypt": "k1", "ports": {"grpc": 8502}}')
    b = _write(tmp_path / "b.json", '{"encrypt": "k2"}')
    _load(tmp_path, "-config-file", a, "-config-file", b)
    warnings = _warnings(caplog)
    assert warnings.count("config: encrypt is not supported yet") == 1
    assert "config: ports.grpc is not supported yet" in warnings


def test_supported_keys_do_not_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(
        tmp_path / "c.hcl",
        'datacenter = "x"\nports { http = 1 }\nlimits { kv_max_value_size = 10 }\n'
        'unix_sockets { mode = "0700" }\nnode_name = "n"\ndefault_query_time = "1m"',
    )
    _load(tmp_path, "-config-file", path)
    assert _warnings(caplog) == []


def test_node_name_warning_for_dns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = _load(tmp_path, "-node", "node-a.example.com")
    assert cfg.node_name == "node-a.example.com"
    assert any("will not be discoverable via DNS" in w for w in _warnings(caplog))


# --- node id --------------------------------------------------------------------------------


def test_node_id_persisted_in_data_dir(tmp_path: Path) -> None:
    first = _load(tmp_path)
    assert (tmp_path / "data" / "node-id").read_text() == first.node_id
    assert _load(tmp_path).node_id == first.node_id
    assert load(first.flags).node_id == first.node_id  # what SIGHUP does
    uuid.UUID(first.node_id)


def test_node_id_from_config_wins_and_is_not_written(tmp_path: Path) -> None:
    node_id = "ABCDEF01-2345-6789-ABCD-EF0123456789"
    cfg = _load(tmp_path, "-node-id", node_id)
    assert cfg.node_id == node_id.lower()
    assert not (tmp_path / "data" / "node-id").exists()


def test_bad_node_id_file(tmp_path: Path) -> None:
    _write(tmp_path / "data" / "node-id", "garbage\n")
    with pytest.raises(ConfigError, match="node_id: invalid node ID 'garbage'"):
        _load(tmp_path)


def test_dev_without_data_dir_gets_a_fresh_id_each_time() -> None:
    assert load(parse_flags(["-dev"])).node_id != load(parse_flags(["-dev"])).node_id


# --- listeners ------------------------------------------------------------------------------


def test_http_addresses_tcp_and_unix(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "-hcl", 'addresses { http = "127.0.0.1 unix:///tmp/x.sock" }')
    assert cfg.http_listeners == (
        Listener("tcp", host="127.0.0.1", port=8500),
        Listener("unix", path="/tmp/x.sock"),
    )
    assert [str(x) for x in cfg.http_listeners] == ["127.0.0.1:8500", "unix:///tmp/x.sock"]
    assert cfg.dns_listeners == (Listener("tcp", host="127.0.0.1", port=8600),)


def test_http_port_minus_one_disables_tcp_only(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        "-http-port=-1",
        "-hcl",
        'addresses { http = "127.0.0.1 unix:///tmp/x.sock" }',
    )
    assert cfg.http_listeners == (Listener("unix", path="/tmp/x.sock"),)


def test_client_addr_list(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "-client", "127.0.0.1 ::1", "-http-port", "0", "-dns-port", "-1")
    assert cfg.client_addrs == ("127.0.0.1", "::1")
    assert [str(x) for x in cfg.http_listeners] == ["127.0.0.1:0", "[::1]:0"]
    assert cfg.dns_listeners == ()


def test_dns_cannot_use_unix_sockets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"addresses\.dns"):
        _load(tmp_path, "-hcl", 'addresses { dns = "unix:///tmp/dns.sock" }')


def test_unix_socket_settings(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "-hcl", 'unix_sockets { mode = "0700"\n user = "1000"\n group = "g" }')
    assert cfg.unix_socket_mode == 0o700
    assert (cfg.unix_socket_user, cfg.unix_socket_group) == ("1000", "g")


def test_txn_limit_is_at_least_the_kv_limit(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "-hcl", "limits { kv_max_value_size = 1048576 }")
    assert (cfg.kv_max_value_size, cfg.txn_max_req_len) == (1048576, 1048576)
    cfg = _load(tmp_path, "-hcl", "limits { txn_max_req_len = 2000000 }")
    assert (cfg.kv_max_value_size, cfg.txn_max_req_len) == (524288, 2000000)


def test_advertise_defaults(tmp_path: Path) -> None:
    assert _load(tmp_path, "-bind", "10.1.2.3").advertise_addr == "10.1.2.3"
    assert _load(tmp_path, "-bind", "::").advertise_addr == "::1"
    assert _load(tmp_path, "-advertise", "10.9.9.9").advertise_addr == "10.9.9.9"


def test_query_times(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "-hcl", 'default_query_time = "1m30s"\nmax_query_time = "15000ms"')
    assert (cfg.default_query_time, cfg.max_query_time) == (90.0, 15.0)


def test_domain_gets_trailing_dot(tmp_path: Path) -> None:
    assert _load(tmp_path, "-domain", "cnsl").domain == "cnsl."


# --- logging --------------------------------------------------------------------------------


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_setup_logging_format(
    root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("trace")
    setup_logging("TRACE")  # a reload replaces the handler instead of adding a second one
    assert root_logger.level == logging.DEBUG - 5
    log = logging.getLogger("agentd.test")
    log.log(logging.DEBUG - 5, "deep %s", "detail")
    log.warning("careful")
    log.error("broken")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(" [TRACE] agentd.test: deep detail")
    assert lines[1].endswith(" [WARN] agentd.test: careful")
    assert lines[2].endswith(" [ERROR] agentd.test: broken")
    assert lines[0][:4].isdigit() and "T" in lines[0].split()[0]


def test_setup_logging_level(root_logger: logging.Logger) -> None:
    setup_logging("WARN")
    assert root_logger.level == logging.WARNING
    setup_logging("err")
    assert root_logger.level == logging.ERROR
    with pytest.raises(ValueError):
        setup_logging("loud")


# Keys of the reference (consul-cluster-security.md §8.3, §1.5, §3.2): all must be known.
REFERENCE_TEXT = """
server bootstrap bootstrap_expect datacenter primary_datacenter node_name node_id node_meta
data_dir domain log_level log_json log_file bind_addr client_addr advertise_addr advertise_addr_wan
addresses.dns addresses.http addresses.https addresses.grpc addresses.grpc_tls ports.dns ports.http
ports.https ports.grpc ports.grpc_tls ports.serf_lan ports.serf_wan ports.server
ports.sidecar_min_port ports.sidecar_max_port ports.expose_min_port ports.expose_max_port
retry_join retry_join_wan retry_interval retry_max rejoin_after_leave leave_on_terminate
skip_leave_on_interrupt encrypt encrypt_verify_incoming encrypt_verify_outgoing
disable_keyring_file acl tls auto_encrypt connect ui_config.enabled ui_config.dir
ui_config.content_path ui_config.metrics_provider ui_config.metrics_proxy
ui_config.dashboard_url_templates performance.raft_multiplier performance.leave_drain_time
performance.rpc_hold_timeout autopilot raft_protocol raft_snapshot_threshold raft_snapshot_interval
raft_trailing_logs read_replica reconnect_timeout reconnect_timeout_wan gossip_lan gossip_wan
recursors dns_config.allow_stale dns_config.max_stale dns_config.node_ttl dns_config.service_ttl
dns_config.only_passing dns_config.enable_truncate dns_config.udp_answer_limit
dns_config.a_record_limit dns_config.recursor_timeout limits.http_max_conns_per_client
limits.rpc_rate limits.rpc_max_burst limits.rpc_max_conns_per_client limits.kv_max_value_size
limits.txn_max_req_len disable_remote_exec enable_script_checks enable_local_script_checks
default_query_time max_query_time tls_min_version http_config.response_headers
http_config.block_endpoints http_config.allow_write_http_from config_entries.bootstrap
default_intention_policy services service checks check watches acl.enabled acl.default_policy
acl.down_policy acl.policy_ttl acl.role_ttl acl.token_ttl acl.enable_token_persistence
acl.enable_key_list_policy acl.enable_token_replication acl.tokens.initial_management
acl.tokens.agent acl.tokens.agent_recovery acl.tokens.default acl.tokens.replication
acl.tokens.config_file_service_registration acl.tokens.dns acl.tokens.master
acl.tokens.agent_master tls.defaults.ca_file tls.internal_rpc.verify_server_hostname
tls.https.verify_incoming tls.grpc.use_auto_cert auto_encrypt.tls auto_encrypt.allow_tls
auto_encrypt.dns_san auto_encrypt.ip_san ca_file ca_path cert_file key_file verify_incoming
verify_incoming_rpc verify_incoming_https verify_outgoing verify_server_hostname tls_cipher_suites
unix_sockets.mode unix_sockets.user unix_sockets.group
"""
REFERENCE_KEYS = REFERENCE_TEXT.split()


@pytest.mark.parametrize("key", REFERENCE_KEYS)
def test_reference_keys_are_known(key: str) -> None:
    node: object = SCHEMA
    for part in key.split("."):
        assert isinstance(node, dict) and part in node, key
        node = node[part]
