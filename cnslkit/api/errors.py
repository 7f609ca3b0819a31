"""Errors raised by cnslkit's HTTP clients: one root, translated at the edge.

Nothing from httpx, ssl or socket escapes a client call; callers catch :class:`ApiError` and print
``str(exc)``, which reads like the Go client's error text, so users see what Consul shows::

    ApiError(status, message)      root; ``status`` is the HTTP status, 0 when there was no response
    +-- ConfigError                bad address/env/TLS files; nothing was sent (status 0)
    +-- TransportError             no usable response: dial, TLS, timeout, broken framing (status 0)
    +-- ResponseError              the agent answered with an unexpected status (status = that code)
    +-- LockError                  a lock/semaphore key is not usable as asked (status 0)
        +-- LockConflict           the key exists with another recipe's flags (or limit)
        +-- LockInUse              cleanup refused: someone still holds it

This module is on the CLI's start-up path, so it imports nothing.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "ConfigError",
    "LockConflict",
    "LockError",
    "LockInUse",
    "ResponseError",
    "TransportError",
]


class ApiError(Exception):
    """Root of every client error; ``status`` is 0 when no HTTP response was received."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(ApiError):
    """The client configuration cannot be used (unknown scheme, unreadable token or CA file)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class TransportError(ApiError):
    """The request did not get a complete HTTP response (refused, reset, timed out, TLS failure)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class ResponseError(ApiError):
    """A non-success status; the message is Go's ``Unexpected response code: N (body)``."""

    def __init__(self, status: int, body: bytes) -> None:
        text = body.decode("utf-8", "replace")
        if text:
            message = f"Unexpected response code: {status} ({text})"
        else:
            message = f"Unexpected response code: {status}"
        super().__init__(status, message)
        self.body = body


class LockError(ApiError):
    """The lock or semaphore recipe cannot proceed; the message is the Go client's."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class LockConflict(LockError):
    """``Existing key does not match lock use`` (or semaphore use, or limit)."""


class LockInUse(LockError):
    """``Lock in use`` / ``Semaphore in use``: cleanup left the key for its holders."""
