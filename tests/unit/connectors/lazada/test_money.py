"""Money at the Lazada boundary: decimals in major units in, Money out, and back, exactly."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.lazada.mapping import money_from_lazada, money_to_lazada
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.sandbox.common import parse_major, to_major

amounts = st.integers(min_value=0, max_value=10**12)


@given(amounts, st.sampled_from(list(Currency)))
def test_round_trip_through_a_payload(amount: int, currency: Currency) -> None:
    money = Money(amount, currency)
    assert money_from_lazada(money_to_lazada(money), currency) == money


@given(amounts, st.sampled_from(list(Currency)))
def test_round_trip_through_the_sandbox(amount: int, currency: Currency) -> None:
    """What we write the sandbox reads exactly; what it answers (a JSON float) we read exactly."""
    money = Money(amount, currency)
    exponent = currency.exponent
    assert parse_major(Decimal(money_to_lazada(money)), exponent) == amount
    wire = json.loads(json.dumps({"price": to_major(amount, exponent)}))["price"]
    assert money_from_lazada(wire, currency) == money


@given(amounts)
def test_idr_is_written_whole_and_others_with_two_decimals(amount: int) -> None:
    assert "." not in money_to_lazada(Money(amount, Currency.IDR))
    assert money_to_lazada(Money(amount, Currency.SGD)).split(".")[1].__len__() == 2


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("150000.00", Currency.IDR, 150000),
        (150000.0, Currency.IDR, 150000),
        ("1299.00", Currency.MYR, 129900),
        (12.9, Currency.SGD, 1290),
        ("19.99", Currency.SGD, 1999),
        (" 7 ", Currency.MYR, 700),
    ],
)
def test_reads_lazada_amounts(value: object, currency: Currency, minor: int) -> None:
    assert money_from_lazada(value, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("150000.5", Currency.IDR),
        ("12.345", Currency.SGD),
        (None, Currency.SGD),
        (True, Currency.IDR),
        ("x", Currency.MYR),
        ("", Currency.MYR),
    ],
)
def test_refuses_what_is_not_an_amount(value: object, currency: Currency) -> None:
    with pytest.raises(UnexpectedResponse):
        money_from_lazada(value, currency)
