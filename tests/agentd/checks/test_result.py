"""Output capping: TTL-style head truncation and the script/HTTP tail buffer."""

from __future__ import annotations

from agentd.checks.result import TailBuffer, truncate


def test_truncate_keeps_short_output() -> None:
    assert truncate("hello", 5) == "hello"


def test_truncate_cuts_to_max_bytes_with_suffix() -> None:
    assert truncate("a" * 10, 4) == "aaaa ... (captured 4 of 10 bytes)"


def test_truncate_counts_utf8_bytes_and_drops_split_character() -> None:
    # "é" is two bytes: 3 characters = 6 bytes; a cut at 3 bytes keeps one whole "é".
    assert truncate("ééé", 3) == "é ... (captured 3 of 6 bytes)"


def test_truncate_nonpositive_max_means_default() -> None:
    assert truncate("x" * 5000, 0).endswith("(captured 4096 of 5000 bytes)")


def test_tail_buffer_keeps_the_end() -> None:
    buf = TailBuffer(5)
    for chunk in (b"abc", b"defg", b"", b"hi"):
        buf.write(chunk)
    assert buf.total == 9
    assert buf.text() == "efghi"
    assert buf.captured() == "Captured 5 of 9 bytes\n...\nefghi"


def test_tail_buffer_untruncated_has_no_header() -> None:
    buf = TailBuffer(10)
    buf.write(b"ok\n")
    assert buf.captured() == "ok\n"


def test_tail_buffer_single_huge_chunk() -> None:
    buf = TailBuffer(3)
    buf.write(b"x" * 100_000 + b"end")
    assert (buf.text(), buf.total) == ("end", 100_003)
