"""Seller-centre edits against the real sandboxes: a price edited in the shop is reported, then adopted
(through a committed price change set) or overwritten per the organisation's policy or a person's
choice; the reconciliation keeps to its read budget and goes on where it stopped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiostore.domain.market import market as market_of
from aiostore.worker import runtime
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.reconcile_support import findings, linked_shop, reconcile
from tests.integration.sync.test_propagation import sellable


def _major(market: Market, platform: str, minor: int) -> str:
    currency = market_of(market.shops[platform].market).currency
    return str(Decimal(minor).scaleb(-currency.exponent).quantize(Decimal(1).scaleb(-currency.exponent)))


async def _edited_price(make_market: MarketFactory, platform: str) -> tuple[Market, Caller, Any, int, int]:
    """A linked unit whose price the seller raised by half in the seller centre: (market, owner, unit,
    our price, their price) in minor units."""
    market, owner = await make_market([platform])
    [unit] = await linked_shop(market, owner, platform, 1)
    h = market.shops[platform]
    ours = h.price_of(unit.item_id, unit.variant_id)
    theirs = ours + ours // 2
    h.set_unit(unit.item_id, unit.variant_id, price=theirs)
    return market, owner, unit, ours, theirs


async def test_a_price_edited_in_the_seller_centre_is_reported_then_adopted(
    make_market: MarketFactory,
) -> None:
    market, owner, unit, ours, theirs = await _edited_price(make_market, "tiktokshop")
    [result] = await reconcile(market)
    assert result["findings"]["price"] == 1 and result["policy_actions"] == 0  # `ask`: a person decides
    [found] = await findings(owner, kind="price", status="open")
    assert (found["cause"], found["ours"], found["theirs"]) == (
        "edit",
        _major(market, "tiktokshop", ours),
        _major(market, "tiktokshop", theirs),
    )
    assert market.shops["tiktokshop"].price_of(unit.item_id, unit.variant_id) == theirs  # nothing written

    resp = await owner.post(f"/api/reconciliation/findings/{found['id']}/resolve", json={"action": "adopt"})
    assert resp.status_code == 200, resp.text
    adopted = resp.json()
    assert adopted["status"] == "adopted" and adopted["resolved_by"] == str(owner.user_id)
    change = (await owner.get(f"/api/changesets/{adopted['change_set_id']}")).json()
    assert (change["kind"], change["status"]) == ("price", "committed")
    [item] = change["items"]
    assert (item["sku"], item["channel_account_id"]) == ("R-0", str(market.channel_ids["tiktokshop"]))
    await market.settle()
    assert market.shops["tiktokshop"].price_of(unit.item_id, unit.variant_id) == theirs
    [again] = await reconcile(market)
    assert again["findings"]["price"] == 0  # the shop's own price is now theirs

    twice = await owner.post(f"/api/reconciliation/findings/{found['id']}/resolve", json={"action": "ignore"})
    assert twice.status_code == 409 and twice.json()["code"] == "finding_not_open"
    audit = (await owner.get("/api/audit", params={"action": "reconciliation.resolved"})).json()["items"]
    assert [a["entity_id"] for a in audit] == [found["id"]]


async def test_the_overwrite_policy_sends_our_price_back(make_market: MarketFactory) -> None:
    market, owner, unit, ours, _ = await _edited_price(make_market, "shopee")
    refused = await owner.put("/api/reconciliation/policy", json={"price": "overwrite", "title": "overwrite"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "title"
    assert (await owner.get("/api/reconciliation/policy")).json()["price"] == "ask"  # nothing half applied
    resp = await owner.put("/api/reconciliation/policy", json={"price": "overwrite"})
    assert resp.status_code == 200 and resp.json() == {"price": "overwrite", "title": "ask", "status": "ask"}
    [result] = await reconcile(market)
    assert result["policy_actions"] == 1
    await market.settle()
    assert market.shops["shopee"].price_of(unit.item_id, unit.variant_id) == ours
    [found] = await findings(owner, kind="price")
    assert found["status"] == "overwritten" and found["resolved_by"] is None  # the system did it


async def test_the_adopt_policy_takes_the_price_without_a_person(make_market: MarketFactory) -> None:
    market, owner, unit, _, theirs = await _edited_price(make_market, "lazada")
    assert (await owner.put("/api/reconciliation/policy", json={"price": "adopt"})).status_code == 200
    await reconcile(market)
    [found] = await findings(owner, kind="price")
    assert found["status"] == "adopted" and found["change_set_id"]
    await market.settle()
    assert market.shops["lazada"].price_of(unit.item_id, unit.variant_id) == theirs


async def test_bad_resolutions_name_the_field(make_market: MarketFactory) -> None:
    market, owner, unit, _, _ = await _edited_price(make_market, "tokopedia")
    await reconcile(market)
    [title] = await findings(owner, kind="title")  # the shop's name differs from the master's
    bad = await owner.post(f"/api/reconciliation/findings/{title['id']}/resolve", json={"action": "undo"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"
    no_path = await owner.post(
        f"/api/reconciliation/findings/{title['id']}/resolve", json={"action": "overwrite"}
    )
    assert no_path.status_code == 422
    assert no_path.json()["errors"][0] == {
        "field": "action", "code": "not_supported",
        "message": "a title cannot be written to the platform yet (catalog publishing is planned)",
    }  # fmt: skip
    assert (await findings(owner, kind="title", status="open"))[0]["id"] == title["id"]
    ok = await owner.post(f"/api/reconciliation/findings/{title['id']}/resolve", json={"action": "ignore"})
    assert ok.status_code == 200 and ok.json()["status"] == "ignored"
    [again] = await reconcile(market)
    assert again["findings"]["title"] == 0  # the same difference, ignored, is not reported again
    listed = await owner.get("/api/reconciliation/findings", params={"kind": "colour"})
    assert listed.status_code == 422 and listed.json()["errors"][0]["field"] == "kind"


async def test_the_reconciliation_keeps_to_its_read_budget(make_market: MarketFactory) -> None:
    """Lazada reads by seller SKU, up to 50 products a call; a chunk still keeps back the calls its worst
    case would cost (one per item its SKU did not bring back, plus two), so the budget is never passed."""
    market, owner = await make_market(["lazada"], products=12, variants=1)
    units = await linked_shop(market, owner, "lazada", 12, on_hand=5)
    runtime.current().sync.settings.reconcile_read_calls = 5
    h = market.shops["lazada"]
    last = units[-1]
    h.set_unit(last.item_id, last.variant_id, stock=1)  # drift on the shop's last item
    before, pushed = _reads(h), await _read_back_calls(owner)
    by_id = h.call_count("/product/item/get")
    runs = await reconcile(market)  # newest first; the worker's own tick may go on in the same settle
    first = runs[-1]  # 5 calls: chunks of 3, 2 and 1 items, one call each
    assert (first["items_read"], first["items_left"], first["read_calls"]) == (6, 6, 3)
    if runs[0]["items_left"]:
        assert sellable(market, "lazada", (last.item_id, last.variant_id)) == 1  # not read yet
        runs = await reconcile(market) + runs
    assert runs[0]["items_left"] == 0  # the next run went on from where the first stopped
    assert [r["items_read"] for r in runs[-2:]] == [6, 6]
    assert all(r["read_calls"] <= 5 for r in runs)
    assert sellable(market, "lazada", (last.item_id, last.variant_id)) == 5  # found and repaired
    read_back = await _read_back_calls(owner) - pushed  # the repair's push read its item back
    assert _reads(h) - before == sum(r["read_calls"] for r in runs) + read_back
    assert h.call_count("/product/item/get") == by_id  # every item came back by its SKU


def _reads(h: Any) -> int:
    return int(h.call_count("/products/get") + h.call_count("/product/item/get"))


async def _read_back_calls(owner: Caller) -> int:
    reads = (await owner.get("/api/jobs", params={"kind": "readback"})).json()["items"]
    return sum(int(r["result"].get("read_calls", 0)) for r in reads if r["result"])
