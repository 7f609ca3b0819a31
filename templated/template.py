"""One configured template: its source compiled once, rendered as passes over the watched data.

A pass runs the template with data functions bound to a :class:`~templated.lookup.Pass`. The
outcome says which dependencies the template used, which of them still lack data (then the text
is not usable and errors are ignored: on a first pass ``index (service "x") 0`` fails for want of
data, not for a bug), and, when nothing is missing, the rendered text or the render error, and
the ``writeToFile`` calls to carry out when the text is put in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cnslkit.watch.dependency import Dependency
from templated.config import TemplateConfig
from templated.engines import Compiled, compile_template, detect_syntax
from templated.errors import ConfigError, RenderError
from templated.funcs import table
from templated.helpers_io import FileWrite, IOFunctions
from templated.lookup import DataSource, Missing, Pass

__all__ = ["Outcome", "Template"]


@dataclass(slots=True)
class Outcome:
    used: dict[str, Dependency] = field(default_factory=dict)
    missing: dict[str, Missing] = field(default_factory=dict)
    collections: dict[str, bool] = field(default_factory=dict)
    content: str | None = None
    error: RenderError | None = None
    writes: list[FileWrite] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


class Template:
    """A template's config, source text and compiled form (re-made on reload)."""

    def __init__(self, config: TemplateConfig, text: str) -> None:
        self.config = config
        self.text = text
        self.name = config.source or config.destination or "(inline)"
        self.syntax = detect_syntax(self.name, text, config.syntax)
        self.compiled: Compiled = compile_template(
            text,
            Path(self.name).name,
            syntax=self.syntax,
            left=config.left_delimiter,
            right=config.right_delimiter,
            strict=config.error_on_missing_key,
        )

    @classmethod
    def load(cls, config: TemplateConfig) -> Template:
        if config.contents is not None:
            return cls(config, config.contents)
        try:
            text = Path(config.source).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"template {config.source}: {exc.strerror or exc}") from None
        return cls(config, text)

    def render(self, source: DataSource) -> Outcome:
        lookup = Pass(source)
        io = IOFunctions(lookup, self.config.sandbox_path)
        funcs = table(
            lookup,
            sandbox=self.config.sandbox_path,
            denylist=self.config.function_denylist,
            io=io,
        )
        content: str | None = None
        error: RenderError | None = None
        try:
            content = self.compiled.render(funcs)
        except RenderError as exc:
            error = exc
        except Exception as exc:  # the template's own error: reported with its name
            error = RenderError(f"{self.name}: {exc}")
        outcome = Outcome(dict(lookup.used), dict(lookup.missing), dict(lookup.collections))
        if outcome.complete:
            outcome.content, outcome.error = (None, error) if error else (content, None)
            if not error:
                outcome.writes = io.writes
        return outcome
