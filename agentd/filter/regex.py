"""``matches`` patterns: Go's RE2 syntax, run by Python's ``re``.

The two engines share most syntax. Where Python accepts something RE2 rejects (lookaround,
backreferences, conditionals, atomic groups, ``\\Z``, repeat counts above 1000) the pattern is
rejected, as Consul would; RE2's ``\\z`` is rewritten to Python's ``\\Z``; ``re.ASCII`` gives
``\\d``, ``\\w``, ``\\s`` and ``\\b`` their ASCII meaning as in Go. Known gaps: Unicode classes
(``\\pL``) are not supported by ``re``, ``(?i)`` folds only ASCII, and ``$`` without ``(?m)`` also
matches before a final newline in Python.
"""

from __future__ import annotations

import re
import warnings

from agentd.filter.errors import FilterError, go_quote

_PERL_ONLY = ("(?=", "(?!", "(?<=", "(?<!", "(?>", "(?(", "(?P=", "(?#")
_REPEAT = re.compile(r"\{([0-9]+)(?:,([0-9]*))?\}")
_MAX_REPEAT = 1000  # RE2's limit


def compile_re2(pattern: str) -> re.Pattern[str]:
    try:
        with warnings.catch_warnings():
            # "Possible nested set" and the like: Python may give "[[" or "--" a meaning some day;
            # today it reads them literally, as RE2 does.
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(_translate(pattern), re.ASCII)
    except _Unsupported as exc:
        problem = f"error parsing regexp: {exc.args[0]}"
    except (re.error, OverflowError, RecursionError) as exc:
        problem = str(exc)
    raise FilterError(f"Failed to compile regular expression {go_quote(pattern)}: {problem}")


class _Unsupported(Exception):
    pass


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            esc = pattern[i : i + 2]
            out.append(_escape(pattern, i, in_class))
            i += len(esc)
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            # A "]" first in a class (after an optional "^") is a literal, not the end.
            j = i + 1 + pattern.startswith("^", i + 1)
            j += pattern.startswith("]", j)
            out.append(pattern[i:j])
            i, in_class = j, True
            continue
        elif pattern.startswith(_PERL_ONLY, i):
            raise _Unsupported(f"invalid or unsupported Perl syntax: `{pattern[i : i + 3]}`")
        elif (m := _REPEAT.match(pattern, i)) and max(
            int(g or 0) for g in m.groups()
        ) > _MAX_REPEAT:
            raise _Unsupported(f"invalid repeat count: `{m.group()}`")
        out.append(c)
        i += 1
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool) -> str:
    """The Python spelling of the escape sequence starting at ``pattern[i] == "\\"``."""
    esc = pattern[i : i + 2]
    if esc == "\\z" and not in_class:
        return "\\Z"
    if esc == "\\Z":
        raise _Unsupported("invalid escape sequence: `\\Z`")
    digits = pattern[i + 1 : i + 4]
    # A backslash and a non-zero digit is a backreference unless it starts a 3-digit octal code.
    if esc[1:] in set("123456789") and not (len(digits) == 3 and set(digits) <= set("01234567")):
        raise _Unsupported(f"invalid escape sequence: `{esc}`")
    return esc
