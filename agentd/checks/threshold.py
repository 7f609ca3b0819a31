"""SuccessBeforePassing / FailuresBeforeWarning / FailuresBeforeCritical (Consul's StatusHandler).

Sans-IO: feed every probe result to ``StatusFilter.update``; it answers with the result to
report, or None while a streak has not reached its threshold. Both counters start saturated, so
the first result of a new check always applies; after that a passing (or warning) result needs
``success_before_passing`` in a row, and a critical one is reported as warning after
``failures_before_warning`` and as critical after ``failures_before_critical`` in a row.
"""

from __future__ import annotations

from agentd.checks.result import PASSING, WARNING, Result

__all__ = ["StatusFilter"]


class StatusFilter:
    __slots__ = (
        "_failures",
        "_successes",
        "failures_before_critical",
        "failures_before_warning",
        "success_before_passing",
    )

    def __init__(
        self,
        success_before_passing: int = 0,
        failures_before_warning: int = 0,
        failures_before_critical: int = 0,
    ) -> None:
        self.success_before_passing = success_before_passing
        # As the agent does: an unset warning threshold follows the critical one.
        self.failures_before_warning = failures_before_warning or failures_before_critical
        self.failures_before_critical = failures_before_critical
        self._successes = success_before_passing
        self._failures = failures_before_critical

    def update(self, status: str, output: str) -> Result | None:
        if status in (PASSING, WARNING):
            self._successes += 1
            self._failures = 0
            if self._successes >= self.success_before_passing:
                return Result(status, output)
            return None
        self._failures += 1
        self._successes = 0
        if self._failures >= self.failures_before_critical:
            return Result(status, output)
        if self._failures >= self.failures_before_warning:
            return Result(WARNING, output)
        return None
