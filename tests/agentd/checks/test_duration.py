"""format_duration: Go's time.Duration.String()."""

from __future__ import annotations

import pytest

from agentd.checks.duration import format_duration, nanoseconds
from cnslkit.duration import parse_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (10, "10s"),
        (90, "1m30s"),
        (60, "1m0s"),
        (3600, "1h0m0s"),
        (3661.5, "1h1m1.5s"),
        (0.5, "500ms"),
        (1.5, "1.5s"),
        (0.0015, "1.5ms"),
        (0.000_002, "2µs"),
        (0.000_000_5, "500ns"),
        (-2, "-2s"),
        (30, "30s"),
        (72 * 3600, "72h0m0s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("text", ["10s", "1m30s", "1h0m0s", "250ms", "1.001s", "3µs", "7ns"])
def test_round_trips_through_parse(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


def test_nanoseconds() -> None:
    assert nanoseconds(1.1) == 1_100_000_000
