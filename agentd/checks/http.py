"""HTTP checks: 2xx is passing, 429 warning, any other status or a failed request critical.

The output is ``HTTP <METHOD> <url>: <code> <reason> Output: <body>``, with only the last
``output_max_size`` bytes of the body, as Consul keeps them. Like Consul's transport, the client
keeps no idle connections (a stale keep-alive must not fail a check), follows up to 10
redirects unless DisableRedirects, sends ``User-Agent: Consul Health Check`` unless told
otherwise, and ignores proxy variables from the environment.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx

from agentd.checks.definition import CheckDefinition
from agentd.checks.dial import dial_error
from agentd.checks.result import CRITICAL, PASSING, WARNING, Result, TailBuffer

__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "make_client", "probe"]

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "Consul Health Check"
_ACCEPT = "text/plain, text/*, */*"


def _timeout_of(defn: CheckDefinition) -> float:
    return defn.timeout if defn.timeout > 0 else DEFAULT_TIMEOUT


def make_client(defn: CheckDefinition) -> httpx.AsyncClient:
    """A client configured for this check; the runner keeps one per check for its lifetime."""
    ctx = ssl.create_default_context()
    if defn.tls_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return httpx.AsyncClient(
        verify=ctx,
        follow_redirects=not defn.disable_redirects,
        max_redirects=10,
        timeout=_timeout_of(defn),
        limits=httpx.Limits(max_keepalive_connections=0),
        trust_env=False,
    )


async def probe(defn: CheckDefinition, client: httpx.AsyncClient | None = None) -> Result:
    if client is None:
        async with make_client(defn) as own:
            return await probe(defn, own)
    method = defn.method or "GET"
    url = defn.http
    timeout = _timeout_of(defn)
    extensions: dict[str, Any] = {}
    if defn.tls_server_name:
        extensions["sni_hostname"] = defn.tls_server_name
    body = TailBuffer(defn.output_max_size)
    try:
        async with (
            asyncio.timeout(timeout),
            client.stream(
                method,
                url,
                headers=_headers(defn.header),
                content=defn.body.encode() if defn.body else None,
                extensions=extensions,
            ) as resp,
        ):
            async for chunk in resp.aiter_bytes():
                body.write(chunk)
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, ValueError) as exc:
        return Result(CRITICAL, f'{method[:1]}{method[1:].lower()} "{url}": {_reason(url, exc)}')

    output = f"HTTP {method} {url}: {resp.status_code} {resp.reason_phrase} Output: {body.text()}"
    if 200 <= resp.status_code <= 299:
        return Result(PASSING, output)
    if resp.status_code == 429:
        return Result(WARNING, output)
    return Result(CRITICAL, output)


def _headers(header: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = [(name, value) for name, values in header.items() for value in values]
    present = {name.lower() for name, _ in pairs}
    if "user-agent" not in present:
        pairs.append(("User-Agent", USER_AGENT))
    if "accept" not in present:
        pairs.append(("Accept", _ACCEPT))
    return pairs


def _reason(url: str, exc: BaseException) -> str:
    """The part of Go's ``*url.Error`` after the URL."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    if isinstance(exc, httpx.TooManyRedirects):
        return "stopped after 10 redirects"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f'unsupported protocol scheme "{_scheme(url)}"'
    if isinstance(exc, httpx.ConnectError):
        cause = _os_error(exc)
        if cause is not None:
            return dial_error("tcp", _host_port(url), cause)
    return str(exc) or type(exc).__name__


def _os_error(exc: BaseException) -> OSError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _scheme(url: str) -> str:
    return url.partition("://")[0] if "://" in url else ""


def _host_port(url: str) -> str:
    try:
        u = httpx.URL(url)
    except httpx.InvalidURL:
        return url
    port = u.port or (443 if u.scheme == "https" else 80)
    host = f"[{u.host}]" if ":" in u.host else u.host
    return f"{host}:{port}"
