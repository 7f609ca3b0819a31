"""The data functions templates call (``key``, ``ls``, ``service`` ...), bound to one render pass.

Each turns its consul-template string argument into a dependency
(:mod:`cnslkit.watch.types`), asks the :class:`~templated.lookup.Pass` for its data and shapes
the answer as consul-template does. Every function takes an optional ``timeout`` (how long its
data may be missing before the render fails) and the key functions a ``default``. Both template
engines get the same table from :func:`table`: snake_case names, the camelCase aliases, the
helpers of :mod:`templated.helpers` and :mod:`templated.helpers_io`, and a per-render
``scratch``. ``function_denylist`` replaces a function under all of its names.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from cnslkit.watch import kv_tree
from cnslkit.watch.datacenters import CatalogDatacenters
from cnslkit.watch.file import FileQuery
from cnslkit.watch.kv_get import KVGet
from cnslkit.watch.kv_keys import KVKeys
from cnslkit.watch.kv_tree import KVTree
from cnslkit.watch.node import CatalogNodeQuery
from cnslkit.watch.nodes import CatalogNodes
from cnslkit.watch.records import CatalogNode, CatalogSnippet, HealthService, KeyPair, NodeEntry
from cnslkit.watch.service import HealthServiceQuery
from cnslkit.watch.services import CatalogServices
from templated.helpers import ALIASES, FUNCS
from templated.helpers_io import IOFunctions, inside
from templated.lookup import Pass

__all__ = ["DATA_ALIASES", "IO_ALIASES", "IO_NAMES", "DataFunctions", "Scratch", "table"]

_UNSET: Any = object()
Timeout = str | float | None


class DataFunctions:
    """The data functions of one pass (``sandbox``: the directory ``file`` is confined to)."""

    def __init__(self, lookup: Pass, sandbox: str = "") -> None:
        self.lookup = lookup
        self.sandbox = os.path.realpath(sandbox) if sandbox else ""

    def key(self, path: str, default: Any = _UNSET, timeout: Timeout = None) -> str:
        """The key's value; blocks the render until the key exists unless a default is given."""
        dep = KVGet.parse(path)
        has, pair = self.lookup.get(dep, timeout)
        if not has:
            return "" if default is _UNSET else str(default)
        if pair is None:
            if default is _UNSET:
                self.lookup.miss(dep, "key does not exist", timeout)
                return ""
            return str(default)
        return str(pair.Value)

    def key_or_default(self, path: str, default: Any, timeout: Timeout = None) -> str:
        return self.key(path, default, timeout)

    def key_exists(self, path: str, timeout: Timeout = None) -> bool:
        has, pair = self.lookup.get(KVGet.parse(path), timeout)
        return has and pair is not None

    def ls(self, prefix: str, timeout: Timeout = None) -> list[KeyPair]:
        """Top-level keys under ``prefix`` (no ``/`` in their relative key)."""
        return kv_tree.ls(self._pairs(prefix, timeout, safe=False))

    def safe_ls(self, prefix: str, timeout: Timeout = None) -> list[KeyPair]:
        """Like ``ls``, but an empty answer holds the render back (an outage is not "no keys")."""
        return kv_tree.ls(self._pairs(prefix, timeout, safe=True))

    def tree(self, prefix: str, timeout: Timeout = None) -> list[KeyPair]:
        return kv_tree.tree(self._pairs(prefix, timeout, safe=False))

    def safe_tree(self, prefix: str, timeout: Timeout = None) -> list[KeyPair]:
        return kv_tree.tree(self._pairs(prefix, timeout, safe=True))

    def keys(self, prefix: str = "", timeout: Timeout = None) -> list[str]:
        """Names under ``prefix`` (folded at ``/``): a cheaper ``ls`` when values don't matter."""
        return list(self.lookup.get(KVKeys.parse(prefix), timeout)[1])

    def service(self, query: str, *filters: str, timeout: Timeout = None) -> list[HealthService]:
        """Instances of a service: ``"tag.name@dc~near|passing,warning"``."""
        if filters:
            query = f"{query}|{','.join(filters)}"
        return list(self.lookup.get(HealthServiceQuery.parse(query), timeout)[1])

    def services(self, query: str = "", timeout: Timeout = None) -> list[CatalogSnippet]:
        return list(self.lookup.get(CatalogServices.parse(query), timeout)[1])

    def node(self, query: str = "", timeout: Timeout = None) -> CatalogNode | None:
        data: CatalogNode | None = self.lookup.get(CatalogNodeQuery.parse(query), timeout)[1]
        return data

    def nodes(self, query: str = "", timeout: Timeout = None) -> list[NodeEntry]:
        return list(self.lookup.get(CatalogNodes.parse(query), timeout)[1])

    def datacenters(self, ignore_failing: bool = False, timeout: Timeout = None) -> list[str]:
        return list(self.lookup.get(CatalogDatacenters(), timeout)[1])

    def file(self, path: str, timeout: Timeout = None) -> str:
        """A local file's contents; the render waits while the file does not exist."""
        dep = FileQuery.parse(path)
        if self.sandbox and not inside(os.path.realpath(dep.path), self.sandbox):
            raise PermissionError(f"file: {path!r} is outside the sandbox {self.sandbox!r}")
        has, text = self.lookup.get(dep, timeout)
        if has and text is None:
            self.lookup.miss(dep, "file does not exist", timeout)
        return text or ""

    def _pairs(self, prefix: str, timeout: Timeout, safe: bool) -> list[KeyPair]:
        dep = KVTree.parse(prefix)
        has, pairs = self.lookup.get(dep, timeout)
        if has and safe and not pairs:
            self.lookup.miss(dep, "no keys under the prefix (safe_ls/safe_tree)", timeout)
        return list(pairs)


