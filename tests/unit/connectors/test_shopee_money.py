"""Money at the Shopee boundary: floats in major units in, Money out, and back, exactly."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.shopee.mapping import money_from_shopee, money_to_shopee
from aiostore.domain.market import Currency
from aiostore.domain.money import Money

amounts = st.integers(min_value=0, max_value=10**12)


@given(amounts, st.sampled_from(list(Currency)))
def test_round_trip_through_json(amount: int, currency: Currency) -> None:
    money = Money(amount, currency)
    wire = json.loads(json.dumps({"original_price": money_to_shopee(money)}))["original_price"]
    assert money_from_shopee(wire, currency) == money


@given(amounts)
def test_idr_is_sent_whole(amount: int) -> None:
    assert isinstance(money_to_shopee(Money(amount, Currency.IDR)), int)


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        (150000, Currency.IDR, 150000),
        (150000.0, Currency.IDR, 150000),
        (12.9, Currency.SGD, 1290),
        (29.90, Currency.MYR, 2990),
        ("19.99", Currency.SGD, 1999),
        (0.1 + 0.2 - 0.3 + 1.1, Currency.SGD, 110),
    ],
)
def test_reads_shopee_prices(value: object, currency: Currency, minor: int) -> None:
    assert money_from_shopee(value, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        (150000.5, Currency.IDR),
        (12.345, Currency.SGD),
        (None, Currency.SGD),
        (True, Currency.IDR),
        ("x", Currency.MYR),
    ],
)
def test_refuses_what_is_not_a_price(value: object, currency: Currency) -> None:
    with pytest.raises(UnexpectedResponse):
        money_from_shopee(value, currency)


def test_sgd_float_prints_two_decimals_at_most() -> None:
    assert json.dumps(money_to_shopee(Money(1290, Currency.SGD))) == "12.9"
    assert Decimal(json.dumps(money_to_shopee(Money(1999, Currency.SGD)))) == Decimal("19.99")
