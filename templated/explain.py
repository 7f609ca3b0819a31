"""``-explain``: each template's dependencies, which lack data and why, and the query count."""

from __future__ import annotations

from collections.abc import Sequence

from cnslkit.watch import Watcher
from templated.state import TemplateState

__all__ = ["report"]


def report(states: Sequence[TemplateState], watcher: Watcher) -> str:
    lines: list[str] = []
    lacking = 0
    for s in states:
        t = s.template
        lines.append(f"template {t.config.name} ({t.syntax})")
        if not s.deps:
            lines.append("  (no dependencies)")
        width = max((len(k) for k in s.deps), default=0)
        for key in sorted(s.deps):
            missing = s.missing.get(key)
            if missing is not None:
                lacking += 1
                status = f"missing: {missing.reason}"
            else:
                status = "ok"
            lines.append(f"  {key.ljust(width)}  {status}")
    distinct = len(watcher.dependencies)
    lines.append(
        f"{distinct} distinct dependencies ({distinct} blocking queries) "
        f"for {len(states)} template(s); {lacking} lack data"
    )
    return "\n".join(lines) + "\n"
