"""Errors of the watch core::

    WatchError                 root
    +-- DependencyParseError   a dependency string (``"tag.web@dc1|any"``) does not parse
    +-- RetriesExhausted       a dependency's fetch kept failing past the retry policy

Transport and HTTP failures inside a fetch are :class:`cnslkit.api.errors.ApiError`; the watcher
retries them and wraps the last one in :class:`RetriesExhausted` when it gives up.
"""

from __future__ import annotations

__all__ = ["DependencyParseError", "RetriesExhausted", "WatchError"]


class WatchError(Exception):
    """Root of the watch core's errors."""


class DependencyParseError(WatchError, ValueError):
    """``kind``'s string form ``text`` is malformed."""

    def __init__(self, kind: str, text: str, why: str = "invalid format") -> None:
        super().__init__(f"{kind}: {why}: {text!r}")
        self.kind = kind
        self.text = text


class RetriesExhausted(WatchError):
    """The fetch of ``key`` failed ``attempts`` times in a row; ``__cause__`` is the last error."""

    def __init__(self, key: str, attempts: int, last: BaseException) -> None:
        super().__init__(f"{key}: giving up after {attempts} attempts: {last}")
        self.key = key
        self.attempts = attempts
        self.last = last
