"""Watch handlers: what a watch plan calls with each new result.

Both kinds receive the result as Consul's watch handlers do (the API's JSON) plus the index:

- :class:`ScriptHandler` runs ``args`` (or the deprecated ``handler`` string through the shell)
  with the JSON on stdin and ``CONSUL_INDEX`` in the environment, killed past ``timeout``;
- :class:`HttpHandler` sends the JSON to ``path`` with ``X-Consul-Index`` (Consul's
  ``http_handler_config``: path, method, header, timeout, tls_skip_verify).

Beyond Consul, a keyprefix watch tells the handler which keys changed since the previous call:
``CONSUL_CHANGED_KEYS`` (scripts) or the ``X-Consul-Changed-Keys`` header (HTTP), a JSON array.

A handler returns normally on success and raises :class:`HandlerFailed` otherwise; the plan
decides about retries.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from cnslkit.child import signal_group
from cnslkit.watch.errors import WatchError

__all__ = ["Handler", "HandlerFailed", "HttpHandler", "Invocation", "ScriptHandler"]

log = logging.getLogger(__name__)


class HandlerFailed(WatchError):
    """A handler did not succeed (non-zero exit, timeout, HTTP error status or transport error)."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """One call: the result's JSON body, its index and (keyprefix only) the changed keys."""

    body: Any
    index: int
    changed: tuple[str, ...] | None = None

    def json(self) -> bytes:
        return json.dumps(self.body).encode("utf-8")


class Handler(Protocol):
    async def __call__(self, call: Invocation) -> None: ...


@dataclass(frozen=True, slots=True)
class ScriptHandler:
    args: tuple[str, ...] = ()
    shell: str = ""
    timeout: float = 30.0
    env: Mapping[str, str] = field(default_factory=dict)

    async def __call__(self, call: Invocation) -> None:
        argv = list(self.args) if self.args else ["/bin/sh", "-c", self.shell]
        env = {**os.environ, **self.env, "CONSUL_INDEX": str(call.index)}
        if call.changed is not None:
            env["CONSUL_CHANGED_KEYS"] = json.dumps(list(call.changed))
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, env=env, start_new_session=True
            )
        except OSError as exc:
            raise HandlerFailed(f"handler {argv[0]}: {exc}") from None
        try:
            async with asyncio.timeout(self.timeout if self.timeout > 0 else None):
                await proc.communicate(call.json())
        except TimeoutError:
            raise HandlerFailed(f"handler {argv[0]}: timed out after {self.timeout}s") from None
        finally:
            if proc.returncode is None:  # timed out or cancelled: never leave it behind
                signal_group(proc, signal.SIGKILL)
                await asyncio.shield(proc.wait())
        if proc.returncode != 0:
            raise HandlerFailed(f"handler {argv[0]}: exit code {proc.returncode}")


@dataclass(frozen=True, slots=True)
class HttpHandler:
    path: str
    method: str = "POST"
    header: Mapping[str, Sequence[str]] = field(default_factory=dict)
    timeout: float = 10.0
    tls_skip_verify: bool = False

    async def __call__(self, call: Invocation) -> None:
        headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
        for name, values in self.header.items():
            items = [values] if isinstance(values, str) else values
            headers.extend((name, str(v)) for v in items)
        headers.append(("X-Consul-Index", str(call.index)))
        if call.changed is not None:
            headers.append(("X-Consul-Changed-Keys", json.dumps(list(call.changed))))
        try:
            async with httpx.AsyncClient(
                verify=not self.tls_skip_verify, timeout=self.timeout, trust_env=False
            ) as http:
                reply = await http.request(
                    self.method.upper(), self.path, content=call.json(), headers=headers
                )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise HandlerFailed(f"handler {self.path}: {exc or type(exc).__name__}") from None
        if not 200 <= reply.status_code < 300:
            raise HandlerFailed(f"handler {self.path}: status {reply.status_code}")
