"""Log commands: the only way state changes.

A command is a small dict ``{"Type": MessageType, ...}`` that msgpack can encode. Numbering is
append-only: a value, once used, keeps its meaning forever, because logs and snapshots on disk name
commands by number.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

Command = dict[str, Any]


class MessageType(IntEnum):
    KV = 1  # {"Op": "set"|"cas"|"delete"|"delete-cas"|"delete-tree", "Entry": {...}}
    TXN = 2  # {"Ops": [{"KV"|"Node"|"Service"|"Check": {...}}, ...], "Now": t (catalog ops)}
    TOMBSTONE_REAP = 3  # {"Index": n}: forget tombstones at or below n
    NOOP = 4  # barrier written at start-up so the index is never 0
    REGISTER = 5  # {"Node": node, "Service": service|None, "Checks": [check], "SkipNodeUpdate"}
    DEREGISTER = 6  # {"Node": name, "ServiceID": id, "CheckID": id}
    SESSION = 7  # {"Op": "create", "Session": {...}} | {"Op": "destroy", "ID": id, "Now": t}
    ACL = 8  # {"Op": "token-set"|"token-delete"|"policy-set"|...|"bootstrap", ...}
    PREPARED_QUERY = 9  # {"Op": "set", "Query": {...}} | {"Op": "delete", "ID": id}
    RESTORE = 10  # {"Image": store image}: a snapshot restore replaces the whole state
    COORDINATE_BATCH_UPDATE = 11  # {"Updates": [{"Node", "Segment", "Coord"}]}: known nodes only
