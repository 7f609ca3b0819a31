"""A Go ``text/template`` subset, enough for consul-template's ``.ctmpl`` files.

Supported: text and ``{{ }}`` actions with ``{{-``/``-}}`` trimming and ``{{/* comments */}}``;
custom delimiters; pipelines (``a | b "x"``); ``if``/``else if``/``else``, ``range`` (with
``$i, $e :=`` and ``else``), ``with``/``else``, ``break``, ``continue``, ``end``; variables
(``$x := ...``, ``$x = ...``, ``$``); fields and map keys (``.A.B``, ``$x.A``, ``(f x).A``);
method calls (``scratch.Set "k" "v"``); literals (strings, raw strings, numbers, true, false,
nil); Go's builtins (and or not eq ne lt le gt ge len index print printf println urlquery html);
named templates: ``{{define "n"}}...{{end}}``, ``{{template "n" [pipeline]}}``, ``{{block "n"
pipeline}}...{{end}}`` (and consul-template's ``executeTemplate``). Parse errors carry
``name:line``.

Modules: ``lexer`` (text -> items), ``parser`` (items -> nodes), ``interp`` (nodes + data ->
text, with Go's truth and printing rules).
"""

from __future__ import annotations

from templated.gotmpl.interp import execute
from templated.gotmpl.lexer import GoTemplateError
from templated.gotmpl.parser import Program, parse

__all__ = ["GoTemplateError", "Program", "execute", "parse"]
