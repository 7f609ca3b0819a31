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

__all__ = ["DELIM", "columnize", "go_quote", "rich_table", "table", "tabwrite"]

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


def table(rows: Sequence[str], delim: str = DELIM) -> str:
    """A columnize table for scripts and pipes (Consul's bytes); at a terminal, a rich table."""
    import sys

    if not sys.stdout.isatty():
        return columnize(rows, delim)
    return rich_table([[cell.strip() for cell in row.split(delim)] for row in rows])


def rich_table(cells: Sequence[Sequence[str]], width: int | None = None) -> str:
    """The header row in bold over the others, rendered with rich (imported only here)."""
    import io
    import shutil

    from rich import box
    from rich.console import Console
    from rich.table import Table

    if not cells:
        return ""
    grid = Table(*cells[0], box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for row in cells[1:]:
        grid.add_row(*row)
    out = io.StringIO()
    Console(
        file=out,
        force_terminal=True,
        width=width or shutil.get_terminal_size().columns,
    ).print(grid)
    return out.getvalue().rstrip("\n")