class Scratch:
    """consul-template's per-render scratchpad (``scratch.Set "k" "v"`` ... ``scratch.Get "k"``)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def Key(self, key: str) -> bool:
        return key in self._values

    def Get(self, key: str) -> Any:
        return self._values.get(key)

    def Set(self, key: str, value: Any) -> str:
        self._values[key] = value
        return ""

    def SetX(self, key: str, value: Any) -> str:
        self._values.setdefault(key, value)
        return ""

    def MapSet(self, key: str, mkey: str, value: Any) -> str:
        self._values.setdefault(key, {})[mkey] = value
        return ""

    def MapSetX(self, key: str, mkey: str, value: Any) -> str:
        self._values.setdefault(key, {}).setdefault(mkey, value)
        return ""

    def MapValues(self, key: str) -> list[Any]:
        mapping = self._values.get(key) or {}
        return [mapping[k] for k in sorted(mapping)]


_DATA = (
    "key",
    "key_or_default",
    "key_exists",
    "ls",
    "safe_ls",
    "tree",
    "safe_tree",
    "keys",
    "service",
    "services",
    "node",
    "nodes",
    "datacenters",
    "file",
)
DATA_ALIASES = {
    "keyOrDefault": "key_or_default",
    "keyExists": "key_exists",
    "safeLs": "safe_ls",
    "safeTree": "safe_tree",
}
IO_NAMES = ("plugin", "write_to_file")
IO_ALIASES = {"writeToFile": "write_to_file"}


def table(
    lookup: Pass,
    *,
    sandbox: str = "",
    denylist: tuple[str, ...] = (),
    io: IOFunctions | None = None,
) -> dict[str, Callable[..., Any]]:
    """Every function a template may call, by every name it may be called by.

    ``io`` collects the pass's ``writeToFile`` calls (a fresh one when not given).
    """
    data = DataFunctions(lookup, sandbox)
    io = io if io is not None else IOFunctions(lookup, sandbox)
    funcs: dict[str, Callable[..., Any]] = dict(FUNCS)
    funcs.update({name: getattr(data, name) for name in _DATA})
    funcs.update({name: getattr(io, name) for name in IO_NAMES})
    aliases = {**ALIASES, **DATA_ALIASES, **IO_ALIASES}
    for alias, name in aliases.items():
        funcs[alias] = funcs[name]
    scratch = Scratch()
    funcs["scratch"] = lambda: scratch
    for name in denylist:
        canonical = aliases.get(name, name)
        names = {name, canonical, *(a for a, n in aliases.items() if n == canonical)}
        for each in names:
            funcs[each] = _denied(name)
    return funcs


def _denied(name: str) -> Callable[..., Any]:
    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(f"function {name!r} is denied by function_denylist")

    return denied
