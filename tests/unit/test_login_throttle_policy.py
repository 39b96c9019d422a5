"""The throttle's delays: none below the threshold, then doubling, capped."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from aiostore.services.login_throttle import ThrottlePolicy

POLICY = ThrottlePolicy(first_delay=timedelta(seconds=10), max_delay=timedelta(minutes=15))


def test_delays_double_from_the_threshold_up_to_the_cap() -> None:
    delays = [POLICY.delay(n, 5).total_seconds() for n in range(4, 14)]
    assert delays == [0, 10, 20, 40, 80, 160, 320, 640, 900, 900]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=1000))
def test_delay_never_shrinks_with_more_failures_and_never_exceeds_the_cap(
    failures: int, threshold: int
) -> None:
    now, more = POLICY.delay(failures, threshold), POLICY.delay(failures + 1, threshold)
    assert timedelta(0) <= now <= more <= POLICY.max_delay
