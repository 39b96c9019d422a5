"""Money: integer minor units, currency precision enforced, arithmetic never loses a unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.market import MARKETS, Currency, MarketCode, market
from aiostore.domain.money import Money, MoneyError

currencies = st.sampled_from(list(Currency))
amounts = st.integers(min_value=-(10**10), max_value=10**10)  # within every currency's MAX_MAJOR


@given(amounts, currencies)
def test_major_round_trip(amount: int, currency: Currency) -> None:
    money = Money(amount, currency)
    assert Money.from_major(money.to_major(), currency) == money
    assert Money.from_major(str(money.to_major()), currency) == money


@given(amounts, amounts, currencies)
def test_add_sub_inverse(a: int, b: int, currency: Currency) -> None:
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) - y == x
    assert x + y == y + x


@given(
    amounts.filter(lambda a: a >= 0),
    st.lists(st.integers(0, 100), min_size=1, max_size=8).filter(any),
    currencies,
)
def test_allocate_loses_nothing(amount: int, ratios: list[int], currency: Currency) -> None:
    parts = Money(amount, currency).allocate(ratios)
    assert sum(p.amount for p in parts) == amount
    assert len(parts) == len(ratios)


@given(st.integers(0, 10**9), st.integers(1, 9))
def test_idr_refuses_any_fraction(whole: int, frac: int) -> None:
    with pytest.raises(MoneyError, match="no minor unit"):
        Money.from_major(f"{whole}.{frac}", Currency.IDR)


@given(st.integers(0, 10**7), st.integers(1, 9))
def test_sgd_myr_refuse_third_decimal(whole: int, digit: int) -> None:
    for cur in (Currency.SGD, Currency.MYR):
        with pytest.raises(MoneyError, match="2 decimal places"):
            Money.from_major(f"{whole}.00{digit}", cur)


def test_trailing_zeros_are_fine() -> None:
    assert Money.from_major("150000.00", "IDR") == Money(150000, Currency.IDR)
    assert Money.from_major("12.900", "SGD") == Money(1290, Currency.SGD)
    assert str(Money(1290, Currency.SGD)) == "12.90 SGD"
    assert Money(1290, Currency.MYR).to_major() == Decimal("12.90")


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "", "1e"])
def test_not_a_number(bad: str) -> None:
    with pytest.raises(MoneyError):
        Money.from_major(bad, "SGD")


def test_floats_and_mixed_currencies_refused() -> None:
    with pytest.raises(MoneyError):
        Money.from_major(12.9, "SGD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="currency mismatch"):
        Money(1, Currency.SGD) + Money(1, Currency.MYR)
    with pytest.raises(MoneyError):
        Money(1.5, Currency.SGD)  # type: ignore[arg-type]


def test_markets_in_one_place() -> None:
    assert market("ID").currency is Currency.IDR and market(MarketCode.ID).time_zone == "Asia/Jakarta"
    assert market("SG").currency is Currency.SGD
    assert market("MY").currency is Currency.MYR and market("MY").tz.key == "Asia/Kuala_Lumpur"
    assert set(MARKETS) == {MarketCode.ID, MarketCode.SG, MarketCode.MY}
