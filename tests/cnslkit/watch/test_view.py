"""The blocking-query rules, without sockets or clocks."""

from __future__ import annotations

from cnslkit.watch.dependency import Fetched
from cnslkit.watch.view import RetryPolicy, ViewState


def test_first_answer_is_news_and_sets_the_index() -> None:
    view = ViewState()
    assert view.options(60, 0.0).index == 0
    assert view.on_success(Fetched("a", 5)) is True
    assert (view.index, view.data, view.has_data) == (5, "a", True)
    assert view.options(60, 1.0).index == 5


def test_same_index_is_no_change_even_with_other_data() -> None:
    view = ViewState()
    view.on_success(Fetched("a", 5))
    assert view.on_success(Fetched("b", 5)) is False
    assert view.data == "a"


def test_equal_data_at_a_new_index_is_suppressed() -> None:
    view = ViewState()
    view.on_success(Fetched(["x"], 5))
    assert view.on_success(Fetched(["x"], 9)) is False
    assert view.index == 9  # but the index moves on, so the next query blocks past it


def test_index_going_backwards_resets_to_zero() -> None:
    view = ViewState()
    view.on_success(Fetched("a", 50))
    assert view.on_success(Fetched("b", 7)) is False
    assert view.index == 0 and view.data == "a"
    assert view.on_success(Fetched("b", 7)) is True  # the non-blocking re-read takes it
    assert view.index == 7


def test_index_below_one_is_read_as_one() -> None:
    view = ViewState()
    assert view.on_success(Fetched(None, 0)) is True
    assert view.index == 1 and view.has_data and view.data is None
    assert view.options(60, 0).index == 1  # blocks, never spins on index 0


def test_a_none_answer_is_data_too() -> None:
    view = ViewState()
    view.on_success(Fetched("a", 3))
    assert view.on_success(Fetched(None, 4)) is True and view.data is None


def test_max_stale_retries_on_the_leader_when_last_contact_is_too_old() -> None:
    view = ViewState(max_stale=2.0)
    assert view.options(60, 0).stale is True
    assert view.on_success(Fetched("old", 5, last_contact=3.0)) is False
    assert not view.has_data
    assert view.options(60, 0).stale is False  # asked again of the leader
    assert view.on_success(Fetched("fresh", 6, last_contact=0.0)) is True
    assert view.options(60, 0).stale is True  # and stale reads resume
    assert view.on_success(Fetched("ok", 7, last_contact=1.9)) is True


def test_without_max_stale_reads_are_consistent() -> None:
    view = ViewState()
    assert view.options(60, 0).stale is False
    assert view.on_success(Fetched("a", 1, last_contact=100.0)) is True


def test_fetches_are_spaced_by_min_interval_plus_jitter() -> None:
    view = ViewState(min_interval=0.1, jitter=0.02)
    assert view.pause(0.0, 0.5) == 0.0  # nothing fetched yet
    view.options(60, 10.0)
    assert abs(view.pause(10.03, 0.5) - 0.08) < 1e-9
    assert view.pause(10.2, 0.5) == 0.0


def test_backoff_doubles_caps_and_gives_up() -> None:
    policy = RetryPolicy(attempts=5, backoff=0.25, max_backoff=1.0)
    assert [policy.delay(n, 0.0) for n in range(1, 6)] == [0.25, 0.5, 1.0, 1.0, 1.0]
    assert policy.delay(6, 0.0) is None
    assert policy.delay(1, 1.0) == 0.25 * 0.75  # jitter takes off up to a quarter
    assert RetryPolicy(attempts=0).delay(1000, 0.0) == 60.0  # 0 attempts: forever
    assert RetryPolicy(enabled=False).delay(1, 0.0) is None


def test_a_success_resets_the_failure_count() -> None:
    view = ViewState(retry=RetryPolicy(attempts=2, backoff=1.0))
    assert view.on_error(0.0) == 1.0
    assert view.on_error(0.0) == 2.0
    view.on_success(Fetched("a", 1))
    assert view.on_error(0.0) == 1.0
