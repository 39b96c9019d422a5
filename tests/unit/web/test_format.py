"""Money, numbers and dates per locale, in the market's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aiostore.web.format import Formatter
from aiostore.web.pages.deps import safe_next


@pytest.mark.parametrize("lang", ["en", "id"])
def test_money_is_written_as_its_market_writes_it(lang: str) -> None:
    fmt = Formatter(lang)
    assert fmt.money(1_234_568, "IDR") == "Rp\u00a01.234.568"
    assert fmt.money(123_456_750, "MYR") == "RM1,234,567.50"
    assert fmt.money(1_290, "SGD") == "S$12.90"
    assert fmt.money(-5_000, "IDR") == "-Rp\u00a05.000"


def test_numbers_and_dates_follow_the_page_language() -> None:
    assert Formatter("en").number(1234567) == "1,234,567"
    assert Formatter("id").number(1234567) == "1.234.567"
    assert Formatter("id").day(date(2026, 11, 7)) == "Sabtu, 7 November 2026"
    assert Formatter("en").day(date(2026, 11, 7)) == "Saturday, 7 November 2026"


def test_times_are_shown_in_the_markets_zone() -> None:
    late = datetime(2026, 11, 7, 20, 30, tzinfo=UTC)  # already Sunday in Jakarta and Kuala Lumpur
    assert Formatter("id").date(late, "ID") == "Minggu, 8 November 2026"
    assert Formatter("en").date(late, "MY") == "Sunday, 8 November 2026"
    assert Formatter("en", default_market="SG").datetime(late).startswith("8 Nov 2026 04:30")
    assert Formatter("en").datetime(late).startswith("7 Nov 2026 20:30")  # no market: UTC
    assert Formatter("id").datetime(None) == ""
    naive = datetime(2026, 11, 7, 20, 30)  # stored times are UTC
    assert Formatter("id").date(naive, "ID") == "Minggu, 8 November 2026"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/shops?x=1", "/shops?x=1"),
        (None, "/overview"),
        ("", "/overview"),
        ("shops", "/overview"),
        ("//evil.example", "/overview"),
        ("/\\evil.example", "/overview"),
        ("https://evil.example/", "/overview"),
        ("/ok#frag", "/ok#frag"),
    ],
)
def test_only_local_pages_are_gone_back_to(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected
