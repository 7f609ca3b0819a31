"""Execute a parsed template: Go's truth, field lookup, calling and printing rules.

``funcs`` supplies every function by name (the data functions and helpers of
:mod:`templated.funcs`); Go's builtins are added here. A function named without arguments is
called (``{{ datacenters }}``); a method reached through fields is called with the command's
arguments (``{{ scratch.Set "a" 1 }}``). The piped value becomes the last argument.
``strict`` (consul-template's ``error_on_missing_key``) makes a missing map key an error
instead of ``<no value>``.

``{{template "name" pipeline}}`` runs a named template of the same file with the pipeline's
value as dot and as ``$`` (its own variables only), as Go does; so does ``executeTemplate``
(:mod:`templated.nested`), which returns the text instead of writing it. Named templates may
call each other, recursively too, up to a depth of :data:`MAX_DEPTH`. Maps range and print in
key order, numbers numerically.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from templated.gotmpl.lexer import GoTemplateError
from templated.gotmpl.parser import (
    Action,
    Arg,
    Block,
    Command,
    Include,
    Loop,
    Node,
    Pipe,
    Program,
    Text,
)
from templated.nested import running

__all__ = ["MAX_DEPTH", "execute", "go_str", "map_keys", "sprintf", "truth"]

#: how deeply named templates may call each other (Go allows more; Python's stack does not)
MAX_DEPTH = 100

_NO_VALUE = "<no value>"
_MISSING: Any = object()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def truth(value: Any) -> bool:
    """Go's notion: false, 0, nil and empty strings/slices/maps are false."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float | str | list | tuple | dict | set | frozenset):
        return bool(value)
    return True


def map_keys(mapping: Mapping[Any, Any]) -> list[Any]:
    """A map's keys in Go's order: numbers numerically (before strings), strings lexically."""

    def order(key: Any) -> tuple[int, Any]:
        if isinstance(key, int | float) and not isinstance(key, bool):
            return (0, key)
        return (1, str(key))

    return sorted(mapping, key=order)


def go_str(value: Any) -> str:
    """``fmt.Sprint`` of one value."""
    if value is None:
        return _NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_str(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{go_str(k)}:{go_str(value[k])}" for k in map_keys(value)) + "]"
    if is_dataclass(value) and not isinstance(value, type):
        return "{" + " ".join(go_str(getattr(value, f.name)) for f in fields(value)) + "}"
    return str(value)


def _sprint(*args: Any) -> str:
    out = []
    for i, arg in enumerate(args):
        # Go adds a space between operands when neither is a string.
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_str(arg))
    return "".join(out)


_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def sprintf(fmt: str, *args: Any) -> str:
    """``fmt.Sprintf`` for the verbs templates use (v s q t c d b o x X f e E g G %)."""
    values = list(args)

    def one(m: re.Match[str]) -> str:
        flags, width, prec, verb = m.group(1), m.group(2) or "", m.group(3), m.group(4)
        if verb == "%":
            return "%"
        if not values:
            return f"%!{verb}(MISSING)"
        value = values.pop(0)
        spec = flags + width + (f".{prec}" if prec is not None else "")
        if verb in "vs":
            return format(go_str(value), f"{'<' if '-' in flags else '>'}{width}")
        if verb == "q":
            return json.dumps(go_str(value))
        if verb == "t":
            return go_str(bool(value))
        try:
            if verb == "c":
                return chr(int(value))
            if verb in "dboxX" and not isinstance(value, str | float):
                return ("%" + spec + verb) % int(value) if verb != "b" else format(int(value), "b")
            if verb in "feEgG" and not isinstance(value, str):
                return ("%" + spec + verb) % float(value)
        except (TypeError, ValueError):
            pass
        return f"%!{verb}({type(value).__name__}={go_str(value)})"

    return _VERB.sub(one, fmt)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if isinstance(a, int | float) and isinstance(b, int | float):
            return op(a, b)
        if type(a) is not type(b):
            raise TypeError(
                f"incompatible types for comparison: {type(a).__name__}, {type(b).__name__}"
            )
        return op(a, b)

    return compare


def _index(item: Any, *keys: Any) -> Any:
    for key in keys:
        if item is None:
            raise IndexError("index of untyped nil")
        item = item.get(key) if isinstance(item, Mapping) else item[int(key)]
    return item


def _len(item: Any) -> int:
    if item is None:
        raise TypeError("len of nil pointer")
    return len(item)


