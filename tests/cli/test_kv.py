"""cnsl kv logic without an agent: outputs, argument rules, and the flag tables' agreement."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import typer

from cli import kv
from cli.app import build
from cli.command import Command, DataError, execute, load_data
from cli.goflags import flags_from_click, parse
from cli.output import Output
from cnslkit.api.models import KVPair
from cnslkit.rawhttp import Response

PAIR = KVPair("foo/bar", b"baz", 42, 1, "adf4238a", 12, 15)


class FakeHttp:
    """Answers calls from a script of (status, body) and records what was asked."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, list[tuple[str, str | None]], bytes | None]] = []

    def call(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str | None]] = (),
        body: bytes | None = None,
    ) -> Response:
        self.calls.append((method, path, list(params), body))
        status, payload = self.answers.pop(0)
        return Response(status, "", {}, payload)


def run(name: str, argv: list[str], http: FakeHttp) -> tuple[int, str, str]:
    command: Command = kv.COMMANDS[name]
    stdout, stderr = io.BytesIO(), io.BytesIO()
    out = Output(stdout, stderr)
    code = execute(command, parse(argv, command.flags), out, http)  # type: ignore[arg-type]
    return code, stdout.getvalue().decode(errors="replace"), stderr.getvalue().decode()


def test_detailed_matches_gos_tabwriter() -> None:
    assert kv.format_detailed(PAIR, base64=False) == (
        b"CreateIndex      12\n"
        b"Flags            42\n"
        b"Key              foo/bar\n"
        b"LockIndex        1\n"
        b"ModifyIndex      15\n"
        b"Session          adf4238a\n"
        b"Value            baz"
    )
    unlocked = KVPair("k", None)
    assert b"Session          -\n" in kv.format_detailed(unlocked, base64=False)
    assert kv.format_detailed(PAIR, base64=True).endswith(b"Value            YmF6")


def test_export_is_go_marshal_indent_with_tabs() -> None:
    pairs = [KVPair('a<&>"\\\n\b\u2028é', b"\x00"), KVPair("b", None, flags=3)]
    text = kv.format_export(pairs)
    assert text == (
        "[\n"
        '\t{\n\t\t"key": "a\\u003c\\u0026\\u003e\\"\\\\\\n\\u0008\\u2028é",\n'
        '\t\t"flags": 0,\n\t\t"value": "AA=="\n\t},\n'
        '\t{\n\t\t"key": "b",\n\t\t"flags": 3,\n\t\t"value": ""\n\t}\n'
        "]"
    )
    assert [e["key"] for e in json.loads(text)] == ['a<&>"\\\n\b\u2028é', "b"]
    assert kv.format_export([]) == "[]"


def test_parse_import() -> None:
    data = b'[{"key": "a", "flags": 2, "value": "aGk="}, {"Key": "b", "Value": ""}]'
    assert kv.parse_import(data) == [("a", 2, b"hi"), ("b", 0, b"")]
    for bad in (b"{}", b"[1]", b'[{"key": "a", "flags": -1}]', b'[{"key": "a", "value": "!"}]'):
        with pytest.raises(ValueError):
            kv.parse_import(bad)


def test_load_data(tmp_path: Path) -> None:
    path = tmp_path / "v.bin"
    path.write_bytes(b"\x00file\n")
    assert load_data(f"@{path}") == b"\x00file\n"
    assert load_data("-", io.BytesIO(b"stdin")) == b"stdin"
    assert load_data("-x") == b"-x" and load_data("plain") == b"plain"
    with pytest.raises(DataError, match="Failed to read file: open /nope: no such file"):
        load_data("@/nope")


def test_get_uses_raw_and_prints_bytes() -> None:
    http = FakeHttp((200, b"v\xff"))
    code, out, _ = run("get", ["/a b"], http)
    assert code == 0 and out == "v\ufffd\n"
    assert http.calls == [("GET", "/v1/kv/a%20b", [("raw", None)], None)]


def test_get_missing_and_errors() -> None:
    assert run("get", ["k"], FakeHttp((404, b""))) == (1, "", "Error! No key exists at: k\n")
    assert run("get", ["k"], FakeHttp((500, b"boom")))[::2] == (
        1,
        "Error querying Consul agent: Unexpected response code: 500 (boom)\n",
    )
    assert run("get", [], FakeHttp()) == (2, "", "Error! Missing KEY argument\n")
    assert run("get", ["a", "b"], FakeHttp())[2] == "Too many arguments (expected 1, got 2)\n"


def test_get_recurse_keys_and_base64() -> None:
    body = json.dumps([PAIR.to_json(), KVPair("foo/z", b"2").to_json()]).encode()
    assert run("get", ["-recurse", "foo"], FakeHttp((200, body)))[1] == "foo/bar:baz\nfoo/z:2\n"
    assert run("get", ["-recurse", "-base64", "foo"], FakeHttp((200, body)))[1] == (
        "foo/bar:YmF6\nfoo/z:Mg==\n"
    )
    detailed = run("get", ["-recurse", "-detailed", "foo"], FakeHttp((200, body)))[1]
    assert "Value            baz\n\nCreateIndex" in detailed
    http = FakeHttp((200, b'["foo/", "top"]'))
    assert run("get", ["-keys"], http)[1] == "foo/\ntop\n"
    assert http.calls[0][2] == [("keys", None), ("separator", "/")]
    assert run("get", ["-keys", "-separator=", "x"], FakeHttp((404, b""))) == (0, "", "")
    assert run("get", ["-base64", "k"], FakeHttp((200, b"hi")))[1] == "aGk=\n"


