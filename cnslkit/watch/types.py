"""THE table of dependency types: consul-template's name -> parser of its string form.

A template function, an ``envd`` source or a ``watchd`` watch turns its argument into a
:class:`~cnslkit.watch.dependency.Dependency` through :func:`parse`. A duplicate name fails at
import.
"""

from __future__ import annotations

from collections.abc import Callable

from cnslkit.watch.datacenters import CatalogDatacenters
from cnslkit.watch.dependency import Dependency
from cnslkit.watch.errors import DependencyParseError
from cnslkit.watch.file import FileQuery
from cnslkit.watch.kv_get import KVGet
from cnslkit.watch.kv_keys import KVKeys
from cnslkit.watch.kv_tree import KVTree
from cnslkit.watch.node import CatalogNodeQuery
from cnslkit.watch.nodes import CatalogNodes
from cnslkit.watch.service import HealthServiceQuery
from cnslkit.watch.services import CatalogServices

__all__ = ["TYPES", "parse"]

Parser = Callable[[str], Dependency]


def _table(*rows: tuple[str, Parser]) -> dict[str, Parser]:
    table: dict[str, Parser] = {}
    for name, parser in rows:
        if name in table:
            raise RuntimeError(f"duplicate dependency type {name!r}")
        table[name] = parser
    return table


TYPES = _table(
    (KVGet.kind, KVGet.parse),
    (KVKeys.kind, KVKeys.parse),
    (KVTree.kind, KVTree.parse),
    (HealthServiceQuery.kind, HealthServiceQuery.parse),
    (CatalogServices.kind, CatalogServices.parse),
    (CatalogNodeQuery.kind, CatalogNodeQuery.parse),
    (CatalogNodes.kind, CatalogNodes.parse),
    (CatalogDatacenters.kind, CatalogDatacenters.parse),
    (FileQuery.kind, FileQuery.parse),
)


def parse(kind: str, text: str = "") -> Dependency:
    """``parse("kv.get", "a/b@dc1")`` -> ``KVGet("a/b", "dc1")``."""
    parser = TYPES.get(kind)
    if parser is None:
        raise DependencyParseError(kind, text, "unknown dependency type")
    return parser(text)
