"""``cnsl kv get|put|delete|export|import``: Consul's ``command/kv/*`` flags, messages and exits.

Each command is declared once (a :class:`~cli.command.Command` with its flag table) and its
function serves both the fast path and the Typer app. Reads of one key use ``?raw`` so the hot
``kv get KEY`` needs no JSON; JSON, base64 models and ``json`` are imported only by the commands
that need them. Exit codes: 0 ok, 1 the agent said no or could not be reached, 2 the command line
was wrong (Consul itself exits 1 for those; we follow the house rule).
"""

from __future__ import annotations

import binascii

from cli.command import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    DataError,
    command_table,
    load_data,
)
from cli.goflags import BOOL, STRING, UINT, Flag
from cli.httpflags import HTTP_FLAGS
from cnslkit.api import wire
from cnslkit.api.errors import ApiError, ResponseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from cli.command import Invocation
    from cli.goflags import Parsed
    from cli.httpflags import Http
    from cli.output import Output
    from cnslkit.api.models import KVPair

__all__ = ["COMMANDS", "format_detailed", "format_export", "parse_import"]

_B64 = "Base64 encode the value. The default value is false."
GET_FLAGS = (
    Flag("base64", BOOL, help=_B64),
    Flag("detailed", BOOL, help="Show CreateIndex, Flags, LockIndex, ModifyIndex and Session too."),
    Flag("keys", BOOL, help="List key names under the prefix instead of values."),
    Flag("recurse", BOOL, help="Show every key with the given prefix."),
    Flag("separator", STRING, "/", help="Fold -keys output at this separator.", metavar="SEP"),
    *HTTP_FLAGS,
)
PUT_FLAGS = (
    Flag("acquire", BOOL, help="Obtain a lock on the key for -session (creating the key)."),
    Flag("base64", BOOL, help="Treat the data as base64 encoded."),
    Flag("cas", BOOL, help="Check-and-set: write only if -modify-index still matches."),
    Flag("flags", UINT, 0, help="Unsigned integer stored with the key for clients' use."),
    Flag("modify-index", UINT, 0, help="The ModifyIndex the key must have for -cas."),
    Flag("release", BOOL, help="Release the lock held on the key by -session."),
    Flag("session", STRING, help="Session ID for -acquire and -release.", metavar="ID"),
    *HTTP_FLAGS,
)
DELETE_FLAGS = (
    Flag("cas", BOOL, help="Delete only if -modify-index still matches."),
    Flag("modify-index", UINT, 0, help="The ModifyIndex the key must have for -cas."),
    Flag("recurse", BOOL, help="Delete every key with the given prefix."),
    *HTTP_FLAGS,
)
EXPORT_FLAGS = HTTP_FLAGS
IMPORT_FLAGS = (
    Flag(
        "prefix", STRING, "", help="Key prefix for imported data (default: the root).", metavar="P"
    ),
    *HTTP_FLAGS,
)


def _path(key: str) -> str:
    return "/v1/kv/" + wire.quote_path(key)


def _arg_key(inv: Invocation, out: Output) -> str | None:
    """The optional single KEY/PREFIX argument, minus one leading "/" as Consul strips it."""
    if len(inv.args) > 1:
        out.error(f"Too many arguments (expected 1, got {len(inv.args)})")
        return None
    key = inv.args[0] if inv.args else ""
    return key[1:] if key.startswith("/") else key


def _b64(value: bytes | None) -> bytes:
    return binascii.b2a_base64(value or b"", newline=False)


def _pairs(http: Http, key: str, recurse: bool) -> list[KVPair]:
    """The pair at ``key``, or with ``recurse`` every pair under it; [] when none."""
    import json

    from cnslkit.api.models import KVPair

    resp = http.call("GET", _path(key), (("recurse", None),) if recurse else ())
    if resp.status == 404:
        return []
    if resp.status != 200:
        raise ResponseError(resp.status, resp.body)
    return [KVPair.from_json(item) for item in json.loads(resp.body) or ()]


