"""Reconciliation against the real sandboxes: drift made directly in a shop (as a seller-centre edit) is
found and repaired through the push path; a write the platform accepts and does not apply (a
promotion's stock lock) is flagged by the push's read-back and not written again and again."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from aiostore.db.models import AlertState, Listing
from aiostore.services.alerts import evaluate
from aiostore.services.reconciliation import readback
from aiostore.services.sync.push_items import key_of
from aiostore.worker import runtime
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS, Market
from tests.integration.sync.reconcile_support import findings, linked_shop, reconcile
from tests.integration.sync.test_circuit_wait import _due
from tests.integration.sync.test_propagation import sellable


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_stock_drift_made_in_the_shop_is_found_and_repaired(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market([platform])
    [unit, other] = await linked_shop(market, owner, platform, 2, on_hand=10)
    key = (unit.item_id, unit.variant_id)
    assert [r["findings"]["stock"] for r in await reconcile(market)] == [0]  # nothing drifted yet

    market.shops[platform].set_unit(*key, stock=3)  # the seller types 3 in the seller centre
    [result] = await reconcile(market)
    assert (result["findings"]["stock"], result["repairs"]) == (1, 1)
    assert sellable(market, platform, key) == 10  # repaired: the master's number, pushed again
    assert sellable(market, platform, (other.item_id, other.variant_id)) == 10
    [found] = await findings(owner, kind="stock")
    assert (found["cause"], found["ours"], found["theirs"], found["sku"]) == ("drift", "10", "3", "R-0")
    assert found["status"] == "repaired"  # the repair's read-back saw 10
    pushes = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    read = (await _read_backs(owner))[0]  # the repair's push asked for its read-back, a job of its own
    assert pushes[0]["result"]["readback_job"] == read["id"]
    assert (read["status"], read["result"]["not_applied"]) == ("succeeded", 0)


async def test_repairs_per_run_are_capped_and_the_rest_follow(make_market: MarketFactory) -> None:
    market, owner = await make_market(["tokopedia"])
    runtime.current().sync.settings.reconcile_max_repairs = 1
    units = await linked_shop(market, owner, "tokopedia", 3, on_hand=6)
    h = market.shops["tokopedia"]
    for u in units:
        h.set_unit(u.item_id, u.variant_id, stock=1)
    first = (await reconcile(market))[0]
    assert (first["findings"]["stock"], first["repairs"]) == (3, 1)
    assert sorted(sellable(market, "tokopedia", (u.item_id, u.variant_id)) for u in units) == [1, 1, 6]
    waiting = await findings(owner, kind="stock", status="open")
    assert len(waiting) == 2 and all("cap" in (f["detail"] or "") for f in waiting)
    await reconcile(market)
    await reconcile(market)
    assert [sellable(market, "tokopedia", (u.item_id, u.variant_id)) for u in units] == [6, 6, 6]
    assert await findings(owner, kind="stock", status="open") == []


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_stock_write_accepted_and_not_applied_is_flagged(
    make_market: MarketFactory, platform: str
) -> None:
    market, owner = await make_market([platform])
    [unit] = await linked_shop(market, owner, platform, 1, on_hand=10)
    key = (unit.item_id, unit.variant_id)
    h = market.shops[platform]
    h.lock_stock(*key)  # a flash sale locks the stock on the platform
    variant = (await owner.get("/api/products", params={"q": "R-0"})).json()["items"][0]["variants"][0]
    resp = await owner.put(f"/api/variants/{variant['id']}/inventory", json={"on_hand": 4})
    assert resp.status_code == 200, resp.text
    await market.settle()
    assert h.unit(*key).stock == 10  # the platform said yes and kept 10
    push = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"][0]
    second, first = (await _read_backs(owner))[:2]  # stock seen different is looked at twice
    assert push["status"] == "succeeded" and push["result"]["readback_job"] == first["id"]
    assert first["status"] == "succeeded" and (
        first["result"]["not_applied"],
        first["result"]["looked_again"],
    ) == (0, 1)
    assert second["status"] == "succeeded" and second["result"]["not_applied"] == 1
    [found] = await findings(owner, kind="stock")
    assert (found["cause"], found["ours"], found["theirs"], found["status"]) == (
        "not_applied",
        "4",
        "10",
        "open",
    )
    assert found["source"] == "readback"
    [alert] = await _open_alerts(market, "stock_drift")  # the read-back asked for the rules at once
    assert (alert.subject["cause"], alert.subject["platform_stock"], alert.subject["sku"]) == (
        "not_applied",
        10,
        "R-0",
    )

    # the reconciliation sees the same difference: it keeps the finding and does not write again
    calls = h.call_count()
    [result] = await reconcile(market)
    assert (result["repairs"], result["findings"]["not_applied"]) == (0, 1)
    [again] = await findings(owner, kind="stock")
    assert (again["id"], again["cause"], again["seen_count"]) == (found["id"], "not_applied", 2)
    assert h.unit(*key).stock == 10 and h.call_count() - calls == result["read_calls"]

    # the campaign ends; the seller asks to write ours again: applied, read back, repaired
    h.lock_stock(*key, locked=False)
    resolved = await owner.post(
        f"/api/reconciliation/findings/{found['id']}/resolve", json={"action": "overwrite"}
    )
    assert resolved.status_code == 200, resolved.text
    await market.settle()
    assert h.unit(*key).stock == 4
    [done] = await findings(owner, kind="stock")
    assert done["status"] == "repaired"
    async with market.db.transaction(market.org_id) as session:  # the every-minute evaluation
        await evaluate.evaluate_org(session, market.org_id, market.settings)
    assert await _open_alerts(market, "stock_drift") == []  # cleared with the finding


async def test_the_writes_of_a_burst_are_read_back_once_by_one_job(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    await linked_shop(market, owner, "shopee", 2, on_hand=10)
    async with market.db.transaction(market.org_id) as session:
        a, b = (
            await session.execute(
                select(
                    Listing.id,
                    Listing.platform_item_id,
                    Listing.platform_model_id,
                    Listing.channel_account_id,
                )
                .where(Listing.variant_id.is_not(None))
                .order_by(Listing.platform_sku)
            )
        ).all()
    settings, org = runtime.current().sync.settings, market.org_id
    shop = market.channel_ids["shopee"]
    first, second = readback.Written(), readback.Written()
    first.stock[key_of(a)] = (a.id, 7)  # written, then written again with 10 before the read-back ran
    second.stock |= {key_of(a): (a.id, 10), key_of(b): (b.id, 10)}
    before = len(await _read_backs(owner))
    asked = []
    for written in (first, second):
        async with market.db.transaction(market.org_id) as session:
            push = uuid.uuid4()
            asked.append(await readback.request(session, settings, org, shop, push, written))
    assert asked[0] == asked[1] and asked[0] is not None  # the second push joined the waiting job
    await market.settle()
    reads = await _read_backs(owner)
    assert len(reads) == before + 1 and reads[0]["id"] == str(asked[0])
    result = reads[0]["result"]  # each listing read once, against its latest write: nothing flagged
    assert (result["pushes"], result["checked"], result["not_applied"]) == (2, 2, 0)
    assert await findings(owner, kind="stock") == []

    async with market.db.transaction(market.org_id) as session:  # nothing written: no job
        assert await readback.request(session, settings, org, shop, push, readback.Written()) is None
        settings.readback_read_calls = 2  # no read fits the budget: no job either
        assert await readback.request(session, settings, org, shop, push, second) is None


async def _read_backs(owner: Caller) -> list[dict[str, Any]]:
    """The read-back jobs, newest first."""
    found: list[dict[str, Any]] = (await owner.get("/api/jobs", params={"kind": "readback"})).json()["items"]
    return found


async def _open_alerts(market: Market, kind: str) -> list[AlertState]:
    async with market.db.transaction(market.org_id) as s:
        found = await s.scalars(
            select(AlertState).where(AlertState.kind == kind, AlertState.cleared_at.is_(None))
        )
        return list(found.all())


async def test_a_read_back_that_fails_leaves_the_push_done(make_market: MarketFactory) -> None:
    market, owner = await make_market(["tokopedia"])
    [unit] = await linked_shop(market, owner, "tokopedia", 1, on_hand=10)
    h = market.shops["tokopedia"]
    h.set_faults({"endpoint_error_rates": {"product/info": 1.0}})  # every read answers 500
    variant = (await owner.get("/api/products", params={"q": "R-0"})).json()["items"][0]["variants"][0]
    assert (
        await owner.put(f"/api/variants/{variant['id']}/inventory", json={"on_hand": 6})
    ).status_code == 200
    await market.settle()
    assert h.unit(unit.item_id, unit.variant_id).stock == 6  # written
    pushes = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    assert all(p["status"] == "succeeded" for p in pushes)  # the failed reads fail no push
    reads = await _read_backs(owner)
    assert reads and all(r["status"] == "succeeded" for r in reads)  # nor their own job
    failed_reads = [r["result"] for r in reads if "error" in r["result"]]
    assert failed_reads and all(r["checked"] == 0 for r in failed_reads)
    assert {r["error"] for r in failed_reads} <= {"PlatformUnavailable", "CircuitOpen"}
    assert await findings(owner, kind="stock") == []  # nothing flagged from a read that failed


async def test_lazada_reads_back_a_burst_by_seller_sku_in_one_call(make_market: MarketFactory) -> None:
    """Lazada's /product/item/get reads one product a call; the read-back asks /products/get for the
    written listings' seller SKUs instead, 50 products a call: six products written, one read."""
    market, owner = await make_market(["lazada"], products=6, variants=1)
    units = await linked_shop(market, owner, "lazada", 6, on_hand=10)
    h = market.shops["lazada"]
    by_id, listed = h.call_count("/product/item/get"), h.call_count("/products/get")
    for n in range(6):
        variant = (await owner.get("/api/products", params={"q": f"R-{n}"})).json()["items"][0]["variants"][0]
        resp = await owner.put(f"/api/variants/{variant['id']}/inventory", json={"on_hand": 3})
        assert resp.status_code == 200, resp.text
    await market.settle()
    assert [h.unit(u.item_id, u.variant_id).stock for u in units] == [3] * 6
    read = (await _read_backs(owner))[0]
    assert read["status"] == "succeeded", read
    assert (read["result"]["checked"], read["result"]["not_applied"], read["result"]["read_calls"]) == (
        6,
        0,
        1,
    )
    assert h.call_count("/product/item/get") == by_id
    assert h.call_count("/products/get") == listed + 1


