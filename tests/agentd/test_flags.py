from __future__ import annotations

import dataclasses

import pytest

from agentd.flags import _SPECS, USAGE, ConfigPath, Flags, UsageError, parse_flags


def test_no_arguments_gives_defaults() -> None:
    assert parse_flags([]) == Flags()


@pytest.mark.parametrize(
    "argv",
    [["-dev"], ["--dev"], ["-dev=true"], ["--dev=1"], ["-dev=T"], ["agent", "-dev"]],
)
def test_boolean_forms_set_true(argv: list[str]) -> None:
    assert parse_flags(argv).dev is True


@pytest.mark.parametrize("argv", [["-server=false"], ["--server=0"], ["-server=F"]])
def test_boolean_false(argv: list[str]) -> None:
    assert parse_flags(argv).server is False


def test_boolean_does_not_consume_next_argument() -> None:
    # Go: "-dev false" is -dev followed by a positional argument, which the agent rejects.
    with pytest.raises(UsageError, match=r"Unknown extra arguments: \[false\]"):
        parse_flags(["-dev", "false"])


@pytest.mark.parametrize(
    "argv",
    [
        ["-data-dir", "/d", "-http-port", "8501"],
        ["-data-dir=/d", "-http-port=8501"],
        ["--data-dir", "/d", "--http-port=8501"],
    ],
)
def test_value_forms(argv: list[str]) -> None:
    flags = parse_flags(argv)
    assert flags.data_dir == "/d"
    assert flags.http_port == 8501


def test_value_may_start_with_dash() -> None:
    assert parse_flags(["-http-port", "-1"]).http_port == -1
    assert parse_flags(["-node", "-x"]).node_name == "-x"


def test_every_flag() -> None:
    line = (
        "-dev -server -bootstrap -data-dir /d -node n1 -datacenter east -client 0.0.0.0 "
        "-bind 10.0.0.1 -advertise 10.0.0.2 -http-port 1 -dns-port 2 -server-port 3 "
        "-log-level debug -node-id 11111111-2222-3333-4444-555555555555 -domain cnsl."
    )
    flags = parse_flags(line.split())
    assert flags == Flags(
        dev=True,
        server=True,
        bootstrap=True,
        data_dir="/d",
        node_name="n1",
        datacenter="east",
        client_addr="0.0.0.0",
        bind_addr="10.0.0.1",
        advertise_addr="10.0.0.2",
        http_port=1,
        dns_port=2,
        server_port=3,
        log_level="debug",
        node_id="11111111-2222-3333-4444-555555555555",
        domain="cnsl.",
    )


def test_config_paths_keep_interleaved_order() -> None:
    flags = parse_flags(
        ["-config-file", "a.hcl", "-config-dir=d1", "--config-file=b.json", "-config-dir", "d2"]
    )
    assert flags.config_paths == (
        ConfigPath("file", "a.hcl"),
        ConfigPath("dir", "d1"),
        ConfigPath("file", "b.json"),
        ConfigPath("dir", "d2"),
    )


def test_hcl_is_repeatable() -> None:
    assert parse_flags(["-hcl", "a = 1", "-hcl=b = 2"]).hcl == ("a = 1", "b = 2")


def test_go_integer_syntax() -> None:
    assert parse_flags(["-http-port=0x10"]).http_port == 16
    assert parse_flags(["-http-port=010"]).http_port == 8


def test_double_dash_ends_flags() -> None:
    with pytest.raises(UsageError, match="Unknown extra arguments"):
        parse_flags(["-dev", "--", "-server"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-foo"], "flag provided but not defined: -foo"),
        (["--foo=1"], "flag provided but not defined: -foo"),
        (["-http-port", "x"], 'invalid value "x" for flag -http-port: parse error'),
        (["-dns-port=1.5"], 'invalid value "1.5" for flag -dns-port: parse error'),
        (["-dev=maybe"], 'invalid boolean value "maybe" for -dev: parse error'),
        (["-data-dir"], "flag needs an argument: -data-dir"),
        (["---dev"], "bad flag syntax: ---dev"),
        (["-=x"], "bad flag syntax: -=x"),
        (
            ["-config-format=yaml"],
            "invalid value \"yaml\" for flag -config-format: must be 'hcl' or 'json'",
        ),
        (["-dev", "stray"], "Unknown extra arguments: [stray]"),
    ],
)
def test_errors_use_go_messages(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_flags(argv)
    assert info.value.message == message
    assert str(info.value) == message
    assert info.value.help == USAGE
    assert not info.value.help_requested


@pytest.mark.parametrize("argv", [["-h"], ["-help"], ["--help"], ["agent", "-h"]])
def test_help(argv: list[str]) -> None:
    with pytest.raises(UsageError) as info:
        parse_flags(argv)
    assert info.value.help_requested
    assert info.value.help.startswith("Usage: agentd")
    assert "-config-dir" in info.value.help


def test_config_overrides_use_consul_keys() -> None:
    flags = parse_flags(["-dev", "-node", "n", "-http-port", "1", "-dns-port", "2", "-server"])
    assert flags.config_overrides() == {
        "node_name": "n",
        "server": True,
        "ports": {"http": 1, "dns": 2},
    }


def test_every_spec_names_a_flags_field() -> None:
    names = {f.name for f in dataclasses.fields(Flags)}
    assert {spec.attr for spec in _SPECS.values()} <= names
