"""``cnsl snapshot save|restore|inspect|agent``: Consul's ``command/snapshot/*``.

``save`` writes to a ``.part`` file, verifies it (checksums, layout) and only then renames it into
place, so a failed save never leaves a file that looks good. ``inspect`` reads the archive
offline and prints Consul's tabwriter blocks (minwidth 8, padding 6), or ``-format json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import time
from typing import Any
from urllib.parse import quote

from cli.command import EXIT_ERROR, EXIT_OK, Command, command_table, no_args
from cli.goflags import DURATION, INT, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.textfmt import tabwrite
from cnslkit.api import agent as agent_api
from cnslkit.api import snapshot as api
from cnslkit.api.call import Call, encode_json, ignore
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation
    from cnslkit.snapshot import Meta, TypeStat

__all__ = ["COMMANDS", "format_inspect"]

INSPECT_FLAGS = (
    Flag("format", STRING, "pretty", help="Output format: pretty or json.", metavar="FORMAT"),
)


def _file(inv: Invocation) -> str | None:
    if not inv.args:
        inv.out.error("Missing FILE argument")
        return None
    if len(inv.args) > 1:
        inv.out.error(f"Too many arguments (expected 1, got {len(inv.args)})")
        return None
    return inv.args[0]


class SaveError(Exception):
    """A snapshot that could not be saved; the message is Consul's."""


