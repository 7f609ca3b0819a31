"""Errors raised below the HTTP layer; ``httpapi/app.py`` maps each to its status code.

AgentError            500, message as the body
├── BadRequest        400
├── PermissionDenied  403
├── NotFound          404
├── MethodNotAllowed  405
├── Conflict          409
├── TooLarge          413
├── TooManyRequests   429
└── NotLeader         500 "No cluster leader"
"""

from __future__ import annotations


class AgentError(Exception):
    status = 500

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class BadRequest(AgentError):
    status = 400


class PermissionDenied(AgentError):
    status = 403


class NotFound(AgentError):
    status = 404


class MethodNotAllowed(AgentError):
    status = 405


class Conflict(AgentError):
    status = 409


class TooLarge(AgentError):
    status = 413


class TooManyRequests(AgentError):
    status = 429


class NotLeader(AgentError):
    status = 500

    def __init__(self, message: str = "No cluster leader") -> None:
        super().__init__(message)
