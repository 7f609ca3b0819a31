"""cnslkit.watch: the blocking-query core that templated, envd, watchd and ``cnsl watch`` share.

Rules:

- One module per dependency type (``kv_get``, ``kv_keys``, ``kv_tree``, ``service``, ``services``,
  ``node``, ``nodes``, ``datacenters``, ``file``). Each holds a parser from consul-template's string
  form, a ``fetch`` doing one blocking query, and a ``key``: the identity used for
  de-duplication. :mod:`~cnslkit.watch.types` is the one table of them.
- Every blocking-query rule (same index = no change, index backwards = reset to 0, index < 1 read
  as 1, equal data suppressed, backoff with jitter, ``max_stale``) lives in
  :mod:`~cnslkit.watch.view`, a sans-IO class that takes ``now`` and answers with decisions.
- :class:`~cnslkit.watch.watcher.Watcher` runs one task per distinct dependency, however many
  consumers ask for it, inside its own ``TaskGroup``; consumers learn of changes through
  :class:`~cnslkit.watch.watcher.Subscription`.
- Data handed to consumers are the records of :mod:`~cnslkit.watch.records`, which carry
  consul-template's field names (``.Key``, ``.Value``, ``.Address``, ``.ServiceMeta`` ...).

Errors: :class:`~cnslkit.watch.errors.WatchError` is the root (see that module).
"""

from __future__ import annotations

from cnslkit.watch.dependency import Dependency, Fetched, QueryOptions
from cnslkit.watch.errors import DependencyParseError, RetriesExhausted, WatchError
from cnslkit.watch.types import TYPES, parse
from cnslkit.watch.view import RetryPolicy, ViewState
from cnslkit.watch.watcher import Subscription, Watcher

__all__ = [
    "TYPES",
    "Dependency",
    "DependencyParseError",
    "Fetched",
    "QueryOptions",
    "RetriesExhausted",
    "RetryPolicy",
    "Subscription",
    "ViewState",
    "WatchError",
    "Watcher",
    "parse",
]