@pytest.mark.parametrize("platform", ["tiktokshop", "tokopedia"])
async def test_a_sale_on_the_platform_before_our_intake_has_it_is_no_refusal(
    make_market: MarketFactory, platform: str
) -> None:
    """TikTok Shop and Tokopedia take a paid order's unit from the stock we wrote (Shopee and Lazada hold
    it inside the stock they show), before our intake has the order when its webhook is late: the
    read-back sees one unit fewer. That is looked at again; by then the order came in and its push
    wrote the listing again, so nothing is flagged and no alert is raised."""
    market, owner = await make_market([platform])
    [unit] = await linked_shop(market, owner, platform, 1, on_hand=10)
    runtime.current().sync.settings.readback_delay_seconds = 60  # each look runs when the test says
    h, key = market.shops[platform], (unit.item_id, unit.variant_id)
    variant = (await owner.get("/api/products", params={"q": "R-0"})).json()["items"][0]["variants"][0]
    resp = await owner.put(f"/api/variants/{variant['id']}/inventory", json={"on_hand": 4})
    assert resp.status_code == 200, resp.text
    await market.settle(leave_after=30)
    assert h.unit(*key).stock == 4
    h.push_to(None)  # the sale's webhook is late
    h.place_order([(*key, 1)])
    assert sellable(market, platform, key) == 3

    [first] = (await _read_backs(owner))[:1]
    await _due(market, first)
    await market.settle(leave_after=30)
    first, *_ = [r for r in await _read_backs(owner) if r["id"] == first["id"]]
    assert (first["result"]["not_applied"], first["result"]["looked_again"]) == (0, 1), first["result"]
    assert await findings(owner, kind="stock") == []

    pulled = await owner.post(
        "/api/sync/pull",
        json={"channel_account_ids": [str(market.channel_ids[platform])], "kinds": ["orders"]},
    )
    assert pulled.status_code == 202, pulled.text
    await market.settle(leave_after=30)  # the order, its stock and its push (3: the platform's own)
    second = (await _read_backs(owner))[0]
    assert second["id"] != first["id"]
    await _due(market, second)
    await market.settle(leave_after=30)
    second = next(r for r in await _read_backs(owner) if r["id"] == second["id"])
    assert second["status"] == "succeeded" and second["result"]["not_applied"] == 0, second["result"]
    assert await findings(owner, kind="stock") == []
    assert await _open_alerts(market, "stock_drift") == []
