"""Money: integer minor units plus an ISO currency. Never floats.

Parsing from decimal major units (the API's and the platforms' representation) refuses a value
with more digits than the currency's minor unit allows, so ``150000.5 IDR`` is an error, not a rounding.
It is bounded before any arithmetic: the text is at most ``MAX_DECIMAL_CHARS`` characters with an
exponent of at most three digits (``1e999999`` never becomes a million-digit integer), and the amount
lies within ``MAX_MAJOR`` of its currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from aiostore.domain.market import Currency

MAX_DECIMAL_CHARS = 40
MAX_DIGITS = 28  # significant digits: the default Decimal context keeps them all exact
# The largest amount, in major units, that a price, a cost or an order total may have (bigint-safe).
MAX_MAJOR: dict[Currency, int] = {
    Currency.IDR: 10_000_000_000_000,
    Currency.SGD: 10_000_000_000,
    Currency.MYR: 10_000_000_000,
}
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?(\d+))?")


class MoneyError(ValueError):
    """A money value that cannot be represented in its currency; `code` names the reason."""

    def __init__(self, message: str, code: str = "invalid_precision") -> None:
        super().__init__(message)
        self.code = code


def parse_decimal(value: str | int | Decimal) -> Decimal:
    """A bounded decimal from text, an int or a Decimal; MoneyError("invalid_number") otherwise.

    Cheap whatever the input: the text is matched before Decimal sees it, and the result has at most
    MAX_DIGITS significant digits and an exponent within ±(MAX_DIGITS + MAX_DECIMAL_CHARS).
    """
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise MoneyError("pass an amount as a decimal string", "invalid_number")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise MoneyError("the amount is too large", "out_of_range")
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        match = _DECIMAL.fullmatch(text[: MAX_DECIMAL_CHARS + 1])
        if match is None:
            raise MoneyError(f"{text[:MAX_DECIMAL_CHARS]!r} is not a decimal number", "invalid_number")
        if len(text) > MAX_DECIMAL_CHARS or len(match.group(1) or "") > 3:
            raise MoneyError("the amount has too many digits", "out_of_range")
        value = Decimal(text)
    if not value.is_finite():
        raise MoneyError("amount must be a finite number", "invalid_number")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # noqa: S101  (finite)
    limit = MAX_DIGITS + MAX_DECIMAL_CHARS
    if len(digits) > MAX_DIGITS or not -limit <= exponent <= limit:
        raise MoneyError("the amount has too many digits", "out_of_range")
    return value


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount: int  # minor units
    currency: Currency

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise MoneyError("amount must be an integer number of minor units")

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls(0, currency)

    @classmethod
    def from_major(cls, value: str | int | Decimal, currency: Currency | str) -> Money:
        """Parse a decimal amount in major units, refusing excess precision."""
        cur = Currency(currency)
        if isinstance(value, float):
            raise MoneyError("pass money as a decimal string, not a float", "invalid_number")
        dec = parse_decimal(value)
        if dec.copy_abs() > MAX_MAJOR[cur]:
            raise MoneyError(f"{cur.value} amounts may be at most {MAX_MAJOR[cur]:,}", "out_of_range")
        scaled = dec.scaleb(cur.exponent)
        if scaled != scaled.to_integral_value():
            if cur.exponent == 0:
                raise MoneyError(f"{cur.value} has no minor unit: use a whole number")
            raise MoneyError(f"{cur.value} allows at most {cur.exponent} decimal places")
        return cls(int(scaled), cur)

    def to_major(self) -> Decimal:
        """The amount in major units, with exactly the currency's number of decimals."""
        exp = self.currency.exponent
        return Decimal(self.amount).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))

    def __str__(self) -> str:
        return f"{self.to_major()} {self.currency.value}"

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency.value} vs {other.currency.value}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by an integer quantity")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split without losing a minor unit (largest remainder goes first)."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise MoneyError("ratios must be non-negative and not all zero")
        total = sum(ratios)
        shares = [self.amount * r // total for r in ratios]
        remainder = self.amount - sum(shares)
        for i in range(remainder):
            shares[i % len(shares)] += 1
        return [Money(s, self.currency) for s in shares]
