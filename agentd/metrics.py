"""A tiny in-process metrics registry, shaped like go-metrics' in-memory sink that Consul's
``/v1/agent/metrics`` shows: counters, gauges and samples (timers, in milliseconds), each keyed by
name and labels. Pure: no clock, no I/O; callers pass measured values, and gauges that are cheap
to compute (blocked queries, tasks, RSS) are read when the metrics are asked for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Registry", "Stat", "prometheus"]

Labels = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class Stat:
    """Aggregate of observed values (go-metrics' AggregateSample)."""

    count: int = 0
    total: float = 0.0
    sum_sq: float = 0.0
    min: float = math.inf
    max: float = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.sum_sq += value * value
        self.min = min(self.min, value)
        self.max = max(self.max, value)

    def to_json(self, name: str, labels: Labels) -> dict[str, Any]:
        mean = self.total / self.count if self.count else 0.0
        var = self.sum_sq / self.count - mean * mean if self.count else 0.0
        return {
            "Name": name,
            "Count": self.count,
            "Rate": self.total / 10.0,  # go-metrics: sum over its 10s interval
            "Sum": self.total,
            "Min": self.min if self.count else 0.0,
            "Max": self.max if self.count else 0.0,
            "Mean": mean,
            "Stddev": math.sqrt(max(var, 0.0)),
            "Labels": dict(labels),
        }


@dataclass(slots=True)
class Registry:
    counters: dict[tuple[str, Labels], Stat] = field(default_factory=dict)
    samples: dict[tuple[str, Labels], Stat] = field(default_factory=dict)
    gauges: dict[tuple[str, Labels], float] = field(default_factory=dict)

    def incr(self, name: str, value: float = 1.0, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        self.counters.setdefault(key, Stat()).add(value)

    def sample(self, name: str, value: float, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        self.samples.setdefault(key, Stat()).add(value)

    def gauge(self, name: str, value: float, **labels: str) -> None:
        self.gauges[(name, tuple(sorted(labels.items())))] = value

    def to_json(self, timestamp: str) -> dict[str, Any]:
        """Consul's ``/v1/agent/metrics`` document."""
        return {
            "Timestamp": timestamp,
            "Gauges": [
                {"Name": n, "Value": v, "Labels": dict(lab)}
                for (n, lab), v in sorted(self.gauges.items())
            ],
            "Points": [],
            "Counters": [s.to_json(n, lab) for (n, lab), s in sorted(self.counters.items())],
            "Samples": [s.to_json(n, lab) for (n, lab), s in sorted(self.samples.items())],
        }


_UNSAFE = re.compile(r"[^a-zA-Z0-9_:]")


def _prom_name(name: str) -> str:
    return _UNSAFE.sub("_", name)


def _prom_labels(labels: Labels, extra: Labels = ()) -> str:
    pairs = [*labels, *extra]
    if not pairs:
        return ""
    esc = [(k, v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")) for k, v in pairs]
    return "{" + ",".join(f'{_prom_name(k)}="{v}"' for k, v in esc) + "}"


def _num(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def prometheus(reg: Registry) -> str:
    """The text exposition format (0.0.4): counters, gauges, and samples as summaries."""
    out: list[str] = []

    def block(kind: str, items: dict[tuple[str, Labels], Any]) -> None:
        typed: set[str] = set()
        for (name, labels), value in sorted(items.items()):
            pname = _prom_name(name)
            if pname not in typed:
                typed.add(pname)
                out.append(f"# HELP {pname} {name}")
                out.append(f"# TYPE {pname} {kind}")
            if kind == "gauge":
                out.append(f"{pname}{_prom_labels(labels)} {_num(value)}")
            elif kind == "counter":
                out.append(f"{pname}{_prom_labels(labels)} {_num(value.total)}")
            else:
                out.append(f"{pname}_sum{_prom_labels(labels)} {_num(value.total)}")
                out.append(f"{pname}_count{_prom_labels(labels)} {value.count}")

    block("counter", reg.counters)
    block("gauge", reg.gauges)
    block("summary", reg.samples)
    return "\n".join(out) + "\n"
