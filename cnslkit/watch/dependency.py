"""The contract every dependency type keeps, and the pieces their fetches share.

A :class:`Dependency` is a value (a frozen dataclass): two that ask the same question are equal
and have the same :attr:`~Dependency.key`, consul-template's ``String()`` form such as
``kv.get(apps/web/port@dc1)``. The watcher runs one blocking query per distinct key, so the key
must capture every parameter that changes the answer and nothing else.

``fetch`` performs exactly one (possibly blocking) request and returns :class:`Fetched`; it keeps
no state between calls. Index arithmetic, retries and change detection are the view's business
(:mod:`cnslkit.watch.view`), never the dependency's.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from cnslkit.api import wire
from cnslkit.watch.errors import DependencyParseError

if TYPE_CHECKING:
    from cnslkit.api.client import Client, Reply

__all__ = [
    "Dependency",
    "Fetched",
    "QueryOptions",
    "fetched",
    "kv_path",
    "match",
    "request",
    "suffix",
]


@dataclass(frozen=True, slots=True)
class QueryOptions:
    """How to ask: block until the index passes ``index`` for at most ``wait`` seconds."""

    index: int = 0
    wait: float = 60.0
    stale: bool = False


@dataclass(frozen=True, slots=True)
class Fetched:
    """One answer: the decoded data and what the response said about its freshness."""

    data: Any
    index: int
    last_contact: float = 0.0
    known_leader: bool = True


class Dependency(ABC):
    """One watched question. Subclasses are frozen dataclasses with a ``parse`` classmethod."""

    __slots__ = ()

    #: consul-template's name of the type (``kv.get``, ``health.service`` ...).
    kind: ClassVar[str]
    #: whether the data is a collection (used by the empty-data guard of renderers).
    collection: ClassVar[bool] = False

    @property
    @abstractmethod
    def key(self) -> str:
        """The identity used for de-duplication, e.g. ``kv.get(a/b@dc1)``."""

    @abstractmethod
    async def fetch(self, client: Client, opts: QueryOptions) -> Fetched:
        """One request; raises :class:`cnslkit.api.errors.ApiError` on failure."""

    def empty(self) -> Any:
        """The placeholder a template sees before the first answer."""
        return [] if self.collection else None

    def __str__(self) -> str:
        return self.key


_PREFIX_AT_DC = re.compile(r"(?P<prefix>[^@]*)(?:@(?P<dc>.+))?")


class PrefixDependency(Dependency):
    """A query over a KV prefix, written ``prefix@dc``; subclasses declare ``prefix`` and ``dc``
    fields and inherit the parser and the identity."""

    __slots__ = ()
    prefix: str
    dc: str

    @classmethod
    def parse(cls, text: str) -> Any:
        parts = match(_PREFIX_AT_DC, cls.kind, text)
        return cls(parts["prefix"].lstrip("/"), parts["dc"])  # type: ignore[call-arg]

    @property
    def key(self) -> str:
        return f"{self.kind}({self.prefix}{suffix(self.dc)})"


def match(pattern: re.Pattern[str], kind: str, text: str) -> dict[str, str]:
    """Named groups of ``pattern`` matched against the whole of ``text`` ("" for unmatched)."""
    m = pattern.fullmatch(text.strip())
    if m is None:
        raise DependencyParseError(kind, text)
    return {k: v or "" for k, v in m.groupdict().items()}


def suffix(dc: str = "", near: str = "") -> str:
    """The ``@dc~near`` tail of a key."""
    return (f"@{dc}" if dc else "") + (f"~{near}" if near else "")


async def request(
    client: Client,
    path: str,
    opts: QueryOptions,
    *,
    params: Sequence[tuple[str, str | None]] = (),
    dc: str = "",
    expect: Sequence[int] = (200,),
    token: str = "",
) -> Reply:
    """A blocking GET of ``path`` (already escaped) as ``opts`` describe it; ``token``, if
    given, replaces the client's for this query."""
    return await client.request(
        "GET",
        path,
        params=params,
        index=opts.index,
        wait=opts.wait,
        dc=dc or None,
        stale=opts.stale or None,  # None: the client's own -stale / CONSUL setting
        expect=expect,
        token=token or None,
    )


def fetched(data: Any, reply: Reply) -> Fetched:
    return Fetched(data, reply.meta.index, reply.meta.last_contact, reply.meta.known_leader)


def kv_path(key: str) -> str:
    return "/v1/kv/" + wire.quote_path(key)
