"""Templates rendered without an agent: a fake data source and a template factory."""

from __future__ import annotations

from typing import Any

from cnslkit.watch.dependency import Dependency
from templated.config import TemplateConfig
from templated.template import Template


def template(text: str, name: str = "t.ctmpl", **kwargs: Any) -> Template:
    return Template(TemplateConfig(destination="out", source=name, **kwargs), text)


class Data:
    """A data source: ``{dependency key: data}``; absent keys have no data yet."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = dict(data or {})

    def __call__(self, dep: Dependency) -> tuple[bool, Any]:
        if dep.key in self.data:
            return True, self.data[dep.key]
        return False, None
