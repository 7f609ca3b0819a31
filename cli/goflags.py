"""Go's ``flag`` package rules for every ``cnsl`` command, driven by a table of declared flags.

Consul's commands parse with Go's ``flag``: ``-name`` and ``--name`` are the same, values come as
``-name value`` or ``-name=value``, booleans are ``-name``, ``-name=true`` or ``-name=false`` (never
``-name false``), parsing stops at the first argument that is not a flag (so ``kv put k -5`` stores
"-5") and at ``--``, and a lone ``-`` is an argument. :func:`parse` implements exactly that for one
command's flags. The fast path uses its result directly; the Typer app calls :func:`normalise`,
which parses the same way and re-emits a canonical argv that click reads unambiguously. Flags are
declared once, as :class:`Flag` tables; :func:`flags_from_click` reads them back from a click
command so a hand-written Typer command gets the same rules.

Imports nothing: this runs on every ``cnsl`` invocation.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    Value = bool | int | float | str | list[str] | None

__all__ = [
    "BOOL",
    "DURATION",
    "INT",
    "LIST",
    "STRING",
    "UINT",
    "Flag",
    "HelpRequested",
    "Parsed",
    "UsageError",
    "flags_from_click",
    "normalise",
    "parse",
]

BOOL, STRING, UINT, INT, DURATION, LIST = "bool", "string", "uint", "int", "duration", "list"
_KINDS = frozenset((BOOL, STRING, UINT, INT, DURATION, LIST))
_HELP = frozenset(("h", "help"))
_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


class UsageError(Exception):
    """The command line does not fit the flags; the message is Go's (``flag provided but ...``)."""


class HelpRequested(Exception):
    """``-h``/``-help`` was given (and is not a declared flag)."""


class Flag:
    """One declared flag. ``default`` None means "not given" (the environment may then decide)."""

    __slots__ = ("click_names", "default", "help", "kind", "metavar", "name")

    def __init__(
        self,
        name: str,
        kind: str = STRING,
        default: Value = None,
        help: str = "",
        metavar: str | None = None,
        click_names: tuple[str, ...] = (),
    ) -> None:
        if kind not in _KINDS:
            raise ValueError(f"flag -{name}: unknown kind {kind!r}")
        self.name = name
        self.kind = kind
        if default is None and kind == BOOL:
            default = False
        elif default is None and kind == LIST:
            default = []
        self.default: Value = default
        self.help = help
        self.metavar = metavar
        # How click spells it: (true name,) or (true name, false name) for a bool.
        self.click_names = click_names or ("-" + name,)

    @property
    def ident(self) -> str:
        """The Python parameter name (``http-addr`` -> ``http_addr``, ``try`` -> ``try_``)."""
        import keyword  # only the Typer app asks, never the fast path

        ident = self.name.replace("-", "_")
        return ident + "_" if keyword.iskeyword(ident) else ident

    def __repr__(self) -> str:
        return f"Flag({self.name!r}, {self.kind!r})"


class Parsed:
    """Flag values (every declared flag, defaults filled in) and the positional arguments."""

    __slots__ = ("args", "given", "values")

    def __init__(self, values: dict[str, Value], args: list[str], given: set[str]) -> None:
        self.values = values
        self.args = args
        self.given = given

    def on(self, name: str) -> bool:
        return bool(self.values[name])

    def text(self, name: str) -> str | None:
        value = self.values[name]
        return None if value is None else str(value)

    def num(self, name: str) -> int:
        value = self.values[name]
        return int(value) if isinstance(value, int | float) else 0

    def items(self, name: str) -> list[str]:
        value = self.values[name]
        return list(value) if isinstance(value, list) else []


def _parse_uint(text: str) -> int:
    """Go's ``strconv.ParseUint(text, 0, 64)``: 0x/0o/0b prefixes, leading-0 octal, underscores."""
    low = text.lower()
    base, digits = 10, text
    if low.startswith(("0x", "0o", "0b")):
        base, digits = {"x": 16, "o": 8, "b": 2}[low[1]], text[2:]
    elif len(text) > 1 and text.startswith("0"):
        base, digits = 8, text[1:]
    if not digits or not digits.replace("_", "").isalnum() or not digits.isascii():
        raise ValueError("parse error")
    value = int(digits, base)  # ValueError on stray characters
    if value >= 1 << 64:
        raise ValueError("value out of range")
    return value


