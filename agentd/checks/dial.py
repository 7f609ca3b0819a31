"""Addresses and socket errors the way Go's ``net`` package words them.

Check outputs are shown to operators and matched by tools written against Consul, so a refused
TCP check reads ``dial tcp 127.0.0.1:1: connect: connection refused`` here too.
"""

from __future__ import annotations

import os
import re
import socket
import ssl

__all__ = ["AddressError", "dial_error", "errno_text", "split_host_port"]

_ERRNO = re.compile(r"\[Errno (\d+)\]")


class AddressError(ValueError):
    """A ``host:port`` that cannot be dialled; the message is Go's wording."""


def split_host_port(addr: str) -> tuple[str, int]:
    """``"host:port"`` / ``"[v6]:port"`` -> (host, port), as ``net.SplitHostPort``."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        raise AddressError(f"address {addr}: missing port in address")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise AddressError(f"address {addr}: too many colons in address")
    if not port.isdigit() or int(port) > 65535:
        raise AddressError(f"address {port}: invalid port")
    return host, int(port)


def errno_text(exc: OSError) -> str:
    """The syscall error as Go prints it (``connection refused``, ``no route to host``)."""
    code = exc.errno
    if code is None:
        # asyncio folds several failed attempts into one OSError("Multiple exceptions: ...").
        m = _ERRNO.search(str(exc))
        code = int(m.group(1)) if m else None
    if code is None:
        return str(exc) or type(exc).__name__
    text = os.strerror(code)
    return text[:1].lower() + text[1:]


def dial_error(network: str, addr: str, exc: BaseException) -> str:
    """Go's ``*net.OpError`` text for a failed dial of ``addr``."""
    if isinstance(exc, AddressError):
        return f"dial {network}: {exc}"
    if isinstance(exc, TimeoutError):
        return f"dial {network} {addr}: i/o timeout"
    if isinstance(exc, socket.gaierror):
        host = addr.rpartition(":")[0].strip("[]")
        return f"dial {network}: lookup {host}: no such host"
    if isinstance(exc, ssl.SSLError):
        return f"dial {network} {addr}: tls: {exc.reason or exc}"
    if isinstance(exc, OSError):
        return f"dial {network} {addr}: connect: {errno_text(exc)}"
    return f"dial {network} {addr}: {exc}"
