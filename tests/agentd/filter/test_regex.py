from __future__ import annotations

import pytest

from agentd.filter.errors import FilterError
from agentd.filter.regex import compile_re2


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("^web-", "web-1", True),
        ("^web-", "api-web-1", False),
        ("end\\z", "the end", True),
        ("end\\z", "the end\n", False),
        ("[]a]", "]", True),
        ("[^]a]", "b", True),
        ("[(?=]", "=", True),  # inside a class these are literals
        ("\\d+", "\u0663", False),  # Go's \d is ASCII only
        ("\\101", "A", True),  # 3-digit octal escape
        ("a{2,1000}", "aa", True),
        ("(?i)WEB", "web", True),
    ],
)
def test_patterns(pattern: str, text: str, found: bool) -> None:
    assert (compile_re2(pattern).search(text) is not None) is found


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(", "missing ), unterminated subpattern"),
        ("a(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
        ("a(?!b)", "invalid or unsupported Perl syntax: `(?!`"),
        ("(?<=a)b", "invalid or unsupported Perl syntax: `(?<`"),
        ("(a)\\1", "invalid escape sequence: `\\1`"),
        ("a\\Z", "invalid escape sequence: `\\Z`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("a{1,99999999999}", "invalid repeat count"),
        ("\\pL", "bad escape \\p"),
    ],
)
def test_rejected(pattern: str, problem: str) -> None:
    with pytest.raises(FilterError) as err:
        compile_re2(pattern)
    assert err.value.message.startswith("Failed to compile regular expression ")
    assert problem in err.value.message


@pytest.mark.filterwarnings("error")
def test_python_future_warnings_are_not_raised() -> None:
    assert compile_re2("[[a]").search("[")
    assert compile_re2("[a&&b]").search("&")