def _convert(flag: Flag, text: str) -> Value:
    try:
        if flag.kind == UINT:
            return _parse_uint(text)
        if flag.kind == INT:
            sign, body = (-1 if text[0] == "-" else 1, text[1:]) if text[:1] in "+-" else (1, text)
            value = sign * _parse_uint(body)
            if not -(1 << 63) <= value < 1 << 63:
                raise ValueError("value out of range")
            return value
        if flag.kind == DURATION:
            from cnslkit.duration import parse_duration

            return parse_duration(text)
    except ValueError as exc:
        reason = str(exc) if str(exc) in ("value out of range",) or flag.kind == DURATION else ""
        raise UsageError(
            f'invalid value "{text}" for flag -{flag.name}: {reason or "parse error"}'
        ) from None
    return text


def parse(argv: Sequence[str], flags: Iterable[Flag]) -> Parsed:
    """Parse ``argv`` (after the command words) with Go's rules; UsageError or HelpRequested."""
    table = {f.name: f for f in flags}
    values: dict[str, Value] = {
        name: (list(f.default) if isinstance(f.default, list) else f.default)
        for name, f in table.items()
    }
    given: set[str] = set()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if len(arg) < 2 or arg[0] != "-":
            break
        if arg == "--":
            i += 1
            break
        name = arg[2:] if arg[1] == "-" else arg[1:]
        if not name or name[0] in "-=":
            raise UsageError(f"bad flag syntax: {arg}")
        i += 1
        name, has_value, value = name.partition("=")
        flag = table.get(name)
        if flag is None:
            if name in _HELP:
                raise HelpRequested(name)
            raise UsageError(f"flag provided but not defined: -{name}")
        if flag.kind == BOOL:
            if not has_value:
                values[name] = True
            elif value in _TRUE or value in _FALSE:
                values[name] = value in _TRUE
            else:
                raise UsageError(f'invalid boolean value "{value}" for -{name}: parse error')
        else:
            if not has_value:
                if i >= len(argv):
                    raise UsageError(f"flag needs an argument: -{name}")
                value = argv[i]
                i += 1
            converted = _convert(flag, value)
            if flag.kind == LIST:
                current = values[name]
                assert isinstance(current, list)
                current.append(value)
            else:
                values[name] = converted
        given.add(name)
    return Parsed(values, list(argv[i:]), given)


def normalise(argv: Sequence[str], flags: Sequence[Flag]) -> list[str]:
    """Go-style ``argv`` -> the canonical argv click should see (``["--help"]`` for help).

    Only flags that were given are emitted (so click's defaults stay in charge), each once with
    its final value; then ``--`` and the positional arguments.
    """
    try:
        parsed = parse(argv, flags)
    except HelpRequested:
        return ["--help"]
    out: list[str] = []
    for flag in flags:
        if flag.name not in parsed.given:
            continue
        value = parsed.values[flag.name]
        if flag.kind == BOOL:
            if value:
                out.append(flag.click_names[0])
            elif len(flag.click_names) > 1:
                out.append(flag.click_names[1])
            elif flag.default:
                raise ValueError(f"flag -{flag.name} defaults to true but has no false spelling")
        elif isinstance(value, list):
            for item in value:
                out.extend(_click_option(flag.click_names[0], item))
        else:
            # Numbers go to click in decimal (Go accepts 0x10, click does not).
            raw = f"{value}s" if flag.kind == DURATION else str(value)
            out.extend(_click_option(flag.click_names[0], raw))
    return [*out, "--", *parsed.args]


def _click_option(name: str, value: str) -> list[str]:
    """``-name=value``; but click reads ``-n=2`` as the value "=2" for a one-letter option."""
    return [name, value] if len(name) == 2 else [f"{name}={value}"]


def _click_kind(param: Any) -> str:
    if param.is_flag:
        return BOOL
    if param.multiple:
        return LIST
    # Typer's own parameters describe their type with an annotation; plain click uses .type.
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    click_type = getattr(param, "type", None)
    type_name = getattr(click_type, "name", "")
    if annotation is int or type_name in ("integer", "integer range"):
        minimum = param.min if hasattr(param, "min") else getattr(click_type, "min", None)
        return UINT if minimum == 0 else INT
    return STRING


def flags_from_click(command: Any) -> list[Flag]:
    """The :class:`Flag` table of a click/Typer command, read from its declared options."""
    flags: list[Flag] = []
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option":
            continue
        kind = _click_kind(param)
        false_name = param.secondary_opts[:1] if kind == BOOL else []
        click_names = (param.opts[0], *false_name)
        for opt in param.opts:
            name = opt.lstrip("-")
            if name not in _HELP:
                flags.append(Flag(name, kind, default=param.default, click_names=click_names))
    return flags
