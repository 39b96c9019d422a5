"""GCRA arithmetic of the shared quota: whatever the interleaving of processes and batches, and sends up
to ``jitter`` late, the platform's own token bucket (the sandboxes') never refuses a call; and a busy
bucket is used at its full rate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiostore.http.quota import Answers, ClockLink, Quota
from aiostore.sandbox.common.core import RateLimiter

STRETCH = 1 + 1e-9  # absorbs float rounding in the bucket arithmetic (a nanosecond a second)


def platform_refusals(sends: list[float], rate: float, burst: int) -> int:
    """How many of ``sends`` the sandbox's token bucket answers with a rate-limit error."""
    times = iter(sorted(sends))
    now = [0.0]
    bucket = RateLimiter(rate, burst, clock=lambda: now[0])
    refused = 0
    for t in times:
        now[0] = t * STRETCH
        refused += not bucket.acquire("shop")
    return refused


reservations = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=0.5),  # gap since the previous reservation (any process)
        st.integers(min_value=1, max_value=40),  # calls in the batch
        st.lists(st.floats(min_value=0, max_value=1), min_size=40, max_size=40),  # lateness, x jitter
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    rate=st.sampled_from([5.0, 40.0, 50.0, 100.0]),
    burst=st.integers(min_value=1, max_value=20),
    jitter=st.sampled_from([0.0, 0.01, 0.05]),
    plan=reservations,
)
def test_never_more_than_the_quota_in_any_window(
    rate: float, burst: int, jitter: float, plan: list[tuple[float, int, list[float]]]
) -> None:
    quota = Quota(rate, burst, jitter)
    tat, now, sends = 0.0, 0.0, []
    for gap, n, late in plan:
        now += gap
        tat, slots = quota.reserve(tat, now, n)
        sends += [slot + jitter * late[i] for i, slot in enumerate(slots)]
    assert platform_refusals(sends, rate, burst) == 0


@settings(max_examples=50, deadline=None)
@given(rate=st.sampled_from([5.0, 100.0]), burst=st.integers(1, 20), batch=st.integers(1, 50))
def test_a_busy_bucket_runs_at_the_quota(rate: float, burst: int, batch: int) -> None:
    quota = Quota(rate, burst)
    tat, calls = 0.0, 0
    last: list[float] = []
    while calls < 1000:
        tat, last = quota.reserve(tat, 0.0, batch)  # everything asked at once, as by many workers
        calls += batch
    # the burst goes at once, then one call every 1/rate: calls-burst intervals for the rest
    assert last[-1] == pytest.approx((calls - burst) / rate)


def test_an_idle_bucket_refills_to_the_burst_not_beyond() -> None:
    quota = Quota(10.0, 3)
    tat, slots = quota.reserve(0.0, 100.0, 5)
    assert slots == pytest.approx([100.0, 100.0, 100.0, 100.1, 100.2])
    assert tat == pytest.approx(100.5)


@pytest.mark.parametrize(("rate", "burst", "jitter"), [(0, 1, 0), (1, 0, 0), (-1, 5, 0), (1, 1, -0.1)])
def test_bad_quota_refused(rate: float, burst: int, jitter: float) -> None:
    with pytest.raises(ValueError, match="rate must be"):
        Quota(rate, burst, jitter)


def test_the_clock_link_keeps_the_tightest_bounds_and_maps_late_never_early() -> None:
    link = ClockLink(window=30.0)
    link.observe(sent=100.0, db=1000.0, received=100.2)  # a slow round trip: offset in [-900, -899.8]
    link.observe(sent=101.0, db=1001.05, received=101.06)  # a fast one narrows it to [-900, -899.99]
    assert (link.low, link.high) == pytest.approx((-900.0, -899.99))
    assert link.local(1002.0) == pytest.approx(102.01)  # at most 10 ms late, never early
    assert link.spread == pytest.approx(0.01)


def test_the_clock_link_forgets_old_samples_and_starts_again_when_clocks_step() -> None:
    link = ClockLink(window=1.0)
    link.observe(0.0, 10.0, 0.01)
    link.observe(5.0, 15.0, 5.5)  # the first sample is older than the window: only this one counts
    assert (link.low, link.high) == pytest.approx((-10.0, -9.5))
    link.observe(5.6, 20.0, 5.61)  # the database's clock stepped 5 s ahead: the bounds no longer meet
    assert (link.low, link.high) == pytest.approx((-14.4, -14.39))


def test_an_answer_is_overdue_only_against_the_fastest_recent_one() -> None:
    answers = Answers(slack=0.025)
    assert not answers.overdue(0.5)  # nothing to compare with yet
    assert not answers.overdue(0.2)
    assert not answers.overdue(0.22)  # within the slack of the fastest
    assert answers.overdue(0.3)
    assert not answers.overdue(0.21)


class _ScannedLink:
    """The clock link as first written: every sample of the window scanned at each observation."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.samples: list[tuple[float, float, float]] = []
        self.low, self.high = float("-inf"), float("inf")

    def observe(self, sent: float, db: float, received: float) -> None:
        self.samples = [s for s in self.samples if s[0] >= received - self.window]
        self.samples.append((received, sent - db, received - db))
        self.low = max(low for _, low, _ in self.samples)
        self.high = min(high for _, _, high in self.samples)
        if self.low > self.high:
            self.samples = [self.samples[-1]]
            self.low, self.high = sent - db, received - db


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 2.0),  # time since the previous round trip was sent
            st.floats(0.0, 0.3),  # the round trip's length (answers come in the order observed)
            st.floats(0.0, 1.0),  # where in it the database read its clock
            st.sampled_from([0.0, 0.0, 0.0, 5.0, -3.0]),  # now and then the database's clock steps
        ),
        max_size=60,
    )
)
def test_the_clock_links_bounds_are_those_of_every_sample_in_its_window(
    trips: list[tuple[float, float, float, float]],
) -> None:
    link, scanned = ClockLink(window=3.0), _ScannedLink(window=3.0)
    now, step, received = 0.0, 1000.0, 0.0
    for gap, length, at, jump in trips:
        now += gap
        step += jump
        sent, received = now, max(received, now + length)  # observed as answered: in loop-time order
        db = sent + at * length + step
        link.observe(sent, db, received)
        scanned.observe(sent, db, received)
        assert (link.low, link.high) == (scanned.low, scanned.high)
