"""Sales by product or SKU: the top items with their series, the others summed, the item count; paging,
the sort (revenue only in one currency or in the reporting currency), bad options, and exports of every
item."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.reports.seed import RANGE, seed

SKUS = f"/api/reports/sales?{RANGE}&period=month&group=sku"


def _sums(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for r in rows:
        units, revenue = out.get(r["currency"], (0, 0))
        out[r["currency"]] = (units + r["units"], revenue + r["revenue"]["amount_minor"])
    return out


def _field(resp: Any) -> tuple[int, str, str]:
    body = resp.json()
    return resp.status_code, body["errors"][0]["field"], body["errors"][0]["code"]


async def test_the_top_item_its_series_and_the_others_add_up_to_the_totals(
    db: Database, owner: Caller
) -> None:
    await seed(db, owner)
    whole = (await owner.get(SKUS)).json()
    assert whole["ranking"] == {"sort": "units", "limit": 50, "offset": 0, "items": 2}
    assert whole["others"] == []
    # KAOS-1 sold the most units, then by units the rest (ties by key)
    assert [r["rank"] for r in whole["rows"]][:1] == [1] and whole["rows"][0]["key"] == "KAOS-1"
    top = (await owner.get(f"{SKUS}&limit=1")).json()
    assert {r["key"] for r in top["rows"]} == {"KAOS-1"} and {r["rank"] for r in top["rows"]} == {1}
    assert top["ranking"]["items"] == 2 and top["others"]
    totals = {t["currency"]: (t["units"], t["revenue"]["amount_minor"]) for t in top["totals"]}
    assert _sums(top["rows"] + top["others"]) == totals  # nothing lost, nothing counted twice
    second = (await owner.get(f"{SKUS}&limit=1&offset=1")).json()
    assert {r["rank"] for r in second["rows"]} == {2}
    assert second["rows"] == [r for r in whole["rows"] if r["rank"] == 2]
    past_the_end = (await owner.get(f"{SKUS}&limit=5&offset=10")).json()
    assert past_the_end["rows"] == [] and _sums(past_the_end["others"]) == totals
    # grouped by shop there is no ranking
    assert (await owner.get(f"/api/reports/sales?{RANGE}&group=shop")).json()["ranking"] is None


async def test_revenue_ranks_in_one_currency_or_the_reporting_one(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    assert _field(await owner.get(f"{SKUS}&sort=revenue")) == (422, "sort", "needs_reporting_currency")
    rupiah = (await owner.get(f"{SKUS}&sort=revenue&market=ID")).json()
    revenue = [(r["rank"], r["revenue"]["amount_minor"]) for r in rupiah["rows"]]
    assert revenue == sorted(revenue, key=lambda x: x[0]) and revenue[0][1] == max(v for _, v in revenue)
    sheet = {
        "reporting_currency": "MYR",
        "rates": [{"currency": "IDR", "valid_from": "2026-10-01", "rate": "0.0003"}],
    }
    assert (await owner.put("/api/reports/rates", json=sheet)).status_code == 200
    ranked = (await owner.get(f"{SKUS}&sort=revenue&limit=1")).json()
    assert ranked["ranking"]["sort"] == "revenue" and {r["key"] for r in ranked["rows"]} == {"KAOS-1"}
    by_orders = (await owner.get(f"{SKUS}&sort=orders")).json()
    orders = [r["orders"] for r in sorted(by_orders["rows"], key=lambda r: r["rank"])]
    assert orders == sorted(orders, reverse=True)


async def test_bad_ranking_options_name_the_field(owner: Caller) -> None:
    assert _field(await owner.get(f"{SKUS}&limit=0"))[:2] == (422, "limit")
    assert _field(await owner.get(f"{SKUS}&limit=501"))[:2] == (422, "limit")
    assert _field(await owner.get(f"{SKUS}&offset=-1"))[:2] == (422, "offset")
    assert _field(await owner.get(f"{SKUS}&sort=price"))[:2] == (422, "sort")


async def test_an_export_keeps_every_item(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    resp = await owner.get(f"{SKUS}&limit=1&format=csv")
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len({r["sku"] for r in rows}) == 2  # every item, not only the first
    assert sorted({r["rank"] for r in rows}) == ["1", "2"]
    assert "others" not in {r["label"] for r in rows}
