"""Wire records for the KV and transaction APIs, with their JSON shapes (Consul's PascalCase).

Values are bytes (or None for a nil value): the agent stores bytes verbatim and sends them base64
encoded; decoding happens here, once, so callers never see base64.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KVPair", "KVTxnOp", "TxnError", "TxnResult", "b64decode", "b64encode"]


def b64encode(value: bytes | None) -> str:
    """Standard padded base64, as Go's ``base64.StdEncoding``; None encodes as ``""``."""
    return binascii.b2a_base64(value or b"", newline=False).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64; ValueError on bad input (Go rejects what ``binascii`` tolerates)."""
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"illegal base64 data: {exc}") from None


@dataclass(frozen=True, slots=True)
class KVPair:
    """One key as the agent returns it. ``session`` is "" when the key is not locked."""

    key: str
    value: bytes | None = None
    flags: int = 0
    lock_index: int = 0
    session: str = ""
    create_index: int = 0
    modify_index: int = 0

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> KVPair:
        raw = obj.get("Value")
        return cls(
            key=obj["Key"],
            value=None if raw is None else b64decode(raw),
            flags=int(obj.get("Flags") or 0),
            lock_index=int(obj.get("LockIndex") or 0),
            session=obj.get("Session") or "",
            create_index=int(obj.get("CreateIndex") or 0),
            modify_index=int(obj.get("ModifyIndex") or 0),
        )

    def to_json(self) -> dict[str, Any]:
        """Consul's field order; ``Session`` only when set (it is ``omitempty``)."""
        out: dict[str, Any] = {
            "LockIndex": self.lock_index,
            "Key": self.key,
            "Flags": self.flags,
            "Value": None if self.value is None else b64encode(self.value),
        }
        if self.session:
            out["Session"] = self.session
        out["CreateIndex"] = self.create_index
        out["ModifyIndex"] = self.modify_index
        return out


@dataclass(frozen=True, slots=True)
class KVTxnOp:
    """One KV operation of ``PUT /v1/txn``; ``verb`` is Consul's (set, cas, get-tree ...)."""

    verb: str
    key: str
    value: bytes | None = None
    flags: int = 0
    index: int = 0
    session: str = ""

    def to_json(self) -> dict[str, Any]:
        kv: dict[str, Any] = {"Verb": self.verb, "Key": self.key}
        if self.value is not None:
            kv["Value"] = b64encode(self.value)
        if self.flags:
            kv["Flags"] = self.flags
        if self.index:
            kv["Index"] = self.index
        if self.session:
            kv["Session"] = self.session
        return {"KV": kv}


@dataclass(frozen=True, slots=True)
class TxnError:
    """Why one operation made the transaction roll back."""

    op_index: int
    what: str


@dataclass(frozen=True, slots=True)
class TxnResult:
    """``ok`` False means rolled back (HTTP 409): nothing was applied and ``errors`` says why."""

    ok: bool
    results: list[KVPair] = field(default_factory=list)
    errors: list[TxnError] = field(default_factory=list)

    @classmethod
    def from_json(cls, obj: dict[str, Any], ok: bool) -> TxnResult:
        results = [KVPair.from_json(r["KV"]) for r in obj.get("Results") or () if "KV" in r]
        errors = [
            TxnError(int(e.get("OpIndex", 0)), e.get("What", "")) for e in obj.get("Errors") or ()
        ]
        return cls(ok=ok, results=results, errors=errors)
