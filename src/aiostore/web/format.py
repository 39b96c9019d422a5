"""One formatter per request: numbers, money and dates in the reader's language, times in the market's zone.

Money is written the way its home market writes it, whatever the page's language (a seller reading the
English pages still sees `Rp 1.234.568` for rupiah, `RM1,234,567.50` for ringgit); numbers and dates
follow the page's language (`Sabtu, 7 November 2026`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from aiostore.domain.market import MARKETS, Currency, MarketCode
from aiostore.domain.money import Money

# How each currency is written in its home market (locale, pattern; None keeps the locale's own).
_MONEY: dict[Currency, tuple[str, str | None]] = {
    Currency.IDR: ("id_ID", "¤\u00a0#,##0"),  # Rp 1.234.568: rupiah has no minor unit in use
    Currency.MYR: ("ms_MY", None),  # RM1,234,567.50
    Currency.SGD: ("en_SG", "S¤#,##0.00"),  # S$1,234.50 (the bare $ of Singapore is ambiguous)
}
_BABEL_LOCALE = {"en": "en", "id": "id_ID"}
_LONG_DATE = "EEEE, d MMMM y"  # Saturday, 7 November 2026 / Sabtu, 7 November 2026


def market_zone(market: str | None) -> ZoneInfo:
    if market in MarketCode.__members__.values():
        return MARKETS[MarketCode(str(market))].tz
    return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Formatter:
    lang: str
    default_market: str | None = None  # for times with no market of their own (jobs, audit)

    @property
    def locale(self) -> str:
        return _BABEL_LOCALE.get(self.lang, "en")

    def money(self, amount: int, currency: str) -> str:
        """Minor units of `currency` as its market writes them."""
        cur = Currency(currency)
        locale, pattern = _MONEY[cur]
        major = Money(amount, cur).to_major()
        return format_currency(
            major, cur.value, format=pattern, locale=locale, currency_digits=cur is not Currency.IDR
        )

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        """A ratio (0.25) as the reader's language writes a percentage (25%, 25%); empty for none."""
        return "" if value is None else format_percent(value, "#,##0.#%", locale=self.locale)

    def count(self, value: int | None) -> str:
        """A number, or a dash where there is none (a before-state of an unknown SKU)."""
        return "—" if value is None else self.number(value)

    def major(self, value: str | None, currency: str) -> str:
        """An amount written in major units (`"12.90"`, as change sets keep prices) as its market writes
        it, or a dash where there is none."""
        if value is None or not currency:
            return "—"
        return self.money(Money.from_major(value, Currency(currency)).amount, currency)

    def _zone(self, market: str | None) -> ZoneInfo:
        return market_zone(market or self.default_market)

    def date(self, value: dt.datetime | None, market: str | None = None) -> str:
        """`Sabtu, 7 November 2026`: the day in the market's time zone."""
        if value is None:
            return ""
        return format_date(_aware(value).astimezone(self._zone(market)), _LONG_DATE, locale=self.locale)

    def day(self, value: dt.date) -> str:
        """A calendar day (already in its market's calendar): `Sabtu, 7 November 2026`."""
        return format_date(value, _LONG_DATE, locale=self.locale)

    def datetime(self, value: dt.datetime | None, market: str | None = None) -> str:
        """Date and time to the minute, in the market's time zone (its abbreviation shown)."""
        if value is None:
            return ""
        local = _aware(value).astimezone(self._zone(market))
        return format_datetime(local, "d MMM y HH:mm zzz", locale=self.locale)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
