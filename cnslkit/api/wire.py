"""The bytes-level rules both transports share: URL escaping and Go-flavoured error text.

Keys become URL paths, so they are escaped here, once, the way Go's ``url.URL`` escapes a path
(``/`` and ``$&+,:;=@`` stay, ``?``, ``#``, ``%`` and spaces do not), and query strings are written
by hand so flag-style parameters (``?raw``, ``?recurse``, ``?stale``) go out bare, as Consul reads
them by presence. Error texts copy Go's ``*url.Error`` (``Get "URL": dial tcp ADDR: connect:
connection refused``) because users and scripts grep for them. No imports beyond ``os``: the CLI
loads this module on every run.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["dial_error", "encode_query", "go_op", "os_error_text", "quote_path", "quote_query"]

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_PATH_SAFE = _UNRESERVED | frozenset(b"/$&+,:;=@")
_HEX = "0123456789ABCDEF"


def _escape(text: str, safe: frozenset[int], space_plus: bool) -> str:
    raw = text.encode("utf-8")
    if all(b in safe for b in raw):
        return text
    out: list[str] = []
    for b in raw:
        if b in safe:
            out.append(chr(b))
        elif b == 0x20 and space_plus:
            out.append("+")
        else:
            out.append("%" + _HEX[b >> 4] + _HEX[b & 15])
    return "".join(out)


def quote_path(path: str) -> str:
    """Escape a key (or any path) for the request line, keeping ``/`` separators."""
    return _escape(path, _PATH_SAFE, False)


def quote_query(text: str) -> str:
    """Escape one query-string name or value as Go's ``url.QueryEscape`` does."""
    return _escape(text, _UNRESERVED, True)


def encode_query(params: Iterable[tuple[str, str | None]]) -> str:
    """``[("raw", None), ("flags", "3")]`` -> ``raw&flags=3``; None means a bare flag parameter."""
    parts = []
    for name, value in params:
        if value is None:
            parts.append(quote_query(name))
        else:
            parts.append(quote_query(name) + "=" + quote_query(value))
    return "&".join(parts)


def go_op(method: str) -> str:
    """Go's ``url.Error.Op`` spelling of a method: ``GET`` -> ``Get``."""
    return method[:1].upper() + method[1:].lower()


def os_error_text(exc: OSError) -> str:
    """Go's lower-case syscall text for an OSError (``connection refused``, ``i/o timeout``)."""
    if isinstance(exc, TimeoutError):
        return "i/o timeout"
    if type(exc).__module__ == "ssl":  # its errno is an OpenSSL code, not a syscall's
        return f"tls: {exc}"
    if exc.errno:
        return os.strerror(exc.errno).lower()
    return str(exc) or type(exc).__name__


def dial_error(method: str, url: str, network: str, address: str, exc: OSError) -> str:
    """Go's text: ``Get "URL": dial tcp 127.0.0.1:8500: connect: connection refused``."""
    if isinstance(exc, TimeoutError):
        return f'{go_op(method)} "{url}": dial {network} {address}: i/o timeout'
    return f'{go_op(method)} "{url}": dial {network} {address}: connect: {os_error_text(exc)}'
