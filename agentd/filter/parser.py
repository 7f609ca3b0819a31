"""Recursive-descent parser for go-bexpr's grammar (see the package docstring).

or    := and ("or" and)*
and   := not ("and" not)*
not   := "not"* primary
primary := "(" or ")" | match
match := sel ("==" | "!=" | "contains" | "not contains" | "matches" | "not matches") value
       | sel "is" ["not"] "empty"
       | value ["not"] "in" sel
sel   := WORD ("." WORD | "[" STRING "]")*      (no whitespace before "." or "[")
value := STRING | NUMBER | sel                  (a bare selector stands for its dotted text)
"""

from __future__ import annotations

from agentd.filter.ast import And, Expr, Match, Not, Op, Or, Value
from agentd.filter.errors import FilterError, at
from agentd.filter.lexer import Kind, Token, tokenize
from agentd.filter.regex import compile_re2

MAX_NESTING = 100  # parentheses; keeps parsing and evaluation far from Python's recursion limit

_AFTER_SELECTOR = '"!=", "==", "contains", "in", "is", "matches" or "not"'
_START = '"(", "not", a selector or a value'
_VALUE_OPS = {"contains": Op.IN, "matches": Op.MATCHES}
_NOT_VALUE_OPS = {"contains": Op.NOT_IN, "matches": Op.NOT_MATCHES}


def parse(text: str) -> Expr:
    """The AST of ``text``; raises FilterError naming the position and what was expected."""
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # -- token helpers ---------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def kind(self) -> Kind:
        return self.tokens[self.i].kind

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def word(self, *words: str) -> bool:
        """Is the current token one of these (lower-case, exact) keywords?"""
        return self.kind() is Kind.WORD and self.tok.text in words

    def fail(self, expected: str, tok: Token | None = None) -> FilterError:
        tok = tok or self.tok
        found = "end of input" if tok.kind is Kind.EOF else f'"{tok.text}"'
        return at(self.text, tok.pos, f"no match found, expected: {expected}; found {found}")

    # -- boolean structure -----------------------------------------------------------------------

    def parse(self) -> Expr:
        expr = self.or_()
        if self.kind() is not Kind.EOF:
            raise self.fail('"and", "or" or end of input')
        return expr

    def or_(self) -> Expr:
        operands = [self.and_()]
        while self.word("or"):
            self.advance()
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self) -> Expr:
        operands = [self.not_()]
        while self.word("and"):
            self.advance()
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_(self) -> Expr:
        negate = False
        while self.word("not"):  # "not not x" is x, as go-bexpr simplifies it
            self.advance()
            negate = not negate
        expr = self.primary()
        return Not(expr) if negate else expr

    def primary(self) -> Expr:
        if self.kind() is not Kind.LPAREN:
            return self.match()
        opening = self.advance()
        if self.depth >= MAX_NESTING:
            raise at(self.text, opening.pos, "expression nested too deeply")
        self.depth += 1
        expr = self.or_()
        if self.kind() is not Kind.RPAREN:
            raise self.fail('"and", "or" or ")" (unmatched parenthesis)')
        self.advance()
        self.depth -= 1
        return expr

    # -- match expressions -----------------------------------------------------------------------

    def match(self) -> Expr:
        start = self.tok
        if start.kind in (Kind.STRING, Kind.NUMBER):
            value = Value.of(self.advance().value)
            return self.value_first(value, start)
        if start.kind is not Kind.WORD:
            raise self.fail(_START)
        path = self.selector()
        if self.kind() in (Kind.EQ, Kind.NE):
            op = Op.EQUAL if self.advance().kind is Kind.EQ else Op.NOT_EQUAL
            return self.make(op, path, start)
        if self.word("contains", "matches"):
            return self.make(_VALUE_OPS[self.advance().text], path, start)
        if self.word("is"):
            self.advance()
            op = Op.IS_EMPTY
            if self.word("not"):
                self.advance()
                op = Op.IS_NOT_EMPTY
            if not self.word("empty"):
                raise self.fail('"empty"' if op is Op.IS_NOT_EMPTY else '"empty" or "not"')
            self.advance()
            return Match(op, path, None, None, start.pos)
        if self.word("in") or (
            self.word("not") and self.peek().kind is Kind.WORD and self.peek().text == "in"
        ):
            return self.value_first(Value.of(".".join(path)), start)
        if self.word("not"):
            self.advance()
            if not self.word("contains", "matches"):
                raise self.fail('"contains", "in" or "matches"')
            return self.make(_NOT_VALUE_OPS[self.advance().text], path, start)
        raise self.fail(_AFTER_SELECTOR)

    def value_first(self, value: Value, start: Token) -> Match:
        """``value in sel`` / ``value not in sel``, the value already consumed."""
        op = Op.IN
        if self.word("not"):
            self.advance()
            op = Op.NOT_IN
        if not self.word("in"):
            raise self.fail('"in"' if op is Op.NOT_IN else '"in" or "not"')
        self.advance()
        if self.kind() is not Kind.WORD:
            raise self.fail("a selector")
        return Match(op, self.selector(), value, None, start.pos)

    def make(self, op: Op, path: tuple[str, ...], start: Token) -> Match:
        """``sel op value`` with the operator consumed: read the value (and compile a regexp)."""
        tok = self.tok
        if tok.kind in (Kind.STRING, Kind.NUMBER):
            raw = self.advance().value
        elif tok.kind is Kind.WORD:
            raw = ".".join(self.selector())
        else:
            raise self.fail("a value (string, number or identifier)")
        pattern = compile_re2(raw) if op in (Op.MATCHES, Op.NOT_MATCHES) else None
        return Match(op, path, Value.of(raw), pattern, start.pos)

    def selector(self) -> tuple[str, ...]:
        parts = [self.advance().text]
        while not self.tok.spaced and self.kind() in (Kind.DOT, Kind.LBRACKET):
            if self.advance().kind is Kind.DOT:
                if self.kind() is not Kind.WORD or self.tok.spaced:
                    raise self.fail("an identifier after the dot")
                parts.append(self.advance().text)
                continue
            if self.kind() is not Kind.STRING:
                raise self.fail("a string index")
            parts.append(self.advance().value)
            if self.kind() is not Kind.RBRACKET:
                raise self.fail('"]" (unclosed index expression)')
            self.advance()
        return tuple(parts)
