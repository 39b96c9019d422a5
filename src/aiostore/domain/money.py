"""Money: integer minor units plus an ISO currency. Never floats.

Parsing from decimal major units (the API's and the platforms' representation) refuses a value
with more digits than the currency's minor unit allows, so ``150000.5 IDR`` is an error, not a rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from aiostore.domain.market import Currency


class MoneyError(ValueError):
    """A money value that cannot be represented in its currency."""


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
            raise MoneyError("pass money as a decimal string, not a float")
        try:
            dec = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
        except InvalidOperation as exc:
            raise MoneyError(f"{value!r} is not a decimal number") from exc
        if not dec.is_finite():
            raise MoneyError("amount must be a finite number")
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
