"""The sales report's JSON writes money exactly as MoneyOut does (Money.to_major, the currency's decimals)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.services.reports.tables import major
from aiostore.web.routes.report_models import _major


@given(amount=st.integers(-(10**15), 10**15), currency=st.sampled_from(list(Currency)))
def test_major_units_as_money_writes_them(amount: int, currency: Currency) -> None:
    assert _major(amount, currency.exponent) == str(Money(amount, currency).to_major())


@given(amount=st.integers(-(10**15), 10**15), currency=st.sampled_from(list(Currency)))
def test_export_cells_hold_money_as_money_writes_it(amount: int, currency: Currency) -> None:
    cell = major(amount, currency.value)
    expected = Money(amount, currency).to_major()
    assert cell == expected and str(cell) == str(expected)  # the same decimals too
