"""Go duration strings ("10s", "1m30s", "1.5h", "300ms", "5µs") as float seconds.

Consul writes every interval, timeout and TTL in Go's ``time.ParseDuration`` syntax: in config
files, HTTP bodies (``"TTL": "15s"``) and CLI flags. The parser follows Go's rules exactly,
including its error texts, and counts in whole nanoseconds so "1.1s" is exactly 1100 ms.
"""

from __future__ import annotations

import re

__all__ = ["parse_duration"]

_NANOS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # MICRO SIGN
    "\u03bcs": 1_000,  # GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_MAX_NANOS = (1 << 63) - 1
_PART = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def parse_duration(s: str) -> float:
    """Parse a Go duration string into seconds; raise ValueError with Go's message if invalid.

    A sign is allowed, "0" needs no unit, every other number needs one of ns, us (µs), ms, s, m, h.
    """
    text = s
    negative = False
    if text[:1] in ("-", "+"):
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0.0
    if not text:
        raise ValueError(f"time: invalid duration {_quote(s)}")
    total = 0
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        assert m is not None  # every group is optional, so the pattern always matches
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            raise ValueError(f"time: invalid duration {_quote(s)}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {_quote(s)}")
        scale = _NANOS.get(unit)
        if scale is None:
            raise ValueError(f"time: unknown unit {_quote(unit)} in duration {_quote(s)}")
        nanos = int(whole or "0") * scale
        if frac:
            nanos += int(frac) * scale // 10 ** len(frac)
        total += nanos
        if total > _MAX_NANOS:
            raise ValueError(f"time: invalid duration {_quote(s)}")
        pos = m.end()
    return (-total if negative else total) / 1e9


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
