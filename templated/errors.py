"""templated's errors and the exit code each maps to (one table; see docs/templated.md).

::

    TemplatedError          root; exit 11
    +-- UsageError          bad command line; exit 13
    +-- ConfigError         bad config file or value; exit 15
    +-- RenderError         template parse/execute error, failed command or check; exit 14
    +-- MissingDataError    data still missing past its deadline; exit 16

Being stopped by the kill signal exits 12; with ``-exec`` the child's own exit code is ours.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "ConfigError",
    "ExitCode",
    "MissingDataError",
    "RenderError",
    "TemplatedError",
    "UsageError",
]


class ExitCode(IntEnum):
    OK = 0
    ERROR = 11
    INTERRUPTED = 12
    USAGE = 13
    RENDER = 14
    CONFIG = 15
    MISSING = 16


class TemplatedError(Exception):
    exit_code = ExitCode.ERROR


class UsageError(TemplatedError):
    exit_code = ExitCode.USAGE


class ConfigError(TemplatedError):
    exit_code = ExitCode.CONFIG


class RenderError(TemplatedError):
    exit_code = ExitCode.RENDER


class MissingDataError(TemplatedError):
    exit_code = ExitCode.MISSING
