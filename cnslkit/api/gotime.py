"""Timestamps as Go's ``time.Time`` reads and writes them, kept as text.

ACL records carry RFC 3339 times with nanoseconds (``CreateTime``, ``ExpirationTime``). Python's
datetime stops at microseconds, and Consul's CLI prints them two ways, so the wire text is kept:
:func:`rfc3339nano` is what ``json.Marshal`` writes back (trailing fraction zeros dropped, a zero
offset as ``Z``) and :func:`go_string` is ``fmt``'s ``%v`` (``2020-05-22 18:52:31 +0000 UTC``).
"""

from __future__ import annotations

import re

__all__ = ["ZERO", "go_string", "rfc3339nano"]

ZERO = "0001-01-01T00:00:00Z"  # Go's zero time.Time, which a non-pointer field marshals to
_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z"
)


def _parts(text: str) -> tuple[str, str, str, str]:
    m = _RFC3339.match(text)
    if m is None:
        raise ValueError(f"parsing time {text!r}: not RFC 3339")
    date, clock, frac, offset = m.groups()
    frac = (frac or "")[:9].rstrip("0")
    offset = "Z" if offset in ("Z", "z", "+00:00", "-00:00") else offset
    return date, clock, frac, offset


def rfc3339nano(text: str) -> str:
    """``text`` as Go re-marshals it (``time.RFC3339Nano``); ValueError if it is not RFC 3339."""
    date, clock, frac, offset = _parts(text)
    return f"{date}T{clock}{'.' + frac if frac else ''}{offset}"


def go_string(text: str) -> str:
    """Go's ``Time.String()`` of an RFC 3339 ``text``: ``2006-01-02 15:04:05.999999999 -0700 MST``.

    A ``Z`` time is in UTC; another offset has no zone name, so Go repeats the offset.
    """
    date, clock, frac, offset = _parts(text)
    zone = "+0000 UTC" if offset == "Z" else f"{offset.replace(':', '')} {offset.replace(':', '')}"
    return f"{date} {clock}{'.' + frac if frac else ''} {zone}"
