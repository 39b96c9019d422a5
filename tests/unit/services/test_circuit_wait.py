"""When work refused by an open circuit runs again: at the circuit's probe time, spread over a tenth of
the breaker's recovery time so that the jobs waiting for one circuit do not all meet its probe."""

from __future__ import annotations

import random

from aiostore.services.sync.jobs import circuit_wait


def test_the_wait_is_the_circuits_plus_a_spread() -> None:
    rng = random.Random(7)
    waits = [circuit_wait(12.0, 30.0, rng) for _ in range(200)]
    assert all(12.0 <= w <= 15.0 for w in waits)
    assert max(waits) - min(waits) > 2.0  # spread over the tenth, not bunched at the probe


def test_an_unknown_wait_is_the_recovery_time_and_a_past_one_is_now() -> None:
    rng = random.Random(7)
    assert all(30.0 <= circuit_wait(None, 30.0, rng) <= 33.0 for _ in range(50))
    assert all(0.0 <= circuit_wait(-4.0, 30.0, rng) <= 3.0 for _ in range(50))
