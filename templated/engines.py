"""The two template languages behind one interface: compile once, render per pass.

- **Jinja2** (``.j2``, ``.jinja``, ``.jinja2``): a sandboxed environment, no autoescaping,
  trailing newline kept; every function of :func:`templated.funcs.table` is a global (in
  consul-template's argument order) and every helper is also a filter taking the piped value
  first (``value | split(",")``), except where Jinja2 has a builtin of that name. A filter calls
  the render's own function (so ``function_denylist`` reaches filters too). ``executeTemplate``
  calls a macro defined at the top level of the template.
  Undefined values chain (``x.a.b`` is empty, not an error), so a first pass without data
  still discovers every dependency; ``error_on_missing_key`` selects ``StrictUndefined``.
- **Go** (``.ctmpl``, ``.tmpl``, ``.tpl``, ``.gotmpl``): :mod:`templated.gotmpl`.

``syntax = "auto"`` picks by extension; an unknown extension is read as Go if it contains a
consul-template call (``{{ key "``, ``{{ range``, ``{{ end }}``...) and as Jinja2 otherwise.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import jinja2
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment

from templated import gotmpl, nested
from templated.errors import RenderError
from templated.funcs import IO_ALIASES, IO_NAMES
from templated.helpers import ALIASES, FUNCS

__all__ = ["Compiled", "compile_template", "detect_syntax"]

_GO_EXT = (".ctmpl", ".tmpl", ".tpl", ".gotmpl")
_JINJA_EXT = (".j2", ".jinja", ".jinja2")
_GO_HINT = re.compile(
    r"\{\{-?\s*(?:(?:key|keyOrDefault|keyExists|ls|safeLs|tree|safeTree|service|services|node|"
    r"nodes|datacenters|file|env|sockaddr|define|template|block|executeTemplate|plugin)\s+[\"`]|"
    r"range\s|end\s*-?\}\}|with\s|if\s|\.[A-Z]|\$)"
)


class Compiled(Protocol):
    def render(self, funcs: Mapping[str, Callable[..., Any]]) -> str: ...


def detect_syntax(name: str, text: str, syntax: str = "auto") -> str:
    if syntax != "auto":
        return syntax
    lower = name.lower()
    if lower.endswith(_GO_EXT):
        return "go"
    if lower.endswith(_JINJA_EXT):
        return "jinja"
    return "go" if _GO_HINT.search(text) else "jinja"


def compile_template(
    text: str,
    name: str,
    *,
    syntax: str = "auto",
    left: str = "{{",
    right: str = "}}",
    strict: bool = False,
) -> Compiled:
    """Parse ``text``; RenderError (with the template's name and line) when it does not parse."""
    kind = detect_syntax(name, text, syntax)
    if kind == "go":
        try:
            return _GoTemplate(gotmpl.parse(text, name, left, right), name, strict)
        except gotmpl.GoTemplateError as exc:
            raise RenderError(str(exc)) from None
    return _JinjaTemplate(text, name, left, right, strict)


class _GoTemplate:
    def __init__(self, program: gotmpl.Program, name: str, strict: bool) -> None:
        self.program = program
        self.name = name
        self.strict = strict

    def render(self, funcs: Mapping[str, Callable[..., Any]]) -> str:
        return gotmpl.execute(self.program, None, funcs, name=self.name, strict=self.strict)


_FILTERS = (*FUNCS, *ALIASES, *IO_NAMES, *IO_ALIASES)


def _filter(name: str) -> Callable[..., Any]:
    """``value | name(args)``: the render's ``name(*args, value)``."""

    @jinja2.pass_context
    def piped(ctx: Context, value: Any, *args: Any) -> Any:
        fn = ctx.parent.get(name)
        if not callable(fn):
            fn = FUNCS[ALIASES.get(name, name)]
        return fn(*args, value)

    return piped


def _macro_runner(ctx: Context) -> nested.Runner:
    """``executeTemplate`` in Jinja2: call the top-level macro of that name."""

    def run(name: str, data: Any) -> str:
        macro = ctx.vars.get(name)
        if not isinstance(macro, Macro):
            raise LookupError(f"executeTemplate: no macro {name!r} defined before the call")
        if data is not None and (macro.arguments or macro.catch_varargs):
            return str(macro(data))
        return str(macro())

    return run


class _JinjaTemplate:
    def __init__(self, text: str, name: str, left: str, right: str, strict: bool) -> None:
        env = SandboxedEnvironment(
            autoescape=False,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined if strict else jinja2.ChainableUndefined,
            variable_start_string=left,
            variable_end_string=right,
        )
        for fname in _FILTERS:
            env.filters.setdefault(fname, _filter(fname))
        try:
            self.template = env.from_string(text)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"template: {name}:{exc.lineno}: {exc.message}") from None
        self.name = name

    def render(self, funcs: Mapping[str, Callable[..., Any]]) -> str:
        context = dict(funcs)
        scratch = context.get("scratch")
        if scratch is not None:
            with contextlib.suppress(PermissionError):  # denied: stays the denying function
                context["scratch"] = scratch()  # an object in Jinja: scratch.Set("k", "v")
        template = self.template
        ctx = template.new_context(context)
        with nested.running(_macro_runner(ctx)):
            try:
                return template.environment.concat(template.root_render_func(ctx))
            except Exception:
                return template.environment.handle_exception()
