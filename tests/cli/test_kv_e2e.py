"""``cnsl kv`` as users run it: a subprocess per command against a real dev agent."""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path

import pytest

from tests.agents import AgentThread
from tests.cli.runner import Cnsl


@pytest.fixture
def cnsl(agent: AgentThread) -> Cnsl:
    return Cnsl(agent.http_addr)


def test_put_get_delete_round_trip(cnsl: Cnsl) -> None:
    assert cnsl.ok("kv", "put", "app/config", "hello world") == (
        "Success! Data written to: app/config\n"
    )
    assert cnsl.ok("kv", "get", "app/config") == "hello world\n"
    assert cnsl.ok("kv", "delete", "app/config") == "Success! Deleted key: app/config\n"
    missing = cnsl("kv", "get", "app/config")
    assert missing.returncode == 1
    assert missing.stderr == b"Error! No key exists at: app/config\n" and missing.stdout == b""


def test_recurse_keys_and_separator(cnsl: Cnsl) -> None:
    for key in ("web/a", "web/sub/b", "web/sub/c", "other"):
        cnsl.ok("kv", "put", key, key.upper())
    assert (
        cnsl.ok("kv", "get", "-recurse", "web")
        == "web/a:WEB/A\nweb/sub/b:WEB/SUB/B\nweb/sub/c:WEB/SUB/C\n"
    )
    assert cnsl.ok("kv", "get", "-keys", "web/") == "web/a\nweb/sub/\n"
    assert cnsl.ok("kv", "get", "-keys", "-separator=", "web/") == "web/a\nweb/sub/b\nweb/sub/c\n"
    assert cnsl.ok("kv", "get", "-keys") == "other\nweb/\n"
    assert (
        cnsl.ok("kv", "delete", "-recurse", "web/") == "Success! Deleted keys with prefix: web/\n"
    )
    assert cnsl.ok("kv", "get", "-keys") == "other\n"


def test_detailed_and_flags(cnsl: Cnsl) -> None:
    cnsl.ok("kv", "put", "-flags=42", "d", "v")
    lines = cnsl.ok("kv", "get", "-detailed", "d").splitlines()
    assert [line.split()[0] for line in lines] == [
        "CreateIndex",
        "Flags",
        "Key",
        "LockIndex",
        "ModifyIndex",
        "Session",
        "Value",
    ]
    assert lines[1] == "Flags            42" and lines[2] == "Key              d"
    assert lines[5] == "Session          -" and lines[6] == "Value            v"


def _modify_index(cnsl: Cnsl, key: str) -> int:
    line = next(x for x in cnsl.ok("kv", "get", "-detailed", key).splitlines() if "Modify" in x)
    return int(line.split()[1])


def test_cas_put_and_delete(cnsl: Cnsl) -> None:
    cnsl.ok("kv", "put", "c", "1")
    index = _modify_index(cnsl, "c")
    stale = cnsl("kv", "put", "-cas", f"-modify-index={index + 100}", "c", "2")
    assert stale.returncode == 1 and stale.stderr == b"Error! Did not write to c: CAS failed\n"
    assert cnsl.ok("kv", "put", "-cas", "-modify-index", str(index), "c", "2") == (
        "Success! Data written to: c\n"
    )
    assert cnsl.ok("kv", "get", "c") == "2\n"
    new_index = _modify_index(cnsl, "c")
    failed = cnsl("kv", "delete", "-cas", f"-modify-index={index}", "c")
    assert failed.returncode == 1 and failed.stderr == b"Error! Did not delete key c: CAS failed\n"
    assert cnsl.ok("kv", "delete", "-cas", f"-modify-index={new_index}", "c") == (
        "Success! Deleted key: c\n"
    )
    usage = cnsl("kv", "put", "-cas", "c", "3")
    assert usage.returncode == 2 and usage.stderr == b"Must specify -modify-index with -cas!\n"


def test_base64_stdin_and_file_values(cnsl: Cnsl, tmp_path: Path) -> None:
    binary = bytes(range(256))
    cnsl.ok("kv", "put", "-base64", "bin", base64.b64encode(binary).decode())
    assert cnsl.ok("kv", "get", "-base64", "bin") == base64.b64encode(binary).decode() + "\n"
    assert cnsl("kv", "get", "bin").stdout == binary + b"\n"
    assert cnsl.ok("kv", "put", "piped", "-", stdin=b"from stdin\n") == (
        "Success! Data written to: piped\n"
    )
    assert cnsl.ok("kv", "get", "piped") == "from stdin\n\n"
    path = tmp_path / "value.txt"
    path.write_bytes(b"from a file")
    cnsl.ok("kv", "put", "filed", f"@{path}")
    assert cnsl.ok("kv", "get", "filed") == "from a file\n"
    cnsl.ok("kv", "put", "dash", "-not-a-flag")
    assert cnsl.ok("kv", "get", "dash") == "-not-a-flag\n"


