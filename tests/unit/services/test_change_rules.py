"""The pure rules of change sets: stock never goes below zero unseen, money never loses precision."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aiostore.db.models import Variant
from aiostore.domain.market import Currency, MarketCode, market
from aiostore.domain.money import MAX_MAJOR, Money
from aiostore.services.changes import price, stock
from aiostore.services.changes.core import Draft
from aiostore.services.changes.schemas import MAX_UNITS, ChangePolicy, PriceItemIn, StockItemIn

POLICY = ChangePolicy()
units = st.integers(0, MAX_UNITS)


@given(
    on_hand=units,
    reserved=units,
    buffer=units,
    change=st.one_of(
        st.builds(lambda v: {"set": v}, st.integers(-MAX_UNITS, MAX_UNITS)),
        st.builds(lambda v: {"delta": v}, st.integers(-MAX_UNITS, MAX_UNITS)),
    ),
    new_buffer=st.none() | units,
)
def test_stock_is_never_planned_below_zero_without_an_error(
    on_hand: int, reserved: int, buffer: int, change: dict[str, int], new_buffer: int | None
) -> None:
    item = StockItemIn(sku="A", safety_buffer=new_buffer, **change)
    draft = Draft(seq=0, sku="A")
    stock.plan(draft, item, stock.state(on_hand, reserved, buffer), POLICY)
    assert draft.after is not None
    errors = [f.code for f in draft.findings if f.severity == "error"]
    if draft.after["on_hand"] < 0:
        assert errors == ["negative_stock"]
    else:
        assert errors == []
        assert draft.after["available"] >= 0
        expected = change.get("set", on_hand + change.get("delta", 0))
        assert draft.after["on_hand"] == expected


@pytest.mark.parametrize(
    ("old", "new", "large"),
    [
        (10, 99, False),
        (10, 100, True),
        (100, 10, True),
        (100, 11, False),
        (0, 9_999, False),
        (0, 10_000, True),
    ],
)
def test_a_large_change_at_its_edges(old: int, new: int, large: bool) -> None:
    draft = Draft(seq=0, sku="A")
    stock.plan(draft, StockItemIn(sku="A", set=new), stock.state(old, 0, 0), POLICY)
    assert ("large_change" in [f.code for f in draft.findings]) is large


def _price_draft(code: MarketCode, value: str, old: str | None = None) -> Draft:
    draft = Draft(seq=0, sku="A", market=code.value)
    draft.before = {"currency": market(code).currency.value, "price": old, "sale_price": None, "shops": []}
    item = PriceItemIn(sku="A", market=code, price=Decimal(value))
    price.check(draft, item, Variant(sku="A"), None, POLICY)
    return draft


@given(code=st.sampled_from(list(MarketCode)), data=st.data())
def test_a_price_keeps_every_minor_unit(code: MarketCode, data: st.DataObject) -> None:
    currency = market(code).currency
    top = MAX_MAJOR[currency] * 10**currency.exponent
    amount = data.draw(st.integers(1, top))
    text = str(Money(amount, currency).to_major())
    draft = _price_draft(code, text)
    assert draft.after is not None and [f.code for f in draft.findings] == []
    assert Money.from_major(draft.after["price"], currency).amount == amount
    assert draft.after["price"] == text


@given(code=st.sampled_from(list(MarketCode)), amount=st.integers(1, 10**9), extra=st.integers(1, 9))
def test_a_price_with_more_decimals_than_its_currency_is_refused(
    code: MarketCode, amount: int, extra: int
) -> None:
    currency = market(code).currency
    text = f"{Money(amount, currency).to_major()}{'.' if currency is Currency.IDR else ''}{extra}"
    draft = _price_draft(code, text)
    assert [f.code for f in draft.findings] == ["invalid_precision"] and draft.after is None


@given(old=st.integers(1, 10**9), new=st.integers(1, 10**9))
def test_a_price_change_warning_is_exact(old: int, new: int) -> None:
    draft = _price_draft(MarketCode.ID, str(new), old=str(old))
    warned = "large_price_change" in [f.code for f in draft.findings]
    assert warned is (Fraction(abs(new - old), old) > Fraction(1, 2))


def test_stock_items_name_what_is_wrong() -> None:
    with pytest.raises(ValidationError) as both:
        StockItemIn(sku="A", set=1, delta=1)
    assert both.value.errors()[0]["type"] == "set_and_delta"
    with pytest.raises(ValidationError) as neither:
        StockItemIn(sku="A")
    assert neither.value.errors()[0]["type"] == "nothing_to_change"
    assert StockItemIn(sku="A", safety_buffer=2).safety_buffer == 2
