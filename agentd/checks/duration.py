"""Go's ``time.Duration.String()`` for float seconds: ``10s``, ``1m30s``, ``1h0m0s``, ``500ms``.

Consul writes check intervals and timeouts this way in HealthCheck JSON and in its own error
texts (``Timed out (30s) running check``); parsing lives in ``cnslkit.duration``.
"""

from __future__ import annotations

__all__ = ["format_duration", "nanoseconds"]

_SECOND = 1_000_000_000


def nanoseconds(seconds: float) -> int:
    """Whole nanoseconds, as Go's time.Duration holds them."""
    return round(seconds * _SECOND)


def format_duration(seconds: float) -> str:
    ns = nanoseconds(seconds)
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns == 0:
        return "0s"
    if ns < 1_000:
        return f"{sign}{ns}ns"
    if ns < 1_000_000:
        return f"{sign}{_decimal(ns, 1_000)}µs"
    if ns < _SECOND:
        return f"{sign}{_decimal(ns, 1_000_000)}ms"
    whole, frac = divmod(ns, _SECOND)
    text = f"{_decimal(whole % 60 * _SECOND + frac, _SECOND)}s"
    minutes = whole // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        hours = minutes // 60
        if hours:
            text = f"{hours}h{text}"
    return sign + text


def _decimal(value: int, unit: int) -> str:
    """``value / unit`` with only the fractional digits that are not trailing zeros."""
    whole, rem = divmod(value, unit)
    if not rem:
        return str(whole)
    digits = str(rem).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"
