"""The products and operations reports on the hand-built organisation."""

from __future__ import annotations

from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.reports.seed import RANGE, seed


async def test_products_cover_sell_through_stockouts_and_slow_movers(db: Database, owner: Caller) -> None:
    ids = await seed(db, owner)
    resp = await owner.get(f"/api/reports/products?{RANGE}&window_days=7&slow_days=60")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    items = {i["sku"]: i for i in body["items"]}
    kaos, celana, topi = items["KAOS-1"], items["+CELANA-1"], items["TOPI-1"]
    # KAOS-1: 2 + 1 + 3 + 1 units kept (the cancelled order and the one of 8 Nov left out); 18 available
    assert (kaos["units"], kaos["window_units"], kaos["available"]) == (7, 7, 18)
    assert kaos["days_of_cover"] == 18.0  # 18 / (7 units / 7 days)
    assert kaos["sell_through"] == 0.28  # 7 / (7 + 18)
    # +CELANA-1: one unit kept (the returned one left out), nothing available; out twice
    assert (celana["units"], celana["available"], celana["days_of_cover"], celana["sell_through"]) == (
        1,
        0,
        0.0,
        1.0,
    )
    assert (celana["stockouts"], celana["lost_days"]) == (2, 3.5)  # 2 days + 1.5 days to the range's end
    assert topi["days_of_cover"] is None and topi["units"] == 0
    assert [i["sku"] for i in body["items"]] == ["+CELANA-1", "KAOS-1", "TOPI-1"]  # soonest out first
    assert [i["sku"] for i in body["best"]] == ["KAOS-1", "+CELANA-1"]
    assert [i["sku"] for i in body["worst"]][:1] == ["TOPI-1"]
    assert [i["sku"] for i in body["slow_movers"]] == ["TOPI-1"]
    assert [i["sku"] for i in body["stockouts"]] == ["+CELANA-1"]
    # a shorter window: only the sales of 5-7 Nov count for the cover (one unit of KAOS-1 in 3 days)
    short = (await owner.get(f"/api/reports/products?{RANGE}&window_days=3")).json()
    assert {i["sku"]: i["days_of_cover"] for i in short["items"]}["KAOS-1"] == 54.0
    # a product filter keeps that product's variants only
    one = (await owner.get(f"/api/reports/products?{RANGE}&product={ids.p1}")).json()
    assert [i["sku"] for i in one["items"]] == ["KAOS-1"]


async def test_a_stockout_that_began_before_the_range_counts_its_days_inside(
    db: Database, owner: Caller
) -> None:
    await seed(db, owner)
    body = (await owner.get("/api/reports/products?from=2026-11-04&to=2026-11-04")).json()
    celana = {i["sku"]: i for i in body["items"]}["+CELANA-1"]
    assert (celana["stockouts"], celana["lost_days"]) == (0, 1.0)  # out since 3 Nov: the whole of 4 Nov


async def test_operations_per_shop(db: Database, owner: Caller) -> None:
    ids = await seed(db, owner)
    resp = await owner.get(f"/api/reports/operations?{RANGE}")
    assert resp.status_code == 200, resp.text
    shops = {s["shop_id"]: s for s in resp.json()["shops"]}
    a, b, c = shops[str(ids.shop_a)], shops[str(ids.shop_b)], shops[str(ids.shop_c)]
    assert (a["pushes"], a["propagation_p50_s"], a["propagation_p95_s"]) == (2, 7.0, 9.7)
    assert a["last_pull_at"] == "2026-11-06T12:00:00Z"
    assert (b["push_failures"], b["failure_reasons"]) == (
        3,
        [{"error": "stock exceeds limit", "count": 2}, {"error": "item banned", "count": 1}],
    )
    assert b["pushes"] == 0 and b["propagation_p50_s"] is None and b["last_pull_at"] is None
    assert (c["oversold_orders"], c["refresh_expires_at"]) == (1, "2026-12-01T00:00:00Z")
    only = (await owner.get(f"/api/reports/operations?{RANGE}&market=MY")).json()["shops"]
    assert [s["shop_id"] for s in only] == [str(ids.shop_b)]
