"""Numbers as people type them in spreadsheets of the region: `1.234.567` and `1.234,50` (Indonesian),
`1,234,567.50` (English), plain `1234.5`.

A value is accepted only when it has one reading:
- both `.` and `,`: the last one is the decimal mark, the other groups thousands (groups of three);
- one kind of mark, repeated: it groups thousands (`1.234.567`, `1,234,567`);
- one mark, once, followed by other than three digits: the decimal mark (`12,5`, `1234.50`);
- one mark, once, followed by exactly three digits (`1.234`, `1,234`): a whole count reads it as
  thousands either way (a stock of 1.234 units cannot be meant); an amount reads it by its currency's
  own convention (IDR writes `.` for thousands, so `1.234` is 1234; SGD and MYR write `,`), and the
  other mark is refused as ambiguous.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aiostore.domain.market import Currency
from aiostore.domain.money import Money, MoneyError

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"^(?:rp\.?|idr|s\$|sgd|rm|myr)", re.IGNORECASE)
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}
_DIGITS = re.compile(r"\d+")
MAX_CHARS = 40
MAX_COUNT = 1_000_000_000
# The thousands mark each currency's own sellers write.
THOUSANDS: dict[Currency, str] = {Currency.IDR: ".", Currency.SGD: ",", Currency.MYR: ","}


class NumberError(ValueError):
    """A cell that is not a number of the kind wanted; `code` names the reason."""

    def __init__(self, message: str, code: str = "invalid_number") -> None:
        super().__init__(message)
        self.code = code


def _clean(text: str) -> tuple[str, str]:
    value = _SPACES.sub("", text.strip())
    value = _CURRENCY.sub("", value)
    sign = ""
    if value[:1] in "+-":
        sign, value = value[:1], value[1:]
    if not value or len(value) > MAX_CHARS:
        raise NumberError(f"{text.strip()[:MAX_CHARS]!r} is not a number")
    return sign, value


def _whole(part: str, mark: str, text: str) -> str:
    if _DIGITS.fullmatch(part):
        return part
    if _GROUPED[mark].fullmatch(part):
        return part.replace(mark, "")
    raise NumberError(f"{text!r} is not a number: thousands are grouped by three ('1{mark}234{mark}567')")


def parse_decimal_text(text: str, *, thousands: str | None) -> Decimal:
    """The decimal a cell's text means. `thousands` is the mark read as thousands when one mark is
    followed by exactly three digits (`.`, `,`), or None where that is ambiguous (refused)."""
    shown = text.strip()[:MAX_CHARS]
    sign, value = _clean(text)
    dots, commas = value.count("."), value.count(",")
    if dots and commas:
        decimal_mark = "." if value.rfind(".") > value.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _, fraction = value.rpartition(decimal_mark)
        if decimal_mark in whole or not _DIGITS.fullmatch(fraction):
            raise NumberError(f"{shown!r} is not a number")
        return Decimal(f"{sign}{_whole(whole, group_mark, shown)}.{fraction}")
    mark = "." if dots else "," if commas else ""
    if not mark:
        if not _DIGITS.fullmatch(value):
            raise NumberError(f"{shown!r} is not a number")
        return Decimal(f"{sign}{value}")
    if value.count(mark) > 1:
        return Decimal(f"{sign}{_whole(value, mark, shown)}")
    whole, _, fraction = value.partition(mark)
    if not _DIGITS.fullmatch(whole or "0") or not _DIGITS.fullmatch(fraction):
        raise NumberError(f"{shown!r} is not a number")
    if len(fraction) == 3 and whole:
        if thousands is None or (thousands != mark and thousands != "*"):
            raise NumberError(
                f"{shown!r} is ambiguous (is {mark!r} a thousands or a decimal mark?): "
                f"write {whole}{fraction} if it means thousands",
                "ambiguous_number",
            )
        return Decimal(f"{sign}{whole}{fraction}")
    return Decimal(f"{sign}{whole or '0'}.{fraction}")


def parse_count(value: object) -> int:
    """A whole number of units from a cell (text in either convention, or a spreadsheet number)."""
    if isinstance(value, bool):
        raise NumberError("not a number (a TRUE/FALSE cell)")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))
    else:
        number = parse_decimal_text(str(value), thousands="*")
    if not number.is_finite() or abs(number) > MAX_COUNT:
        raise NumberError(f"{_shown(value)!r} is out of range (at most {MAX_COUNT:,})", "out_of_range")
    if number != number.to_integral_value():
        raise NumberError(f"{_shown(value)!r} is not a whole number", "not_whole")
    return int(number)


def parse_amount(value: object, currency: Currency) -> Decimal:
    """An amount in `currency`'s major units, with its precision checked (IDR: whole rupiah)."""
    if isinstance(value, bool):
        raise NumberError("not a number (a TRUE/FALSE cell)")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():
            raise NumberError(f"{_shown(value)!r} is not a number")
    else:
        number = parse_decimal_text(str(value), thousands=THOUSANDS[currency])
    try:
        money = Money.from_major(number, currency)
    except MoneyError as exc:
        raise NumberError(str(exc), exc.code) from exc
    if money.amount < 0:
        raise NumberError("a price cannot be negative", "negative")
    return money.to_major()


def _shown(value: object) -> str:
    return str(value).strip()[:MAX_CHARS]
