"""The companions' shared ``consul {}`` block reader."""

from __future__ import annotations

from typing import Any

import pytest

from cnslkit.api.consul_block import client_from_block
from cnslkit.api.errors import ConfigError


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"{where}: not a bool")


ENV = {"CONSUL_HTTP_ADDR": "10.0.0.1:8500", "CONSUL_HTTP_TOKEN": "from-env"}


def test_the_block_wins_over_the_environment_and_flags_over_the_block() -> None:
    cfg = client_from_block({"address": "10.0.0.2:8500", "token": "t"}, _bool, environ=ENV)
    assert (cfg.address, cfg.token, cfg.scheme) == ("10.0.0.2:8500", "t", "http")
    cfg = client_from_block({"address": "10.0.0.2:8500"}, _bool, address="h:1", environ=ENV)
    assert (cfg.address, cfg.token) == ("h:1", "from-env")


def test_any_ssl_option_turns_tls_on_unless_disabled() -> None:
    assert client_from_block({"ssl": {"verify": False}}, _bool, environ=ENV).scheme == "https"
    off = client_from_block({"ssl": {"enabled": False, "verify": False}}, _bool, environ=ENV)
    assert off.scheme == "http" and off.tls_verify is False
    assert client_from_block({}, _bool, address="https://h:8501", environ={}).scheme == "https"


def test_auth_block_and_errors() -> None:
    cfg = client_from_block({"auth": {"username": "u", "password": "p"}}, _bool, environ=ENV)
    assert cfg.http_auth == ("u", "p")
    off = client_from_block({"auth": {"enabled": False, "username": "u"}}, _bool, environ=ENV)
    assert off.http_auth is None
    with pytest.raises(ConfigError, match=r"consul\.ssl: must be a block"):
        client_from_block({"ssl": "yes"}, _bool, environ=ENV)