def save_file(inv: Invocation, path: str) -> int:
    """Save a verified snapshot to ``path`` (through a ``.part`` file); its index."""
    from cnslkit.snapshot import SnapshotError, read_archive

    try:
        archive = inv.http().send(api.save())
    except ApiError as exc:
        raise SaveError(f"Error saving snapshot: {exc}") from None
    part = f"{path}.{int(time.time() * 1e9)}.part"
    try:
        with open(part, "wb") as fh:
            fh.write(archive)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise SaveError(f"Error writing unverified snapshot file: {exc}") from None
    try:
        with open(part, "rb") as fh:
            meta, _ = read_archive(fh.read())
        os.replace(part, path)
    except (OSError, SnapshotError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise SaveError(f"Error verifying snapshot file: {exc}") from None
    return meta.index


def run_save(inv: Invocation) -> int:
    path = _file(inv)
    if path is None:
        return EXIT_ERROR
    try:
        index = save_file(inv, path)
    except SaveError as exc:
        inv.out.error(str(exc))
        return EXIT_ERROR
    inv.out.info(f"Saved and verified snapshot to index {index}")
    return EXIT_OK


def run_restore(inv: Invocation) -> int:
    path = _file(inv)
    if path is None:
        return EXIT_ERROR
    try:
        with open(path, "rb") as fh:
            archive = fh.read()
    except OSError as exc:
        inv.out.error(f"Error opening snapshot file: {exc}")
        return EXIT_ERROR
    try:
        inv.http().send(api.restore(archive))
    except ApiError as exc:
        inv.out.error(f"Error restoring snapshot: {exc}")
        return EXIT_ERROR
    inv.out.info("Restored snapshot")
    return EXIT_OK


def format_inspect(meta: Meta, stats: list[TypeStat]) -> str:
    """Consul's pretty output: the metadata block, a blank line, then the per-type table."""
    from cnslkit.snapshot import format_size

    head = [
        [" ID", meta.id],
        [" Size", str(meta.size)],
        [" Index", str(meta.index)],
        [" Term", str(meta.term)],
        [" Version", str(meta.version)],
    ]
    rows = [[" Type", "Count", "Size"], [" ----", "----", "----"]]
    rows += [[f" {st.name}", str(st.count), format_size(st.size)] for st in stats]
    rows += [[" ----", "----", "----"], [" Total", "", format_size(sum(s.size for s in stats))]]
    return tabwrite(head, padding=6) + "\n" + tabwrite(rows, padding=6).rstrip("\n")


def format_inspect_json(meta: Meta, stats: list[TypeStat]) -> str:
    doc = {
        "Meta": {
            "ID": meta.id,
            "Size": meta.size,
            "Index": meta.index,
            "Term": meta.term,
            "Version": meta.version,
        },
        "Stats": [{"Name": st.name, "Sum": st.size, "Count": st.count} for st in stats],
        "TotalSize": sum(st.size for st in stats),
    }
    return json.dumps(doc, indent=2)


def run_inspect(inv: Invocation) -> int:
    from cnslkit.snapshot import SnapshotError, inspect, read_archive

    path = _file(inv)
    if path is None:
        return EXIT_ERROR
    fmt = inv.parsed.text("format") or "pretty"
    if fmt not in ("pretty", "json"):
        inv.out.error(f"Invalid format: {fmt!r}; must be pretty or json")
        return EXIT_ERROR
    try:
        with open(path, "rb") as fh:
            archive = fh.read()
    except OSError as exc:
        inv.out.error(f"Error opening snapshot file: {exc}")
        return EXIT_ERROR
    try:
        meta, state = read_archive(archive)
        stats = inspect(state)
    except SnapshotError as exc:
        inv.out.error(f"Error extracting snapshot data: {exc}")
        return EXIT_ERROR
    render = format_inspect_json if fmt == "json" else format_inspect
    inv.out.info(render(meta, stats))
    return EXIT_OK


SNAPSHOT_FILE = re.compile(r"^consul-(\d+)\.snap$")
AGENT_FLAGS = (
    Flag("interval", DURATION, "1h", help="How often to take a snapshot."),
    Flag("retain", INT, 30, help="How many snapshots to keep (0 keeps all)."),
    Flag("path", STRING, ".", help="Directory the snapshots are written to.", metavar="DIR"),
    Flag("service", STRING, "consul-snapshot", help="Service name to register as."),
    *HTTP_FLAGS,
)


def expired(names: list[str], retain: int) -> list[str]:
    """The snapshot files beyond the newest ``retain`` (oldest first); others are left alone."""
    ours = sorted((int(m.group(1)), n) for n in names if (m := SNAPSHOT_FILE.match(n)))
    if retain <= 0 or len(ours) <= retain:
        return []
    return [name for _, name in ours[:-retain]]


def _ttl_update(check_id: str, status: str, output: str) -> Call[None]:
    path = "/v1/agent/check/update/" + quote(check_id, safe="")
    return Call("PUT", path, ignore, body=encode_json({"Status": status, "Output": output}))


def _snapshot_once(inv: Invocation, directory: str, retain: int) -> tuple[str, str]:
    """One round: a snapshot, then retention; the TTL check's status and output."""
    name = f"consul-{time.time_ns()}.snap"
    try:
        index = save_file(inv, os.path.join(directory, name))
        for old in expired(os.listdir(directory), retain):
            os.unlink(os.path.join(directory, old))
    except (SaveError, OSError) as exc:
        inv.out.error(f"snapshot agent: {exc}")
        return "critical", str(exc)
    inv.out.info(f"Saved and verified snapshot to index {index} in {name}")
    inv.out.flush()
    return "passing", f"Saved snapshot to index {index}"


def run_agent(inv: Invocation) -> int:
    """Snapshot every ``-interval`` until SIGINT/SIGTERM, registered as a service whose TTL check
    fails when a snapshot fails; the service is deregistered on the way out."""
    no_args(inv)
    p = inv.parsed
    raw = p.values["interval"]
    if isinstance(raw, str):
        from cnslkit.duration import parse_duration

        raw = parse_duration(raw)
    interval = float(raw) if isinstance(raw, int | float) and raw > 0 else 3600.0
    retain, directory, service = p.num("retain"), p.text("path") or ".", p.text("service") or ""
    check_id = f"service:{service}"
    ttl = f"{max(int(interval * 3), 10)}s"
    http = inv.http()
    definition = {"ID": service, "Name": service, "Check": {"TTL": ttl, "Name": "snapshot agent"}}
    try:
        os.makedirs(directory, exist_ok=True)
        http.send(agent_api.service_register(definition))
    except (ApiError, OSError) as exc:
        inv.out.error(f"Error starting snapshot agent: {exc}")
        return EXIT_ERROR

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            status, output = _snapshot_once(inv, directory, retain)
            with contextlib.suppress(ApiError):
                http.send(_ttl_update(check_id, status, output))
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    with contextlib.suppress(ApiError):
        http.send(agent_api.service_deregister(service))
    return EXIT_OK


COMMANDS: dict[str, Command] = command_table(
    Command(
        "agent",
        AGENT_FLAGS,
        run_agent,
        synopsis="Periodically saves snapshots of Consul server state",
        help="Save a snapshot every -interval into -path, keeping the newest -retain; registered "
        "as a service whose TTL check fails when a snapshot fails.",
    ),
    Command(
        "save",
        HTTP_FLAGS,
        run_save,
        synopsis="Saves snapshot of Consul server state",
        help="Save an atomic, point-in-time snapshot of the state to FILE, verified before it "
        "is renamed into place.",
        usage="FILE",
    ),
    Command(
        "restore",
        HTTP_FLAGS,
        run_restore,
        synopsis="Restores snapshot of Consul server state",
        help="Replace the whole state with the snapshot in FILE; a corrupted archive is "
        "refused and nothing changes.",
        usage="FILE",
    ),
    Command(
        "inspect",
        INSPECT_FLAGS,
        run_inspect,
        synopsis="Displays information about a Consul snapshot file",
        help="Print a snapshot file's metadata and its record counts and sizes by type.",
        usage="FILE",
    ),
)
