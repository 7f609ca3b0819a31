"""What the runner knows about each template between renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnslkit.quiescence import Quiescence
from cnslkit.watch import Subscription
from cnslkit.watch.dependency import Dependency
from templated.lookup import Missing
from templated.template import Template

__all__ = ["TemplateState"]


@dataclass(slots=True)
class TemplateState:
    template: Template
    sub: Subscription
    quiet: Quiescence | None = None
    #: dependencies watched for this template
    deps: dict[str, Dependency] = field(default_factory=dict)
    #: a dependency changed (or never rendered): render when quiescence allows
    changed: bool = True
    #: due for a render pass now
    due: bool = True
    #: a complete render has been put in place (or was already there) at least once
    rendered: bool = False
    #: dependency key -> when it was first seen missing (cleared when it gets data)
    missing_since: dict[str, float] = field(default_factory=dict)
    missing: dict[str, Missing] = field(default_factory=dict)
    #: collections read by the last render put in place -> whether they had entries
    collections: dict[str, bool] = field(default_factory=dict)
    last_error: str = ""

    @property
    def name(self) -> str:
        return self.template.config.name
