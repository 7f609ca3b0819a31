"""StatusFilter: Consul's StatusHandler thresholds, table-driven."""

from __future__ import annotations

import pytest

from agentd.checks.result import CRITICAL, PASSING, WARNING
from agentd.checks.threshold import StatusFilter

P, W, C = PASSING, WARNING, CRITICAL


@pytest.mark.parametrize(
    ("thresholds", "inputs", "reported"),
    [
        # No thresholds: every result applies.
        ((0, 0, 0), [P, C, W, P], [P, C, W, P]),
        # Counters start saturated: the very first result applies whatever the thresholds.
        ((3, 0, 3), [C], [C]),
        ((3, 0, 3), [P], [P]),
        # SuccessBeforePassing=2 after a failure.
        ((2, 0, 0), [C, P, P, P], [C, None, P, P]),
        # A warning result counts as a success for the streak.
        ((2, 0, 0), [C, W, P], [C, None, P]),
        # FailuresBeforeCritical=3, warning threshold defaults to it.
        ((0, 0, 3), [P, C, C, C, C], [P, None, None, C, C]),
        # FailuresBeforeWarning=1, FailuresBeforeCritical=3: warning first, then critical.
        ((0, 1, 3), [P, C, C, C], [P, W, W, C]),
        # A success resets the failure streak.
        ((0, 0, 2), [P, C, P, C, C], [P, None, P, None, C]),
        # A failure resets the success streak.
        ((2, 0, 0), [C, P, C, P, P], [C, None, C, None, P]),
    ],
)
def test_status_filter(
    thresholds: tuple[int, int, int], inputs: list[str], reported: list[str | None]
) -> None:
    f = StatusFilter(*thresholds)
    got = []
    for i, status in enumerate(inputs):
        r = f.update(status, f"out{i}")
        got.append(None if r is None else r.status)
        if r is not None:
            assert r.output == f"out{i}"
    assert got == reported
