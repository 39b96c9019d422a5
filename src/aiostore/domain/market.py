"""Markets AIOStore serves: one place for currency, time zone and locale."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class Currency(StrEnum):
    IDR = "IDR"
    SGD = "SGD"
    MYR = "MYR"

    @property
    def exponent(self) -> int:
        """Digits after the decimal point in the currency's minor unit (ISO 4217)."""
        return _EXPONENTS[self]


_EXPONENTS: dict[Currency, int] = {Currency.IDR: 0, Currency.SGD: 2, Currency.MYR: 2}


class MarketCode(StrEnum):
    ID = "ID"
    SG = "SG"
    MY = "MY"


@dataclass(frozen=True, slots=True)
class Market:
    code: MarketCode
    name: str
    currency: Currency
    time_zone: str
    locale: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


MARKETS: dict[MarketCode, Market] = {
    MarketCode.ID: Market(MarketCode.ID, "Indonesia", Currency.IDR, "Asia/Jakarta", "id-ID"),
    MarketCode.SG: Market(MarketCode.SG, "Singapore", Currency.SGD, "Asia/Singapore", "en-SG"),
    MarketCode.MY: Market(MarketCode.MY, "Malaysia", Currency.MYR, "Asia/Kuala_Lumpur", "ms-MY"),
}


def market(code: MarketCode | str) -> Market:
    """The market for a code; raises KeyError for an unknown code."""
    found = MARKETS.get(code)  # type: ignore[arg-type]  # a StrEnum key is found by its plain str
    return found if found is not None else MARKETS[MarketCode(code)]
