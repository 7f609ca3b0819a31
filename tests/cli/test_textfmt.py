"""Go's columnize, tabwriter and %q as Consul's outputs use them."""

from __future__ import annotations

from cli.textfmt import columnize, go_quote, tabwrite


def test_columnize_pads_all_but_the_last_column() -> None:
    rows = ["Node\x1fID\x1fAddress", "a-long-name\x1f 12 \x1f10.0.0.1", "b\x1f\x1f"]
    assert columnize(rows) == (
        "Node         ID  Address\n"
        "a-long-name  12  10.0.0.1\n"
        "b                "  # empty trailing cell: padding of the earlier cells only
    )
    assert columnize([]) == ""
    assert columnize(["only"]) == "only"


def test_columnize_counts_characters_not_bytes() -> None:
    assert columnize(["é\x1fx", "ab\x1fy"]) == "é   x\nab  y"


def test_tabwrite_padding() -> None:
    rows = [["consul", ""], ["web", "a,b"]]
    assert tabwrite(rows, padding=6) == "consul      \nweb         a,b\n"


def test_go_quote() -> None:
    assert go_quote("web") == '"web"'
    assert go_quote('a"b\\c\n\t\x01é\u200b') == '"a\\"b\\\\c\\n\\t\\x01é\\u200b"'


def test_tables_are_plain_for_pipes_and_rich_at_a_terminal(monkeypatch: object) -> None:
    import io
    import sys

    from cli.textfmt import DELIM, columnize, rich_table, table

    rows = [DELIM.join(("Node", "Address")), DELIM.join(("n1", "10.0.0.1"))]
    assert table(rows) == columnize(rows)  # pytest's stdout is not a terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Tty())  # type: ignore[attr-defined]
    fancy = table(rows)
    assert "Node" in fancy and "10.0.0.1" in fancy and "\x1b[" in fancy  # styled for a terminal
    assert "n1" in rich_table([["Node"], ["n1"]], width=40)
