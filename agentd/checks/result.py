"""What a probe reports, and how long output may be.

Every probe returns a ``Result``; statuses are the three strings Consul stores on a check
(``maintenance`` is only ever an aggregate, never a check's own status). Output sizes are counted
in bytes of UTF-8, as Go counts ``len(string)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Literal, NamedTuple

__all__ = [
    "CRITICAL",
    "DEFAULT_OUTPUT_MAX_SIZE",
    "PASSING",
    "STATUSES",
    "WARNING",
    "OnUpdate",
    "Result",
    "Status",
    "TailBuffer",
    "truncate",
]

Status = Literal["passing", "warning", "critical"]
PASSING: Final = "passing"
WARNING: Final = "warning"
CRITICAL: Final = "critical"
STATUSES: Final = frozenset({PASSING, WARNING, CRITICAL})

# Consul's agent default for check_output_max_size (checks.DefaultBufSize).
DEFAULT_OUTPUT_MAX_SIZE: Final = 4096


# on_update(check_id, status, output): how every check reports a change to its owner (the
# agent's local state). Called only when status or output differ from what was last reported.
OnUpdate = Callable[[str, str, str], None]


class Result(NamedTuple):
    status: str
    output: str


def truncate(output: str, max_size: int = DEFAULT_OUTPUT_MAX_SIZE) -> str:
    """Cut ``output`` to ``max_size`` bytes the way TTL updates do in Consul (keep the head).

    A multi-byte character split by the cut is dropped rather than left half-encoded.
    """
    if max_size < 1:
        max_size = DEFAULT_OUTPUT_MAX_SIZE
    raw = output.encode("utf-8", "surrogateescape")
    total = len(raw)
    if total <= max_size:
        return output
    head = raw[:max_size].decode("utf-8", "ignore")
    return f"{head} ... (captured {max_size} of {total} bytes)"


class TailBuffer:
    """Keeps the last ``size`` bytes written and counts them all (Go's ``circbuf.Buffer``).

    Script and HTTP checks stream their output through one, so a chatty script cannot grow the
    agent's memory; the tail is kept because that is where the error usually is.
    """

    __slots__ = ("_data", "size", "total")

    def __init__(self, size: int = DEFAULT_OUTPUT_MAX_SIZE) -> None:
        self.size = size if size > 0 else DEFAULT_OUTPUT_MAX_SIZE
        self.total = 0
        self._data = bytearray()

    def write(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self._data += chunk[-self.size :]
        if len(self._data) > self.size:
            del self._data[: len(self._data) - self.size]

    def text(self) -> str:
        return self._data.decode("utf-8", "replace")

    def captured(self) -> str:
        """The text with Consul's script-check truncation header when bytes were dropped."""
        if self.total > self.size:
            return f"Captured {self.size} of {self.total} bytes\n...\n{self.text()}"
        return self.text()