def format_detailed(pair: KVPair, base64: bool) -> bytes:
    """``kv get -detailed``: Go's tabwriter with padding 6 (labels in a 17-column field)."""
    rows = [
        ("CreateIndex", str(pair.create_index)),
        ("Flags", str(pair.flags)),
        ("Key", pair.key),
        ("LockIndex", str(pair.lock_index)),
        ("ModifyIndex", str(pair.modify_index)),
        ("Session", pair.session or "-"),
    ]
    width = len("ModifyIndex") + 6
    head = "".join(f"{label:<{width}}{text}\n" for label, text in rows)
    value = _b64(pair.value) if base64 else pair.value or b""
    return f"{head}{'Value':<{width}}".encode() + value


def run_get(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    key = _arg_key(inv, out)
    if key is None:
        return EXIT_USAGE
    if not key and not (p.on("recurse") or p.on("keys")):
        out.error("Error! Missing KEY argument")
        return EXIT_USAGE
    http, base64 = inv.http(), p.on("base64")
    if p.on("keys"):
        return _get_keys(http, key, p.text("separator"), out)
    if p.on("recurse"):
        pairs = _pairs(http, key, recurse=True)
        for i, pair in enumerate(pairs):
            if p.on("detailed"):
                out.info(format_detailed(pair, base64))
                if i < len(pairs) - 1:
                    out.info("")
            else:
                out.info(
                    pair.key.encode() + b":" + (_b64(pair.value) if base64 else pair.value or b"")
                )
        return EXIT_OK
    if p.on("detailed"):
        found = _pairs(http, key, recurse=False)
        if found:
            out.info(format_detailed(found[0], base64))
            return EXIT_OK
        value = None
    else:
        # The hot path: ?raw returns the bytes themselves, so no JSON or base64 is decoded.
        resp = http.call("GET", _path(key), (("raw", None),))
        if resp.status not in (200, 404):
            raise ResponseError(resp.status, resp.body)
        value = resp.body if resp.status == 200 else None
    if value is None:
        out.error(f"Error! No key exists at: {key}")
        return EXIT_ERROR
    out.info(_b64(value) if base64 else value)
    return EXIT_OK


def _get_keys(http: Http, prefix: str, separator: str | None, out: Output) -> int:
    import json

    params: list[tuple[str, str | None]] = [("keys", None)]
    if separator:
        params.append(("separator", separator))
    resp = http.call("GET", _path(prefix), params)
    if resp.status not in (200, 404):
        raise ResponseError(resp.status, resp.body)
    for name in json.loads(resp.body) if resp.status == 200 else ():
        out.info(name)
    return EXIT_OK


def _put(http: Http, key: str, params: Sequence[tuple[str, str | None]], data: bytes) -> bool:
    if key.startswith("/"):
        raise ApiError(0, f"Invalid key. Key must not begin with a '/': {key}")
    resp = http.call("PUT", _path(key), params, data)
    if resp.status != 200:
        raise ResponseError(resp.status, resp.body)
    return resp.body.strip() == b"true"


def run_put(inv: Invocation) -> int:
    p, out, args = inv.parsed, inv.out, inv.args
    if not args:
        out.error("Error! Missing KEY argument")
        return EXIT_USAGE
    if len(args) > 2:
        out.error(f"Error! Too many arguments (expected 1 or 2, got {len(args)})")
        return EXIT_USAGE
    key = args[0]
    try:
        data = load_data(args[1]) if len(args) == 2 and args[1] else b""
    except DataError as exc:
        out.error(f"Error! {exc}")
        return EXIT_ERROR
    if p.on("base64"):
        try:
            # Go's decoder skips CR and LF (a trailing newline from a file or echo).
            data = data.replace(b"\r", b"").replace(b"\n", b"")
            data = binascii.a2b_base64(data, strict_mode=True)
        except binascii.Error as exc:
            out.error(f"Error! Cannot base 64 decode data: illegal base64 data: {exc}")
            return EXIT_ERROR
    cas, acquire, release = p.on("cas"), p.on("acquire"), p.on("release")
    session, modify_index = p.text("session") or "", p.num("modify-index")
    if (acquire or release) and not session:
        out.error("Error! Missing -session (required with -acquire and -release)")
        return EXIT_USAGE
    if cas and modify_index == 0:
        out.error("Must specify -modify-index with -cas!")
        return EXIT_USAGE
    mode, params = _put_mode(p, session, modify_index)
    http = inv.http()
    try:
        ok = _put(http, key, params, data)
    except ApiError as exc:
        prefix = f"Did not write to {key}" if mode == "cas" else "Failed writing data"
        out.error(f"Error! {prefix}: {exc}")
        return EXIT_ERROR
    failed, done = _PUT_MESSAGES[mode]
    if not ok:
        out.error(failed.format(key=key))
        return EXIT_ERROR
    out.info(done.format(key=key))
    return EXIT_OK


def _put_mode(
    p: Parsed, session: str, modify_index: int
) -> tuple[str, list[tuple[str, str | None]]]:
    """Which write this is (the first of -cas, -acquire, -release, as in Consul) and its query."""
    params: list[tuple[str, str | None]] = []
    if p.num("flags"):
        params.append(("flags", str(p.num("flags"))))
    if p.on("cas"):
        return "cas", [*params, ("cas", str(modify_index))]
    if p.on("acquire"):
        return "acquire", [*params, ("acquire", session)]
    if p.on("release"):
        return "release", [*params, ("release", session)]
    return "put", params


_PUT_MESSAGES = {
    "put": ("Error! Failed writing data to {key}", "Success! Data written to: {key}"),
    "cas": ("Error! Did not write to {key}: CAS failed", "Success! Data written to: {key}"),
    "acquire": ("Error! Did not acquire lock", "Success! Lock acquired on: {key}"),
    "release": ("Error! Did not release lock", "Success! Lock released on: {key}"),
}


def run_delete(inv: Invocation) -> int:
    p, out = inv.parsed, inv.out
    key = _arg_key(inv, out)
    if key is None:
        return EXIT_USAGE
    cas, recurse, modify_index = p.on("cas"), p.on("recurse"), p.num("modify-index")
    if not key and not recurse:
        out.error("Error! Missing KEY argument")
        return EXIT_USAGE
    if cas and modify_index == 0:
        out.error("Must specify -modify-index with -cas!")
        return EXIT_USAGE
    if modify_index != 0 and not cas:
        out.error("Cannot specify -modify-index without -cas!")
        return EXIT_USAGE
    if recurse and cas:
        out.error("Cannot specify both -cas and -recurse!")
        return EXIT_USAGE
    http = inv.http()
    params: list[tuple[str, str | None]] = []
    if recurse:
        params.append(("recurse", None))
    elif cas:
        params.append(("cas", str(modify_index)))
    try:
        if not recurse and key.startswith("/"):
            raise ApiError(0, f"Invalid key. Key must not begin with a '/': {key}")
        resp = http.call("DELETE", _path(key), params)
        if resp.status != 200:
            raise ResponseError(resp.status, resp.body)
    except ApiError as exc:
        if recurse:
            out.error(f"Error! Did not delete prefix {key}: {exc}")
        elif cas:
            out.error(f"Error! Did not delete key {key}: {exc}")
        else:
            out.error(f"Error deleting key {key}: {exc}")
        return EXIT_ERROR
    if cas and resp.body.strip() != b"true":
        out.error(f"Error! Did not delete key {key}: CAS failed")
        return EXIT_ERROR
    if recurse:
        out.info(f"Success! Deleted keys with prefix: {key}")
    else:
        out.info(f"Success! Deleted key: {key}")
    return EXIT_OK


def format_export(pairs: Sequence[KVPair]) -> str:
    """``kv export``: Go's ``json.MarshalIndent(entries, "", "\\t")`` of key/flags/value."""
    from cli.gojson import marshal_indent

    entries = [
        {"key": p.key, "flags": p.flags, "value": _b64(p.value).decode("ascii")} for p in pairs
    ]
    return marshal_indent(entries)


def parse_import(data: bytes) -> list[tuple[str, int, bytes]]:
    """``kv import`` input -> (key, flags, value); ValueError with the reason."""
    import json

    from cnslkit.api.models import b64decode

    entries = json.loads(data)
    if not isinstance(entries, list):
        raise ValueError(f"expected a JSON array of entries, got {type(entries).__name__}")
    out = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError(f"expected an object per entry, got {type(entry).__name__}")
        fields = {str(k).lower(): v for k, v in entry.items()}  # Go matches names case-blind
        key, flags, value = fields.get("key", ""), fields.get("flags", 0), fields.get("value", "")
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError("entry key and value must be strings")
        if not isinstance(flags, int) or isinstance(flags, bool) or not 0 <= flags < 1 << 64:
            raise ValueError(f"entry flags must be an unsigned integer, got {flags!r}")
        try:
            out.append((key, flags, b64decode(value)))
        except ValueError as exc:
            raise ValueError(f"Error base 64 decoding value for key {key}: {exc}") from None
    return out


def run_export(inv: Invocation) -> int:
    key = _arg_key(inv, inv.out)
    if key is None:
        return EXIT_USAGE
    inv.out.info(format_export(_pairs(inv.http(), key, recurse=True)))
    return EXIT_OK


def run_import(inv: Invocation) -> int:
    out, args = inv.out, inv.args
    if len(args) != 1 or not args[0]:
        problem = "Missing DATA argument" if not args else "Empty DATA argument"
        if len(args) > 1:
            problem = f"Too many arguments (expected 1, got {len(args)})"
        out.error(f"Error! {problem}")
        return EXIT_USAGE
    try:
        entries = parse_import(load_data(args[0]))
    except DataError as exc:
        out.error(f"Error! {exc}")
        return EXIT_ERROR
    except ValueError as exc:
        out.error(f"Cannot unmarshal data: {exc}")
        return EXIT_ERROR
    prefix = inv.parsed.text("prefix") or ""
    http = inv.http()
    for name, flags, value in entries:
        # Consul uses filepath.Join, which also drops a trailing "/" from folder keys; we keep it.
        key = f"{prefix.rstrip('/')}/{name.lstrip('/')}" if prefix else name
        try:
            _put(http, key, (("flags", str(flags)),) if flags else (), value)
        except ApiError as exc:
            out.error(f"Error! Failed writing data for key {key}: {exc}")
            return EXIT_ERROR
        out.info(f"Imported: {key}")
    return EXIT_OK


COMMANDS: dict[str, Command] = command_table(
    Command(
        "get",
        GET_FLAGS,
        run_get,
        usage="[KEY_OR_PREFIX]",
        synopsis="Retrieves or lists data from the KV store",
        help="Print the value at KEY (exit 1 if there is none), or with -recurse every "
        "key:value under a prefix, or with -keys the key names under a prefix.",
    ),
    Command(
        "put",
        PUT_FLAGS,
        run_put,
        usage="KEY [DATA]",
        synopsis="Sets or updates data in the KV store",
        help="Write DATA to KEY. DATA is the argument itself, @FILE for a file's contents, "
        "or - for standard input; omitted, the key gets no value.",
    ),
    Command(
        "delete",
        DELETE_FLAGS,
        run_delete,
        usage="KEY_OR_PREFIX",
        synopsis="Removes data from the KV store",
        help="Delete KEY, or with -recurse every key under a prefix.",
    ),
    Command(
        "export",
        EXPORT_FLAGS,
        run_export,
        usage="[PREFIX]",
        synopsis="Exports a tree from the KV store as JSON",
        help='Print every key under PREFIX as a JSON array of {"key", "flags", "value"} '
        "objects (value base64-encoded), as kv import reads it.",
    ),
    Command(
        "import",
        IMPORT_FLAGS,
        run_import,
        usage="DATA",
        synopsis="Imports a tree stored as JSON to the KV store",
        help="Write the entries of a kv export document given as DATA, @FILE or - (stdin).",
    ),
)