def _and(*args: Any) -> Any:
    for arg in args:
        if not truth(arg):
            return arg
    return args[-1]


def _or(*args: Any) -> Any:
    for arg in args:
        if truth(arg):
            return arg
    return args[-1]


BUILTINS: dict[str, Callable[..., Any]] = {
    "and": _and,
    "or": _or,
    "not": lambda v: not truth(v),
    "eq": lambda a, *bs: any(_compare(lambda x, y: x == y)(a, b) for b in bs),
    "ne": _compare(lambda a, b: a != b),
    "lt": _compare(lambda a, b: a < b),
    "le": _compare(lambda a, b: a <= b),
    "gt": _compare(lambda a, b: a > b),
    "ge": _compare(lambda a, b: a >= b),
    "len": _len,
    "index": _index,
    "print": _sprint,
    "printf": sprintf,
    "println": lambda *a: " ".join(go_str(v) for v in a) + "\n",
    "urlquery": lambda *a: urllib.parse.quote_plus(_sprint(*a)),
    "html": lambda *a: html.escape(_sprint(*a)),
}


def execute(
    program: Program | list[Node],
    data: Any,
    funcs: Mapping[str, Callable[..., Any]],
    *,
    name: str = "template",
    strict: bool = False,
) -> str:
    if not isinstance(program, Program):
        program = Program(program)
    out: list[str] = []
    ex = _Exec({**BUILTINS, **funcs}, name, strict, program.defines)
    with running(ex.named):
        try:
            ex.walk(program.nodes, data, [("$", data)], out)
        except RecursionError:
            raise GoTemplateError(
                f"template: {name}: exceeded maximum template depth ({MAX_DEPTH})"
            ) from None
    return "".join(out)


class _Exec:
    def __init__(
        self,
        funcs: Mapping[str, Callable[..., Any]],
        name: str,
        strict: bool,
        defines: Mapping[str, list[Node]],
    ) -> None:
        self.funcs = funcs
        self.name = name
        self.strict = strict
        self.defines = defines
        self.depth = 0

    def include(self, name: str, dot: Any, line: int, out: list[str]) -> None:
        """Run the named template with ``dot`` (and ``$``) set to ``dot``."""
        nodes = self.defines.get(name)
        if nodes is None:
            raise self.fail(line, f'template "{name}" not defined')
        if self.depth >= MAX_DEPTH:
            raise self.fail(line, f"exceeded maximum template depth ({MAX_DEPTH})")
        self.depth += 1
        try:
            self.walk(nodes, dot, [("$", dot)], out)
        finally:
            self.depth -= 1

    def named(self, name: str, data: Any) -> str:
        """``executeTemplate``: the named template's text."""
        if name not in self.defines:
            raise LookupError(f'template "{name}" not defined')
        out: list[str] = []
        self.include(name, data, 0, out)
        return "".join(out)

    def fail(self, line: int, message: str) -> GoTemplateError:
        return GoTemplateError(f"template: {self.name}:{line}: {message}")

    def walk(
        self, nodes: list[Node], dot: Any, vars: list[tuple[str, Any]], out: list[str]
    ) -> None:
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Action):
                value = self.pipe(node.pipe, dot, vars)
                if not node.pipe.decl:
                    out.append(go_str(value))
            elif isinstance(node, Block):
                self.block(node, dot, vars, out)
            elif isinstance(node, Include):
                value = None if node.pipe is None else self.pipe(node.pipe, dot, vars)
                self.include(node.name, value, node.line, out)
            elif isinstance(node, Loop):
                raise _Break() if node.kind == "break" else _Continue()

    def block(self, node: Block, dot: Any, vars: list[tuple[str, Any]], out: list[str]) -> None:
        mark = len(vars)
        try:
            if node.kind == "range":
                self.range(node, dot, vars, out)
                return
            value = self.pipe(node.pipe, dot, vars)
            if truth(value):
                self.walk(node.body, value if node.kind == "with" else dot, vars, out)
            else:
                self.walk(node.orelse, dot, vars, out)
        finally:
            del vars[mark:]

    def range(self, node: Block, dot: Any, vars: list[tuple[str, Any]], out: list[str]) -> None:
        pipe = Pipe(node.pipe.commands, [], False, node.pipe.line)
        value = self.pipe(pipe, dot, vars)
        items: list[tuple[Any, Any]]
        if value is None:
            items = []
        elif isinstance(value, Mapping):
            items = [(k, value[k]) for k in map_keys(value)]
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif isinstance(value, list | tuple | set | frozenset):
            items = list(enumerate(value))
        else:
            raise self.fail(node.pipe.line, f"range can't iterate over {go_str(value)}")
        if not items:
            self.walk(node.orelse, dot, vars, out)
            return
        decl = node.pipe.decl
        mark = len(vars)
        for key, elem in items:
            del vars[mark:]
            if len(decl) == 1:
                vars.append((decl[0], elem))
            elif len(decl) == 2:
                vars.extend(((decl[0], key), (decl[1], elem)))
            try:
                self.walk(node.body, elem, vars, out)
            except _Break:
                break
            except _Continue:
                continue

    def pipe(self, pipe: Pipe, dot: Any, vars: list[tuple[str, Any]]) -> Any:
        value: Any = _MISSING
        for command in pipe.commands:
            value = self.command(command, dot, vars, value, pipe.line)
        for name in pipe.decl:
            if pipe.assign:
                for i in range(len(vars) - 1, -1, -1):
                    if vars[i][0] == name:
                        vars[i] = (name, value)
                        break
                else:
                    raise self.fail(pipe.line, f"undefined variable: {name}")
            else:
                vars.append((name, value))
        return value

    def command(
        self, command: Command, dot: Any, vars: list[tuple[str, Any]], final: Any, line: int
    ) -> Any:
        head, rest = command.args[0], command.args[1:]
        callable_head = head.kind == "ident" or (head.fields and head.kind != "literal")
        if not callable_head and (rest or final is not _MISSING):
            raise self.fail(line, f"can't give argument to non-function {self.show(head)}")
        if not callable_head:
            return self.arg(head, dot, vars)
        args = [self.arg(a, dot, vars) for a in rest]
        if final is not _MISSING:
            args.append(final)
        if head.kind == "ident" and not head.fields:
            return self.call(str(head.value), args, line)
        # A chain: the receiver, then fields; the last one is called with the arguments.
        if head.kind == "ident":
            receiver = self.call(str(head.value), [], line)
        else:
            receiver = self.arg(Arg(head.kind, head.value, (), head.line), dot, vars)
        for name in head.fields[:-1]:
            receiver = self.field(receiver, name, line)
        return self.field(receiver, head.fields[-1], line, args)

    def call(self, name: str, args: list[Any], line: int) -> Any:
        fn = self.funcs.get(name)
        if fn is None:
            raise self.fail(line, f'function "{name}" not defined')
        try:
            return fn(*args)
        except (GoTemplateError, _Break, _Continue):
            raise
        except Exception as exc:
            raise self.fail(line, f"error calling {name}: {exc}") from exc

    def arg(self, arg: Arg, dot: Any, vars: list[tuple[str, Any]]) -> Any:
        if arg.kind == "literal":
            value = arg.value
        elif arg.kind == "dot" or arg.kind == "field":
            value = dot
        elif arg.kind == "var":
            value = self.variable(str(arg.value), arg.line, vars)
        elif arg.kind == "pipe":
            assert isinstance(arg.value, Pipe)
            value = self.pipe(arg.value, dot, vars)
        else:  # a function used as an argument: called without arguments
            value = self.call(str(arg.value), [], arg.line)
        for name in arg.fields:
            value = self.field(value, name, arg.line)
        return value

    def variable(self, name: str, line: int, vars: list[tuple[str, Any]]) -> Any:
        for var, value in reversed(vars):
            if var == name:
                return value
        raise self.fail(line, f"undefined variable: {name}")

    def field(self, value: Any, name: str, line: int, args: list[Any] | None = None) -> Any:
        if value is None:
            raise self.fail(line, f"nil pointer evaluating <nil>.{name}")
        if isinstance(value, Mapping):
            if name in value:
                result = value[name]
            elif self.strict:
                raise self.fail(line, f'map has no entry for key "{name}"')
            else:
                result = None
        else:
            try:
                result = getattr(value, name)
            except AttributeError:
                raise self.fail(
                    line, f"can't evaluate field {name} in type {type(value).__name__}"
                ) from None
        if callable(result) and not isinstance(result, type):
            try:
                return result(*(args or []))
            except Exception as exc:
                raise self.fail(line, f"error calling {name}: {exc}") from exc
        if args:
            raise self.fail(line, f"{name} is not a method but has arguments")
        return result

    def show(self, arg: Arg) -> str:
        if arg.kind == "literal":
            return go_str(arg.value)
        return str(arg.value or ".") + "".join("." + f for f in arg.fields)