def test_put_modes_and_messages() -> None:
    http = FakeHttp((200, b"true"))
    assert run("put", ["-flags=5", "k", "v"], http) == (0, "Success! Data written to: k\n", "")
    assert http.calls == [("PUT", "/v1/kv/k", [("flags", "5")], b"v")]
    http = FakeHttp((200, b"false"))
    assert run("put", ["-cas", "-modify-index=9", "k", "v"], http)[2] == (
        "Error! Did not write to k: CAS failed\n"
    )
    assert http.calls[0][2] == [("cas", "9")]
    assert run("put", ["-acquire", "-session=s", "k"], FakeHttp((200, b"true")))[1] == (
        "Success! Lock acquired on: k\n"
    )
    assert run("put", ["-release", "-session=s", "k"], FakeHttp((200, b"false")))[2] == (
        "Error! Did not release lock\n"
    )
    assert run("put", ["-base64", "k", "aGk=\n"], FakeHttp((200, b"true")))[0] == 0


def test_put_usage_and_input_errors() -> None:
    assert run("put", [], FakeHttp()) == (2, "", "Error! Missing KEY argument\n")
    assert run("put", ["a", "b", "c"], FakeHttp())[2] == (
        "Error! Too many arguments (expected 1 or 2, got 3)\n"
    )
    assert run("put", ["-cas", "k", "v"], FakeHttp()) == (
        2,
        "",
        "Must specify -modify-index with -cas!\n",
    )
    assert run("put", ["-acquire", "k"], FakeHttp())[2] == (
        "Error! Missing -session (required with -acquire and -release)\n"
    )
    assert run("put", ["-base64", "k", "!!"], FakeHttp())[0] == 1
    assert run("put", ["k", "@/nope"], FakeHttp())[2].startswith("Error! Failed to read file")
    assert run("put", ["/k", "v"], FakeHttp())[2] == (
        "Error! Failed writing data: Invalid key. Key must not begin with a '/': /k\n"
    )


def test_delete_rules_and_messages() -> None:
    assert run("delete", ["/k"], FakeHttp((200, b"true")))[1] == "Success! Deleted key: k\n"
    http = FakeHttp((200, b"true"))
    assert run("delete", ["-recurse", "p"], http)[1] == "Success! Deleted keys with prefix: p\n"
    assert http.calls[0][2] == [("recurse", None)]
    assert run("delete", ["-cas", "-modify-index=3", "k"], FakeHttp((200, b"false")))[2] == (
        "Error! Did not delete key k: CAS failed\n"
    )
    assert run("delete", [], FakeHttp())[2] == "Error! Missing KEY argument\n"
    assert run("delete", ["-modify-index=3", "k"], FakeHttp())[2] == (
        "Cannot specify -modify-index without -cas!\n"
    )
    assert run("delete", ["-cas", "-modify-index=3", "-recurse", "k"], FakeHttp())[2] == (
        "Cannot specify both -cas and -recurse!\n"
    )


def test_import_writes_each_entry_under_prefix(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        '[{"key": "a/", "flags": 1, "value": ""}, {"key": "b", "flags": 0, "value": "dg=="}]'
    )
    http = FakeHttp((200, b"true"), (200, b"true"))
    code, out, _ = run("import", ["-prefix=p/", f"@{path}"], http)
    assert (code, out) == (0, "Imported: p/a/\nImported: p/b\n")
    assert [c[1:] for c in http.calls] == [
        ("/v1/kv/p/a/", [("flags", "1")], b""),
        ("/v1/kv/p/b", [], b"v"),
    ]
    assert run("import", [], FakeHttp())[2] == "Error! Missing DATA argument\n"
    assert run("import", [""], FakeHttp())[2] == "Error! Empty DATA argument\n"
    assert run("import", ["nope"], FakeHttp())[2].startswith("Cannot unmarshal data:")


@pytest.mark.parametrize("name", sorted(kv.COMMANDS))
def test_fast_path_flags_equal_typer_options(name: str) -> None:
    """The fast path parses with COMMANDS[name].flags; the Typer command must offer the same."""
    root = typer.main.get_command(build())
    click_command = root.commands["kv"].commands[name]  # type: ignore[attr-defined]
    typer_flags = {(f.name, f.kind) for f in flags_from_click(click_command)}
    spec_flags = {(f.name, f.kind) for f in kv.COMMANDS[name].flags}
    assert typer_flags == spec_flags
    http_flags = {"http-addr", "token", "token-file", "ca-file", "ca-path", "client-cert"}
    assert http_flags <= {n for n, _ in spec_flags}
