"""The reports page: three tabs, a GET filter form, money per market, both languages, one org only."""

from __future__ import annotations

import json
import re

from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.pages.conftest import get_page, squash
from tests.integration.reports.seed import RANGE, seed


async def test_sales_tab_totals_per_currency_and_its_chart_data(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    resp = await get_page(owner, f"/reports?{RANGE}&compare=true")
    assert resp.status_code == 200
    text = squash(resp.text)
    assert "Rp 210.000" in text and "RM45.00" in text  # each currency as its market writes it
    assert "25%" in text  # the cancel rate of rupiah orders
    assert 'href="/reports"' in resp.text  # in the navigation
    charts = re.findall(r'<script type="application/json" id="(chart-sales-\w+)">(.*?)</script>', resp.text)
    data = {name: json.loads(body) for name, body in charts}
    assert data["chart-sales-IDR"]["values"] == [100000.0, 70000.0, 40000.0]
    assert data["chart-sales-MYR"]["labels"] == ["2026-11-03"]
    assert "<script>" not in resp.text  # no inline script


async def test_products_and_operations_tabs_in_indonesian(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    products = squash(
        (await get_page(owner, f"/reports?tab=products&{RANGE}", **{"Accept-Language": "id"})).text
    )
    assert "Paling cepat habis" in products and "KAOS-1" in products and "+CELANA-1" in products
    assert "Hari stok cukup" in products
    operations = squash((await get_page(owner, f"/reports?tab=operations&{RANGE}")).text)
    assert "stock exceeds limit (2)" in operations and "Toko A" in operations


async def test_bad_filters_are_shown_beside_their_field(
    db: Database, owner: Caller, other_org: Caller
) -> None:
    theirs = await seed(db, other_org)
    reversed_range = await get_page(owner, "/reports?from=2026-11-07&to=2026-11-01")
    assert reversed_range.status_code == 422
    assert 'id="e-to"' in reversed_range.text
    foreign = await get_page(owner, f"/reports?{RANGE}&shop={theirs.shop_a}")
    assert foreign.status_code == 422
    assert 'id="e-shop"' in foreign.text and "Toko A" not in foreign.text
    bad_day = await get_page(owner, "/reports?from=yesterday")
    assert bad_day.status_code == 422 and 'id="e-from"' in bad_day.text


async def test_sales_by_sku_shows_the_ranked_items_and_their_chart(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    resp = await get_page(owner, f"/reports?{RANGE}&group=sku&period=month&sort=units")
    assert resp.status_code == 200
    text = squash(resp.text)
    assert "Items 1 to 2 of 2" in text and "1. KAOS-1" in text and "2. " in text
    assert 'rel="next"' not in resp.text  # every item fits on the page
    charts = re.findall(r'<script type="application/json" id="(chart-[\w-]+)">(.*?)</script>', resp.text)
    data = {name: json.loads(body) for name, body in charts}
    assert data["chart-items"]["labels"][0] == "KAOS-1"
    past = squash((await get_page(owner, f"/reports?{RANGE}&group=sku&offset=20")).text)
    assert (
        "All others" in past
        and 'rel="prev"' in (await get_page(owner, f"/reports?{RANGE}&group=sku&offset=20")).text
    )
    bad = await get_page(owner, f"/reports?{RANGE}&group=sku&sort=revenue")
    assert bad.status_code == 422 and 'id="e-sort"' in bad.text  # two currencies, no reporting one
