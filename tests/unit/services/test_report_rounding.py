"""The report's rounding (sales.half_even), which the CSV export repeats in SQL: exactly Python's round()
of the quotient, halves to even, including where a float quotient would be off."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aiostore.services.reports.sales import Figures, half_even


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_half_even_is_round_of_the_quotient(n: int, k: int) -> None:
    assert half_even(n, k) == round(n / k)


@given(st.integers(-(10**6), 10**6), st.integers(-(10**6), -1))
def test_a_negative_divisor_rounds_the_same(n: int, k: int) -> None:
    assert half_even(n, k) == round(n / k)


def test_halves_go_to_the_even_neighbour() -> None:
    assert [half_even(n, 2) for n in (1, 3, 5, -1, -3)] == [0, 2, 2, 0, -2]
    assert half_even(3015, 30) == 100  # 100.5


def test_rates_round_the_exact_ratio_to_4_decimals() -> None:
    assert Figures(placed=32, cancelled=1).cancel_rate == 0.0312  # 0.03125: to the even
    assert Figures(placed=32, cancelled=3).cancel_rate == 0.0938  # 0.09375
    # 0.00625 exactly: to the even 0.0062 (a float quotient is just above and rounded to 0.0063)
    assert Figures(placed=160, cancelled=1).cancel_rate == 0.0062
    assert Figures(placed=3, cancelled=1, returned=1).return_rate == 0.5
    assert Figures(placed=6, cancelled=1).cancel_rate == 0.1667
    assert (Figures().cancel_rate, Figures().return_rate, Figures().average_order_value) == (None, None, None)