def test_export_import_round_trip(cnsl: Cnsl) -> None:
    cnsl.ok("kv", "put", "-flags=7", "exp/a", "alpha")
    cnsl.ok("kv", "put", "-base64", "exp/b", base64.b64encode(b"\x00\xff").decode())
    exported = cnsl.ok("kv", "export", "exp/")
    assert exported.startswith('[\n\t{\n\t\t"key": "exp/a",\n\t\t"flags": 7,\n')
    entries = json.loads(exported)
    assert entries == [
        {"key": "exp/a", "flags": 7, "value": base64.b64encode(b"alpha").decode()},
        {"key": "exp/b", "flags": 0, "value": "AP8="},
    ]
    assert cnsl.ok("kv", "import", "-prefix=copy", "-", stdin=exported.encode()) == (
        "Imported: copy/exp/a\nImported: copy/exp/b\n"
    )
    assert cnsl("kv", "get", "-recurse", "copy/").stdout == (
        b"copy/exp/a:alpha\ncopy/exp/b:\x00\xff\n"
    )
    assert cnsl.ok("kv", "get", "-detailed", "copy/exp/a").splitlines()[1] == "Flags            7"
    assert cnsl.ok("kv", "export", "nothing/") == "[]\n"


def test_usage_errors_exit_2_on_stderr(cnsl: Cnsl) -> None:
    for argv in (
        ["kv", "get", "-nope", "k"],
        ["kv", "get"],
        ["kv", "put"],
        ["kv", "get", "a", "b"],
    ):
        result = cnsl(*argv)
        assert result.returncode == 2, argv
        assert result.stdout == b"" and result.stderr, argv
        assert b"Traceback" not in result.stderr
    unknown = cnsl("kv", "get", "-nope", "k")
    assert unknown.stderr.startswith(b"flag provided but not defined: -nope\n")


def test_help_exits_0(cnsl: Cnsl) -> None:
    for argv in (["kv", "get", "-h"], ["kv", "put", "--help"], ["kv", "-help"]):
        result = cnsl(*argv)
        assert result.returncode == 0 and b"Usage: cnsl kv" in result.stdout, argv
    assert b"-modify-index" in cnsl("kv", "put", "-h").stdout


def test_server_error_is_reported_like_consul(cnsl: Cnsl) -> None:
    cnsl.ok("kv", "put", "k", "v")
    result = cnsl("kv", "get", "-datacenter=nowhere", "k")
    assert result.returncode == 1
    assert result.stderr.startswith(b"Error querying Consul agent: Unexpected response code: 500")
    lock = cnsl("kv", "put", "-acquire", "-session=nosuch", "k", "v")
    assert lock.returncode == 1 and lock.stderr.startswith(b"Error! Failed writing data:")


def test_http_addr_flag_beats_environment(agent: AgentThread) -> None:
    cnsl = Cnsl("127.0.0.1:1")  # nothing listens there
    assert cnsl("kv", "put", f"-http-addr={agent.http_addr}", "f", "x").returncode == 0
    assert cnsl("kv", "get", "-http-addr", f"http://{agent.http_addr}", "f").stdout == b"x\n"
    refused = cnsl("kv", "get", "f")
    assert refused.returncode == 1 and b"Traceback" not in refused.stderr
    assert refused.stderr == (
        b'Error querying Consul agent: Get "http://127.0.0.1:1/v1/kv/f?raw": '
        b"dial tcp 127.0.0.1:1: connect: connection refused\n"
    )


def test_typer_path_connection_refused(agent: AgentThread) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = Cnsl(f"127.0.0.1:{port}")("kv", "export")
    assert result.returncode == 1 and b"connection refused" in result.stderr
    assert b"Traceback" not in result.stderr


def test_unix_socket_address(tmp_path: Path) -> None:
    sock = tmp_path / "agent.sock"
    agent = AgentThread("-hcl", f'addresses {{ http = "unix://{sock}" }}').start()
    try:
        cnsl = Cnsl(f"unix://{sock}")
        assert cnsl.ok("kv", "put", "over/unix", "yes") == "Success! Data written to: over/unix\n"
        assert cnsl.ok("kv", "get", "over/unix") == "yes\n"
        assert cnsl.ok("kv", "export", "over/").startswith("[\n\t{")
    finally:
        agent.stop()
