"""Go's text layouts that Consul's outputs are made of, so cnsl prints the same bytes.

* :func:`columnize`: ``github.com/ryanuber/columnize`` as Consul configures it (cells split on
  ``\\x1f``, trimmed, padded to the widest cell of the column, glued with two spaces; the last
  cell of a row is not padded).
* :func:`tabwrite`: ``text/tabwriter`` with ``minwidth 0, padding N, padchar ' '`` for rows whose
  cells all end in a tab except the last.
* :func:`go_quote`: ``%q`` / ``strconv.Quote``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["DELIM", "columnize", "go_quote", "tabwrite"]

DELIM = "\x1f"


def columnize(rows: Sequence[str], delim: str = DELIM, glue: str = "  ") -> str:
    """Rows of ``delim``-separated cells as aligned columns, without a trailing newline."""
    table = [[cell.strip() for cell in row.split(delim)] for row in rows]
    widths: list[int] = []
    for cells in table:
        for i, cell in enumerate(cells):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(cell))
    lines = []
    for cells in table:
        padded = [cell.ljust(widths[i]) + glue for i, cell in enumerate(cells[:-1])]
        lines.append("".join(padded) + (cells[-1] if cells else ""))
    return "\n".join(lines)


def tabwrite(rows: Sequence[Sequence[str]], padding: int) -> str:
    """Rows of cells laid out like Go's tabwriter; every cell but a row's last is padded."""
    widths: list[int] = []
    for cells in rows:
        for i, cell in enumerate(cells[:-1]):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(cell) + padding)
    out = []
    for cells in rows:
        head = "".join(cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1]))
        out.append(head + (cells[-1] if cells else "") + "\n")
    return "".join(out)


_SIMPLE = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: a double-quoted literal with Go escapes."""
    out = []
    for ch in text:
        if ch in _SIMPLE:
            out.append(_SIMPLE[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'
