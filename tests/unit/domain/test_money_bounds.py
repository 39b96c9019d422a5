"""The bounded decimal parser: whatever the text, it answers at once with a small number or MoneyError.

"Never slow" is checked by what the parser lets through (a bounded number of digits and a bounded
exponent, so no later arithmetic can build a huge integer), not by a clock.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiostore.domain.market import Currency
from aiostore.domain.money import (
    MAX_DECIMAL_CHARS,
    MAX_DIGITS,
    MAX_MAJOR,
    Money,
    MoneyError,
    parse_decimal,
)

currencies = st.sampled_from(list(Currency))


@given(st.data(), currencies)
def test_round_trip_over_the_whole_range(data: st.DataObject, currency: Currency) -> None:
    limit = MAX_MAJOR[currency] * 10**currency.exponent
    minor = data.draw(st.integers(-limit, limit))
    money = Money(minor, currency)
    assert Money.from_major(str(money.to_major()), currency) == money


@given(currencies, st.integers(1, 10**6))
def test_one_minor_unit_beyond_the_range_is_out_of_range(currency: Currency, extra: int) -> None:
    over = Money(MAX_MAJOR[currency] * 10**currency.exponent + extra, currency)
    with pytest.raises(MoneyError) as caught:
        Money.from_major(str(over.to_major()), currency)
    assert caught.value.code == "out_of_range"


@given(st.integers(0, 10**6), st.integers(1, 9), st.integers(1, 20))
def test_precision_edges(whole: int, last: int, zeros: int) -> None:
    assert Money.from_major(f"{whole}.{'0' * 1}{last}", "SGD").amount == whole * 100 + last
    assert Money.from_major(f"{whole}.{last}{'0' * zeros}", "MYR").amount == whole * 100 + last * 10
    with pytest.raises(MoneyError) as caught:
        Money.from_major(f"{whole}.00{last}", "SGD")
    assert caught.value.code == "invalid_precision"


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(max_size=80),
        st.from_regex(r"\A[+-]?\d{0,60}(\.\d{0,60})?([eE][+-]?\d{1,9})?\Z"),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
    )
)
def test_anything_is_refused_or_small(value: str | Decimal | int) -> None:
    try:
        parsed = parse_decimal(value)
    except MoneyError as exc:
        assert exc.code in ("invalid_number", "out_of_range")
        return
    sign, digits, exponent = parsed.as_tuple()
    assert isinstance(exponent, int)
    assert len(digits) <= MAX_DIGITS and abs(exponent) <= MAX_DIGITS + MAX_DECIMAL_CHARS


@pytest.mark.parametrize("text", ["1e999999", "1e1000000", "-1E+99999999", "9" * 100, "1e-999999"])
def test_reproductions_are_out_of_range(text: str) -> None:
    with pytest.raises(MoneyError) as caught:
        Money.from_major(text, "IDR")
    assert caught.value.code == "out_of_range"


@pytest.mark.parametrize("value", [1.5, True, None, [1], "1_000", "0x10", "1e", " ", "Infinity", "NaN"])
def test_not_decimal_text_is_invalid_number(value: object) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_decimal(value)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_number"
