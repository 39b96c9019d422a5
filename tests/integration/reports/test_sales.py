"""The sales report on a hand-built organisation: market days, currencies kept apart, rates, comparison."""

from __future__ import annotations

from typing import Any

from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.reports.seed import RANGE, seed


def _by_currency(figures: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["currency"]: f for f in figures}


async def test_totals_per_currency_with_rates_and_the_previous_period(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    resp = await owner.get(f"/api/reports/sales?{RANGE}&compare=true")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    totals = _by_currency(body["totals"])
    assert set(totals) == {"IDR", "MYR"}  # never one sum across currencies
    idr, myr = totals["IDR"], totals["MYR"]
    # orders 1, 2, 3 (cancelled) and 6; order 7 is on 8 Nov in Jakarta, order 8 in the previous period
    assert (idr["orders"], idr["cancelled"], idr["returned"], idr["units"]) == (3, 1, 0, 5)
    assert idr["revenue"]["amount_minor"] == 210_000
    assert idr["average_order_value"]["amount_minor"] == 70_000
    assert (idr["cancel_rate"], idr["return_rate"]) == (0.25, 0.0)
    assert (myr["orders"], myr["returned"], myr["units"], myr["revenue"]["amount"]) == (2, 1, 3, "45.00")
    assert myr["return_rate"] == 0.5
    assert body["reporting"] is None  # no reporting currency set
    previous = _by_currency(body["previous"])
    assert list(previous) == ["IDR"]
    assert (previous["IDR"]["orders"], previous["IDR"]["revenue"]["amount_minor"]) == (1, 10_000)
    assert body["previous_filter"] == {
        "start": "2026-10-25",
        "end": "2026-10-31",
        "shops": [],
        "markets": [],
        "products": [],
    }


async def test_an_order_at_half_past_eleven_in_jakarta_is_that_day(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    body = (await owner.get(f"/api/reports/sales?{RANGE}&market=ID")).json()
    days = {r["bucket"]: r for r in body["rows"]}
    assert sorted(days) == ["2026-11-01", "2026-11-02", "2026-11-07"]
    assert days["2026-11-01"]["revenue"]["amount_minor"] == 100_000  # 16:30 UTC on 1 Nov: 23:30 in Jakarta
    assert days["2026-11-02"]["revenue"]["amount_minor"] == 70_000  # 17:30 UTC on 1 Nov: 00:30 in Jakarta
    assert days["2026-11-02"]["cancelled"] == 1
    assert days["2026-11-07"]["units"] == 1  # 23:59 in Jakarta; the order at 00:01 on 8 Nov is left out


async def test_by_week_month_shop_platform_product_and_sku(db: Database, owner: Caller) -> None:
    ids = await seed(db, owner)
    week = (await owner.get(f"/api/reports/sales?{RANGE}&period=week&market=ID")).json()["rows"]
    assert [(r["bucket"], r["revenue"]["amount_minor"]) for r in week] == [
        ("2026-10-26", 100_000),  # Sunday 1 Nov belongs to the ISO week from Monday 26 Oct
        ("2026-11-02", 110_000),
    ]
    month = (await owner.get(f"/api/reports/sales?{RANGE}&period=month")).json()["rows"]
    assert [(r["bucket"], r["currency"]) for r in month] == [("2026-11-01", "IDR"), ("2026-11-01", "MYR")]
    shops = (await owner.get(f"/api/reports/sales?{RANGE}&period=month&group=shop")).json()["rows"]
    assert {(r["key"], r["label"], r["revenue"]["amount_minor"]) for r in shops} == {
        (str(ids.shop_a), "Toko A (ID)", 170_000),
        (str(ids.shop_b), "Kedai B (MY)", 4_500),
        (str(ids.shop_c), "=Toko C (ID)", 40_000),
    }
    platforms = (await owner.get(f"/api/reports/sales?{RANGE}&period=month&group=platform")).json()["rows"]
    assert {(r["key"], r["orders"]) for r in platforms} == {("shopee", 2), ("lazada", 2), ("tokopedia", 1)}
    products = (await owner.get(f"/api/reports/sales?{RANGE}&period=month&group=product&market=ID")).json()
    assert {
        (r["label"], r["orders"], r["units"], r["revenue"]["amount_minor"]) for r in products["rows"]
    } == {
        ("Kaos", 3, 4, 190_000),
        ('=HYPERLINK("http://x")', 1, 1, 20_000),
    }
    # an order with two products counts once in the totals
    assert _by_currency(products["totals"])["IDR"]["orders"] == 3
    skus = (await owner.get(f"/api/reports/sales?{RANGE}&period=month&group=sku&shop={ids.shop_b}")).json()
    assert {(r["key"], r["units"], r["returned"]) for r in skus["rows"]} == {
        ("KAOS-1", 3, 0),
        ("+CELANA-1", 0, 1),
    }


async def test_filters_by_shop_and_product(db: Database, owner: Caller) -> None:
    ids = await seed(db, owner)
    body = (await owner.get(f"/api/reports/sales?{RANGE}&shop={ids.shop_a}&product={ids.p2}")).json()
    totals = _by_currency(body["totals"])
    assert list(totals) == ["IDR"]
    assert (totals["IDR"]["orders"], totals["IDR"]["revenue"]["amount_minor"]) == (1, 20_000)
    assert body["filter"]["shops"] == [str(ids.shop_a)]


async def test_totals_in_the_reporting_currency_say_which_rates(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    sheet = {
        "reporting_currency": "IDR",
        "rates": [
            {"currency": "MYR", "valid_from": "2026-10-01", "rate": "3500"},
            {"currency": "MYR", "valid_from": "2026-11-03", "rate": "3600.5"},
            {"currency": "MYR", "valid_from": "2026-11-04", "rate": "9999"},
        ],
    }
    put = await owner.put("/api/reports/rates", json=sheet)
    assert put.status_code == 200, put.text
    body = (await owner.get(f"/api/reports/sales?{RANGE}")).json()
    reporting = body["reporting"]
    # 210,000 IDR + RM45.00 at 3600.5 (the rate of 3 Nov) = 210,000 + 162,022.5 -> 372,022 (half to even)
    assert reporting["revenue"]["amount_minor"] == 372_022
    assert reporting["rates_used"] == [
        {"currency": "MYR", "valid_from": "2026-11-03", "rate": "3600.5000000000"}
    ]
    assert reporting["missing_rates"] == []
    assert _by_currency(body["totals"])["MYR"]["revenue"]["amount_minor"] == 4_500  # still itself too


async def test_a_day_without_a_rate_withholds_the_converted_total(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    sheet = {
        "reporting_currency": "SGD",
        "rates": [{"currency": "IDR", "valid_from": "2026-11-02", "rate": "0.0001"}],
    }
    assert (await owner.put("/api/reports/rates", json=sheet)).status_code == 200
    reporting = (await owner.get(f"/api/reports/sales?{RANGE}")).json()["reporting"]
    assert reporting["revenue"] is None
    assert reporting["missing_rates"] == [
        {"currency": "IDR", "from": "2026-11-01"},
        {"currency": "MYR", "from": "2026-11-03"},
    ]
