"""Items -> a tree of nodes: text, actions, ``if``/``range``/``with`` blocks, pipelines.

The node types mirror Go's ``text/template/parse``; an argument that Go would call a chain
(``(x).A``, ``$v.A.B``, ``scratch.Get``) keeps its operand and its field names.

A file is a :class:`Program`: its main nodes and its named templates. ``{{define "n"}}`` (top
level only, as in Go) and ``{{block "n" pipeline}}`` add a named template; ``{{template "n"
[pipeline]}}`` (and ``block`` where it stands) becomes an :class:`Include`. Defining a name
twice is an error unless one of the bodies is only whitespace (that one is ignored), as in Go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from templated.gotmpl.lexer import GoTemplateError, Token, lex

__all__ = [
    "Action",
    "Arg",
    "Block",
    "Command",
    "Include",
    "Loop",
    "Node",
    "Pipe",
    "Program",
    "Text",
    "parse",
]


@dataclass(slots=True)
class Arg:
    """One operand: kind is field, var, ident, literal, dot or pipe; ``fields`` follow it."""

    kind: str
    value: object = None
    fields: tuple[str, ...] = ()
    line: int = 0


@dataclass(slots=True)
class Command:
    args: list[Arg]


@dataclass(slots=True)
class Pipe:
    commands: list[Command]
    decl: list[str] = field(default_factory=list)
    assign: bool = False  # ``=`` rather than ``:=``
    line: int = 0


@dataclass(slots=True)
class Text:
    text: str


@dataclass(slots=True)
class Action:
    pipe: Pipe


@dataclass(slots=True)
class Block:
    """``if``, ``range`` or ``with``: ``body`` when the pipeline is true, else ``orelse``."""

    kind: str
    pipe: Pipe
    body: list[Node]
    orelse: list[Node]


@dataclass(slots=True)
class Loop:
    """``break`` or ``continue`` inside a ``range``."""

    kind: str


@dataclass(slots=True)
class Include:
    """``{{template "name" pipeline}}``: the named template run with the pipeline as dot."""

    name: str
    pipe: Pipe | None
    line: int


Node = Text | Action | Block | Loop | Include


@dataclass(slots=True)
class Program:
    """A parsed file: the main nodes and the templates it defines, by name."""

    nodes: list[Node]
    defines: dict[str, list[Node]] = field(default_factory=dict)


def parse(text: str, name: str = "template", left: str = "{{", right: str = "}}") -> Program:
    parser = _Parser(lex(text, name, left, right), name)
    nodes = parser.document()
    return Program(nodes, parser.defines)


def _blank(nodes: list[Node]) -> bool:
    return all(isinstance(n, Text) and not n.text.strip() for n in nodes)


class _Parser:
    def __init__(self, tokens: list[Token], name: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.name = name
        self.loops = 0
        self.depth = 0  # nesting of if/range/with: define is allowed only at 0
        self.defines: dict[str, list[Node]] = {}

    def error(self, message: str, line: int) -> GoTemplateError:
        return GoTemplateError(f"template: {self.name}:{line}: {message}")

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            last = self.tokens[-1].line if self.tokens else 1
            raise self.error("unexpected EOF", last)
        self.pos += 1
        return tok

    def document(self) -> list[Node]:
        nodes, stop = self.list_until()
        if stop is not None:
            raise self.error(f"unexpected {{{{{stop[0]}}}}}", stop[1])
        return nodes

    def list_until(self) -> tuple[list[Node], tuple[str, int] | None]:
        """Nodes up to an ``end`` or ``else`` action (returned as the stop) or EOF (None)."""
        nodes: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "text":
                self.pos += 1
                nodes.append(Text(str(tok.value)))
                continue
            word = tok.value if tok.kind == "ident" else None
            if word in ("end", "else"):
                self.pos += 1
                if word == "end":
                    self.expect_end()
                return nodes, (str(word), tok.line)
            nodes.append(self.action())
        return nodes, None

    def action(self) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "ident" and tok.value in ("if", "range", "with"):
            self.pos += 1
            return self.block(str(tok.value), tok.line)
        if tok.kind == "ident" and tok.value in ("break", "continue"):
            self.pos += 1
            if not self.loops:
                raise self.error(f"{{{{{tok.value}}}}} outside {{{{range}}}}", tok.line)
            self.expect_end()
            return Loop(str(tok.value))
        if tok.kind == "ident" and tok.value == "define":
            self.pos += 1
            if self.depth:
                raise self.error("unexpected {{define}}: only allowed at top level", tok.line)
            self.define(tok.line)
            return Text("")
        if tok.kind == "ident" and tok.value in ("template", "block"):
            self.pos += 1
            return self.include(str(tok.value), tok.line)
        return Action(self.pipe(tok.line))

    def template_name(self, clause: str, line: int) -> str:
        tok = self.next()
        if tok.kind != "string":
            raise self.error(f"unexpected {tok.value!r} in {clause} clause: want a name", line)
        return str(tok.value)

    def body(self, clause: str, line: int) -> list[Node]:
        """A named template's nodes up to its ``end`` (break/continue do not reach outside)."""
        loops, self.loops = self.loops, 0
        self.depth += 1
        nodes, stop = self.list_until()
        self.depth -= 1
        self.loops = loops
        if stop is None:
            raise self.error(f"unexpected EOF: missing {{{{end}}}} for {{{{{clause}}}}}", line)
        if stop[0] != "end":
            raise self.error(f"unexpected {{{{{stop[0]}}}}} in {{{{{clause}}}}}", stop[1])
        return nodes

    def add_define(self, name: str, nodes: list[Node], line: int) -> None:
        old = self.defines.get(name)
        if old is not None and not _blank(old):
            if _blank(nodes):
                return
            raise self.error(f'multiple definition of template "{name}"', line)
        self.defines[name] = nodes

    def define(self, line: int) -> None:
        name = self.template_name("define", line)
        self.expect_end()
        self.add_define(name, self.body("define", line), line)

    def include(self, clause: str, line: int) -> Include:
        name = self.template_name(clause, line)
        tok = self.peek()
        pipe: Pipe | None = None
        if tok is not None and tok.kind == "end":
            if clause == "block":
                raise self.error("missing value for block", line)
            self.pos += 1
        else:
            pipe = self.pipe(line)
        if clause == "block":
            self.add_define(name, self.body("block", line), line)
        return Include(name, pipe, line)

    def expect_end(self) -> None:
        tok = self.next()
        if tok.kind != "end":
            raise self.error(f"unexpected {tok.value!r} in action", tok.line)

    def block(self, kind: str, line: int) -> Block:
        pipe = self.pipe(line, allow_two=kind == "range")
        if kind == "range":
            self.loops += 1
        self.depth += 1
        body, stop = self.list_until()
        self.depth -= 1
        if kind == "range":
            self.loops -= 1
        if stop is None:
            raise self.error(f"unexpected EOF: missing {{{{end}}}} for {{{{{kind}}}}}", line)
        orelse: list[Node] = []
        if stop[0] == "else":
            tok = self.peek()
            if tok is not None and tok.kind == "ident" and tok.value in ("if", "with"):
                # ``else if`` / ``else with``: a nested block sharing our ``end``.
                self.pos += 1
                orelse = [self.block(str(tok.value), tok.line)]
            else:
                self.expect_end()
                self.depth += 1
                orelse, stop2 = self.list_until()
                self.depth -= 1
                if stop2 is None or stop2[0] != "end":
                    raise self.error(f"expected {{{{end}}}} for {{{{{kind}}}}}", line)
        return Block(kind, pipe, body, orelse)

    def pipe(self, line: int, allow_two: bool = False, in_paren: bool = False) -> Pipe:
        decl: list[str] = []
        assign = False
        start = self.pos
        names: list[str] = []
        while (tok := self.peek()) is not None and tok.kind == "var":
            self.pos += 1
            names.append(str(tok.value))
            nxt = self.peek()
            if nxt is not None and nxt.kind == "op" and nxt.value == "," and allow_two:
                self.pos += 1
                continue
            if nxt is not None and nxt.kind == "op" and nxt.value in (":=", "="):
                self.pos += 1
                decl, assign = names, nxt.value == "="
            break
        if not decl:
            self.pos = start
        commands: list[Command] = []
        while True:
            commands.append(self.command())
            tok = self.next()
            if tok.kind == "rparen" and in_paren:
                self.pos -= 1  # the operand closes it
                break
            if tok.kind == "end":
                if in_paren:
                    raise self.error("unclosed left paren", tok.line)
                break
            if not (tok.kind == "op" and tok.value == "|"):
                raise self.error(f"unexpected {tok.value!r} in pipeline", tok.line)
        return Pipe(commands, decl, assign, line)

    def command(self) -> Command:
        args: list[Arg] = []
        while (tok := self.peek()) is not None:
            if tok.kind in ("end", "rparen") or (tok.kind == "op" and tok.value == "|"):
                break
            if args and not tok.spaced and tok.kind != "field":
                raise self.error(f"missing space before {tok.value!r}", tok.line)
            args.append(self.operand())
        if not args:
            tok = self.peek()
            raise self.error("missing value for command", tok.line if tok else 0)
        return Command(args)

    def operand(self) -> Arg:
        tok = self.next()
        arg: Arg
        if tok.kind == "field":
            arg = Arg("field", None, (str(tok.value)[1:],), tok.line)
        elif tok.kind == "var":
            arg = Arg("var", tok.value, (), tok.line)
        elif tok.kind == "ident":
            arg = Arg("ident", tok.value, (), tok.line)
        elif tok.kind == "dot":
            arg = Arg("dot", None, (), tok.line)
        elif tok.kind in ("string", "number", "bool", "nil"):
            arg = Arg("literal", tok.value, (), tok.line)
        elif tok.kind == "lparen":
            inner = self.pipe(tok.line, in_paren=True)
            close = self.next()
            if close.kind != "rparen":
                raise self.error("unclosed left paren", tok.line)
            arg = Arg("pipe", inner, (), tok.line)
        else:
            raise self.error(f"unexpected {tok.value!r} in operand", tok.line)
        names = list(arg.fields)
        while (tok2 := self.peek()) is not None and tok2.kind == "field" and not tok2.spaced:
            self.pos += 1
            names.append(str(tok2.value)[1:])
        arg.fields = tuple(names)
        return arg
