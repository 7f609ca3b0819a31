"""ClientConfig.from_env: Consul's variables, address forms and precedence rules."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from cnslkit.api.config import ClientConfig, parse_bool
from cnslkit.api.errors import ApiError, ConfigError


def test_defaults_with_empty_environment() -> None:
    cfg = ClientConfig.from_env(environ={})
    assert (cfg.scheme, cfg.host, cfg.port, cfg.unix_socket) == ("http", "127.0.0.1", 8500, None)
    assert cfg.token is None and cfg.datacenter is None and not cfg.stale and cfg.tls_verify
    assert cfg.base_url == "http://127.0.0.1:8500"


@pytest.mark.parametrize(
    ("address", "ssl_env", "expected"),
    [
        ("10.0.0.1:8501", "", ("http", "10.0.0.1", 8501, None, "")),
        ("http://agent:18500", "", ("http", "agent", 18500, None, "")),
        ("https://agent:8501", "", ("https", "agent", 8501, None, "")),
        ("agent:8501", "true", ("https", "agent", 8501, None, "")),
        ("http://agent:8500", "true", ("https", "agent", 8500, None, "")),  # TLS never reverts
        ("https://agent", "", ("https", "agent", 443, None, "")),
        ("http://agent:8500/consul/", "", ("http", "agent", 8500, None, "/consul")),
        ("[::1]:8500", "", ("http", "::1", 8500, None, "")),
        ("unix:///run/consul.sock", "", ("http", "", 0, "/run/consul.sock", "")),
    ],
)
def test_address_forms(address: str, ssl_env: str, expected: tuple[object, ...]) -> None:
    env = {"CONSUL_HTTP_ADDR": address, "CONSUL_HTTP_SSL": ssl_env}
    cfg = ClientConfig.from_env(environ=env)
    assert (cfg.scheme, cfg.host, cfg.port, cfg.unix_socket, cfg.path_prefix) == expected


def test_base_urls() -> None:
    assert ClientConfig("[::1]:8500").base_url == "http://[::1]:8500"
    assert ClientConfig("unix:///x.sock").base_url == "http://localhost"
    assert ClientConfig("https://h:1/p").base_url == "https://h:1/p"


@pytest.mark.parametrize("address", ["ftp://agent:21", "agent:http", "agent:0", ":8500"])
def test_bad_addresses(address: str) -> None:
    with pytest.raises(ConfigError):
        ClientConfig.from_env(environ={"CONSUL_HTTP_ADDR": address})


def test_every_variable_is_read(tmp_path: Path) -> None:
    env = {
        "CONSUL_HTTP_ADDR": "agent:9500",
        "CONSUL_HTTP_TOKEN": "tok",
        "CONSUL_CACERT": "/ca.pem",
        "CONSUL_CAPATH": "/cas",
        "CONSUL_CLIENT_CERT": "/c.pem",
        "CONSUL_CLIENT_KEY": "/k.pem",
        "CONSUL_TLS_SERVER_NAME": "consul.example",
        "CONSUL_HTTP_SSL_VERIFY": "false",
        "CONSUL_HTTP_AUTH": "user:pa:ss",
    }
    cfg = ClientConfig.from_env(environ=env)
    assert (cfg.host, cfg.port, cfg.token) == ("agent", 9500, "tok")
    assert (cfg.ca_file, cfg.ca_path, cfg.client_cert, cfg.client_key) == (
        "/ca.pem",
        "/cas",
        "/c.pem",
        "/k.pem",
    )
    assert cfg.tls_server_name == "consul.example"
    assert cfg.tls_verify is False
    assert cfg.http_auth == ("user", "pa:ss")


def test_auth_without_password() -> None:
    assert ClientConfig.from_env(environ={"CONSUL_HTTP_AUTH": "u"}).http_auth == ("u", "")


def test_overrides_beat_environment() -> None:
    env = {"CONSUL_HTTP_ADDR": "env:1", "CONSUL_HTTP_TOKEN": "env-token"}
    cfg = ClientConfig.from_env(
        {"http_addr": "flag:2", "token": "flag-token", "datacenter": "dc2", "stale": True},
        environ=env,
    )
    assert (cfg.host, cfg.port, cfg.token, cfg.datacenter, cfg.stale) == (
        "flag",
        2,
        "flag-token",
        "dc2",
        True,
    )
    # None means "flag not given": the environment decides.
    assert ClientConfig.from_env({"token": None}, environ=env).token == "env-token"


def test_unknown_override_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        ClientConfig.from_env({"http-addr": "x:1"}, environ={})


def test_token_file_wins_and_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("  file-token\n")
    env = {"CONSUL_HTTP_TOKEN": "env-token", "CONSUL_HTTP_TOKEN_FILE": str(path)}
    assert ClientConfig.from_env(environ=env).token == "file-token"
    # ... even over a -token flag, as in Consul.
    assert ClientConfig.from_env({"token": "flag"}, environ=env).token == "file-token"
    path.write_text("\n")
    assert ClientConfig.from_env(environ=env).token == "env-token"


def test_unreadable_token_file(tmp_path: Path) -> None:
    env = {"CONSUL_HTTP_TOKEN_FILE": str(tmp_path / "missing")}
    with pytest.raises(ConfigError, match="Error loading token file") as info:
        ClientConfig.from_env(environ=env)
    assert isinstance(info.value, ApiError) and info.value.status == 0


def test_unparsable_ssl_values_are_ignored_as_consul_does() -> None:
    cfg = ClientConfig.from_env(environ={"CONSUL_HTTP_SSL": "maybe", "CONSUL_HTTP_SSL_VERIFY": "?"})
    assert cfg.scheme == "http" and cfg.tls_verify


def test_parse_bool_is_gos() -> None:
    assert [parse_bool(v) for v in ("1", "t", "TRUE", "True", "0", "f", "FALSE")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError, match="invalid syntax"):
        parse_bool("yes")


def test_immutable_equal_and_token_never_in_repr() -> None:
    cfg = ClientConfig("a:1", token="secret")
    with pytest.raises(AttributeError):
        cfg.token = "x"
    assert cfg == ClientConfig("a:1", token="secret") != ClientConfig("a:1")
    assert hash(cfg) == hash(ClientConfig("a:1", token="secret"))
    assert "secret" not in repr(cfg) and "token=set" in repr(cfg)


def test_ssl_context() -> None:
    ctx = ClientConfig("https://a:1", tls_verify=False).ssl_context()
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname
    assert ClientConfig("https://a:1").ssl_context().verify_mode == ssl.CERT_REQUIRED
    with pytest.raises(ConfigError, match="TLS"):
        ClientConfig("https://a:1", ca_file="/no/such/ca.pem").ssl_context()
