"""Items -> a tree of nodes: text, actions, ``if``/``range``/``with`` blocks, pipelines.

The node types mirror Go's ``text/template/parse``; an argument that Go would call a chain
(``(x).A``, ``$v.A.B``, ``scratch.Get``) keeps its operand and its field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from templated.gotmpl.lexer import GoTemplateError, Token, lex

__all__ = [
    "Action",
    "Arg",
    "Block",
    "Command",
    "Loop",
    "Node",
    "Pipe",
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


Node = Text | Action | Block | Loop


def parse(text: str, name: str = "template", left: str = "{{", right: str = "}}") -> list[Node]:
    return _Parser(lex(text, name, left, right), name).document()


class _Parser:
    def __init__(self, tokens: list[Token], name: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.name = name
        self.loops = 0

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
        if tok.kind == "ident" and tok.value in ("define", "template", "block"):
            raise self.error(f"{{{{{tok.value}}}}} is not supported", tok.line)
        return Action(self.pipe(tok.line))

    def expect_end(self) -> None:
        tok = self.next()
        if tok.kind != "end":
            raise self.error(f"unexpected {tok.value!r} in action", tok.line)

    def block(self, kind: str, line: int) -> Block:
        pipe = self.pipe(line, allow_two=kind == "range")
        if kind == "range":
            self.loops += 1
        body, stop = self.list_until()
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
                orelse, stop2 = self.list_until()
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
