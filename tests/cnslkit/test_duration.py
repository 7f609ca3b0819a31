from __future__ import annotations

import pytest

from cnslkit.duration import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10s", 10.0),
        ("1m30s", 90.0),
        ("1.5h", 5400.0),
        ("300ms", 0.3),
        ("15000ms", 15.0),
        ("5us", 5e-6),
        ("5\u00b5s", 5e-6),  # micro sign
        ("5\u03bcs", 5e-6),  # Greek mu
        ("7ns", 7e-9),
        ("0", 0.0),
        ("0s", 0.0),
        ("-1.5s", -1.5),
        ("+2m", 120.0),
        (".5s", 0.5),
        ("1.s", 1.0),
        ("87600h", 87600 * 3600.0),
        ("1h2m3s4ms5us6ns", 3723.004005006),
        ("1.1s", 1.1),
    ],
)
def test_valid(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("1", 'time: missing unit in duration "1"'),
        ("10", 'time: missing unit in duration "10"'),
        ("s", 'time: invalid duration "s"'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("abc", 'time: invalid duration "abc"'),
        ("--1s", 'time: invalid duration "--1s"'),
        (" 1s", 'time: invalid duration " 1s"'),
        ("1s ", 'time: unknown unit "s " in duration "1s "'),
        ("1.2.3s", 'time: missing unit in duration "1.2.3s"'),
        ("-", 'time: invalid duration "-"'),
        ("9999999999999h", 'time: invalid duration "9999999999999h"'),
    ],
)
def test_invalid(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == message
