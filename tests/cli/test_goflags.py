"""Go flag rules: parse (fast path) and normalise (Typer path) from one flag table."""

from __future__ import annotations

import pytest

from cli.goflags import (
    BOOL,
    DURATION,
    INT,
    LIST,
    STRING,
    UINT,
    Flag,
    HelpRequested,
    UsageError,
    normalise,
    parse,
)

FLAGS = [
    Flag("recurse", BOOL),
    Flag("separator", STRING, "/"),
    Flag("flags", UINT, 0),
    Flag("delta", INT, 0),
    Flag("wait", DURATION),
    Flag("tag", LIST),
    Flag("http-addr"),
]


@pytest.mark.parametrize(
    "argv",
    [
        ["-recurse", "-separator", ":", "-flags=3", "key"],
        ["--recurse", "--separator=:", "--flags", "3", "key"],
        ["-recurse=true", "-separator=:", "-flags=0x3", "key"],
        ["-recurse=1", "-separator", ":", "-flags=03", "--", "key"],
    ],
)
def test_spellings_agree(argv: list[str]) -> None:
    parsed = parse(argv, FLAGS)
    assert parsed.on("recurse") and parsed.text("separator") == ":" and parsed.num("flags") == 3
    assert parsed.args == ["key"]
    assert parsed.given == {"recurse", "separator", "flags"}


def test_defaults_and_accessors() -> None:
    parsed = parse([], FLAGS)
    assert not parsed.on("recurse") and parsed.text("separator") == "/"
    assert (
        parsed.num("flags") == 0 and parsed.items("tag") == [] and parsed.text("http-addr") is None
    )


def test_bool_false_and_bools_do_not_take_the_next_word() -> None:
    parsed = parse(["-recurse=false", "-recurse", "false"], FLAGS)
    assert parsed.on("recurse") and parsed.args == ["false"]
    assert not parse(["-recurse", "-recurse=F"], FLAGS).on("recurse")


def test_flags_stop_at_first_argument_and_dash_is_an_argument() -> None:
    parsed = parse(["key", "-recurse", "-5"], FLAGS)
    assert parsed.args == ["key", "-recurse", "-5"] and not parsed.on("recurse")
    assert parse(["-", "x"], FLAGS).args == ["-", "x"]
    assert parse(["--", "-recurse"], FLAGS).args == ["-recurse"]


def test_values_may_start_with_a_dash() -> None:
    assert parse(["-separator", "-x", "k"], FLAGS).text("separator") == "-x"
    assert parse(["-separator="], FLAGS).text("separator") == ""


def test_numbers_durations_and_lists() -> None:
    parsed = parse(["-flags=0b101", "-delta=-0x10", "-wait=1m30s", "-tag=a", "-tag", "b"], FLAGS)
    assert parsed.num("flags") == 5 and parsed.num("delta") == -16
    assert parsed.values["wait"] == 90.0 and parsed.items("tag") == ["a", "b"]
    assert parse(["-flags=1_000"], FLAGS).num("flags") == 1000


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-nope"], "flag provided but not defined: -nope"),
        (["-flags"], "flag needs an argument: -flags"),
        (["-flags=-1"], 'invalid value "-1" for flag -flags: parse error'),
        (["-flags=x"], 'invalid value "x" for flag -flags: parse error'),
        (["-flags=18446744073709551616"], 'invalid value "18446744073709551616" for flag -flags:'),
        (["-recurse=yes"], 'invalid boolean value "yes" for -recurse: parse error'),
        (["-wait=5"], 'invalid value "5" for flag -wait: time: missing unit in duration "5"'),
        (["---x"], "bad flag syntax: ---x"),
        (["-=x"], "bad flag syntax: -=x"),
    ],
)
def test_errors_are_gos(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse(argv, FLAGS)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("word", ["-h", "-help", "--help", "--h"])
def test_help(word: str) -> None:
    with pytest.raises(HelpRequested):
        parse(["-recurse", word], FLAGS)
    assert normalise([word], FLAGS) == ["--help"]


def test_help_flag_can_be_declared() -> None:
    assert parse(["-h"], [Flag("h", BOOL)]).on("h")


def test_normalise_emits_final_values_in_click_form() -> None:
    argv = ["--recurse", "-recurse=false", "-flags", "0x10", "-tag", "a", "-tag=b", "k", "-x"]
    assert normalise(argv, FLAGS) == ["-flags=16", "-tag=a", "-tag=b", "--", "k", "-x"]
    assert normalise(["-recurse", "-wait=90s"], FLAGS) == ["-recurse", "-wait=90.0s", "--"]


def test_normalise_uses_false_spelling_when_declared() -> None:
    flags = [Flag("archive", BOOL, True, click_names=("-archive", "-no-archive"))]
    assert normalise(["-archive=false"], flags) == ["-no-archive", "--"]
    with pytest.raises(ValueError, match="no false spelling"):
        normalise(["-x=false"], [Flag("x", BOOL, True)])


def test_unknown_kind_and_idents() -> None:
    with pytest.raises(ValueError):
        Flag("x", "float")
    assert Flag("http-addr").ident == "http_addr"


def test_keyword_names_get_a_usable_ident() -> None:
    assert Flag("try").ident == "try_"


def test_one_letter_flags_reach_click_as_two_words() -> None:
    # click reads "-n=2" as the value "=2" of a one-letter option.
    flags = [Flag("n", INT, 1), Flag("x", LIST)]
    assert normalise(["-n=2", "-x", "a", "p"], flags) == ["-n", "2", "-x", "a", "--", "p"]
