"""Allocation rules and promotion reservations through the API, and "why this number".

Viewers read, operators write; bad input names its field; another org's shop or variant is a 404; a
change is audited, marks the affected listings dirty and queues their push; the explain's steps add up
to the number a push sends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from aiostore.db.models import ChannelAccount, Inventory, Listing, Order, OrderLine
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, product_body


@dataclass
class Shops:
    variant: str
    other_variant: str
    shopee: str  # counts its own open orders' units in its stock
    tokopedia: str
    listings: dict[str, str]  # platform -> listing of `variant`


async def _shops(db: Database, owner: Caller) -> Shops:
    product = (await owner.post("/api/products", json=product_body("ALLOC"))).json()
    variant, other = (uuid.UUID(v["id"]) for v in product["variants"])
    listings: dict[str, str] = {}
    ids: dict[str, str] = {}
    async with db.transaction(owner.org_id, owner.user_id) as s:
        for platform in ("shopee", "tokopedia"):
            shop = ChannelAccount(
                org_id=owner.org_id,
                platform=platform,
                market="ID",
                shop_id=platform,
                shop_name=f"{platform} ID",
            )
            s.add(shop)
            await s.flush()
            ids[platform] = str(shop.id)
            for v, item in ((variant, "1"), (other, "2")):
                listing = Listing(
                    org_id=owner.org_id, channel_account_id=shop.id, variant_id=v, platform_item_id=item
                )
                s.add(listing)
                await s.flush()
                if v == variant:
                    listings[platform] = str(listing.id)
    return Shops(str(variant), str(other), ids["shopee"], ids["tokopedia"], listings)


async def _dirty(db: Database, owner: Caller) -> set[tuple[str, str]]:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        rows = (
            await s.execute(select(Listing.channel_account_id, Listing.variant_id).where(Listing.stock_dirty))
        ).all()
        await s.execute(text("UPDATE listings SET stock_dirty = false"))
    return {(str(c), str(v)) for c, v in rows}


async def _queued_pushes(db: Database, owner: Caller) -> set[str]:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        rows = await s.execute(
            text("SELECT args->>'channel_id' FROM procrastinate_jobs WHERE task_name = 'sync.push_stock'")
        )
        return {r[0] for r in rows.all()}


def _explained(body: dict, shop: str) -> dict:  # type: ignore[type-arg]
    return next(item for item in body["listings"] if item["channel_account_id"] == shop)


async def test_operator_sets_rules_viewer_reads_and_the_sku_rule_wins(
    app: FastAPI, db: Database, owner: Caller
) -> None:
    w = await _shops(db, owner)
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    shop_url = f"/api/channels/{w.tokopedia}/allocation-rule"
    assert (await viewer.get(shop_url)).status_code == 404  # none yet
    await _dirty(db, owner)

    put = await operator.put(shop_url, json={"share_percent": 50, "cap": 3})
    assert put.status_code == 200, put.text
    assert put.json() | {"id": None, "updated_at": None} == {
        "id": None,
        "updated_at": None,
        "channel_account_id": w.tokopedia,
        "variant_id": None,
        "scope": "shop",
        "share_percent": 50,
        "cap": 3,
        "keep_last": None,
        "keep_for_channel_id": None,
    }
    # Every listing of that shop must be pushed again, and its push is queued (not the other shop's).
    assert await _dirty(db, owner) == {(w.tokopedia, w.variant), (w.tokopedia, w.other_variant)}
    assert w.tokopedia in await _queued_pushes(db, owner)
    assert (await viewer.get(shop_url)).json()["share_percent"] == 50
    assert (await viewer.put(shop_url, json={"cap": 1})).status_code == 403

    # On hand 10, buffer 1: 9 available; half is 4, under the cap of 3 → 3.
    explain = (await viewer.get(f"/api/variants/{w.variant}/stock/explain")).json()
    toko = _explained(explain, w.tokopedia)
    assert toko["pushed"] == 3 and toko["rule"]["scope"] == "shop"
    assert [(s["term"], s["amount"]) for s in toko["steps"]][-2:] == [("share", -5), ("cap", -1)]
    assert _explained(explain, w.shopee)["pushed"] == 9

    sku_url = f"/api/variants/{w.variant}/allocation-rules/{w.tokopedia}"
    sku = await operator.put(sku_url, json={"share_percent": 100})
    assert sku.status_code == 200 and sku.json()["scope"] == "variant"
    assert await _dirty(db, owner) == {(w.tokopedia, w.variant)}  # only that SKU on that shop
    listed = (await viewer.get(f"/api/variants/{w.variant}/allocation-rules")).json()
    assert [r["channel_account_id"] for r in listed] == [w.tokopedia]
    toko = _explained((await viewer.get(f"/api/variants/{w.variant}/stock/explain")).json(), w.tokopedia)
    assert (toko["pushed"], toko["rule"]["scope"]) == (9, "variant")  # the SKU rule wins

    assert (await operator.delete(sku_url)).status_code == 204
    assert (await operator.delete(sku_url)).status_code == 404
    assert (await operator.delete(shop_url)).status_code == 204
    actions = [e["action"] for e in (await owner.get("/api/audit")).json()["items"]]
    assert actions.count("allocation_rule.set") == 2 and actions.count("allocation_rule.deleted") == 2


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"share_percent": 101}, "share_percent", "less_than_equal"),
        ({"share_percent": -1}, "share_percent", "greater_than_equal"),
        ({"cap": -1}, "cap", "greater_than_equal"),
        ({"cap": "many"}, "cap", "int_parsing"),
        ({}, "share_percent", "required"),
        ({"keep_last": 2}, "keep_for_channel_id", "required"),
        ({"keep_for_channel_id": "SHOP"}, "keep_last", "required"),
        ({"keep_last": 2, "keep_for_channel_id": str(uuid.UUID(int=7))}, "keep_for_channel_id", "not_found"),
        ({"share_percent": 10, "shares": 1}, "shares", "unknown_field"),
    ],
)
async def test_bad_rules_name_the_field_and_change_nothing(
    app: FastAPI,
    db: Database,
    owner: Caller,
    body: dict,
    field: str,
    code: str,  # type: ignore[type-arg]
) -> None:
    w = await _shops(db, owner)
    if body.get("keep_for_channel_id") == "SHOP":
        body = {"keep_for_channel_id": w.shopee}
    await _dirty(db, owner)
    for url in (
        f"/api/channels/{w.shopee}/allocation-rule",
        f"/api/variants/{w.variant}/allocation-rules/{w.shopee}",
    ):
        resp = await owner.put(url, json=body)
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert {(e["field"], e["code"]) for e in resp.json()["errors"]} >= {(field, code)}, resp.json()
    assert (await owner.get(f"/api/channels/{w.shopee}/allocation-rule")).status_code == 404
    assert await _dirty(db, owner) == set()


async def test_keep_last_for_another_orgs_shop_is_refused(
    db: Database, owner: Caller, other_org: Caller
) -> None:
    w = await _shops(db, owner)
    theirs = await _shops(db, other_org)
    resp = await owner.put(
        f"/api/channels/{w.tokopedia}/allocation-rule",
        json={"keep_last": 2, "keep_for_channel_id": theirs.shopee},
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"field": "keep_for_channel_id", "code": "not_found", "message": "no such shop in this organization"}
    ]


async def test_another_org_gets_404_for_rules_promotions_and_the_explain(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    w = await _shops(db, owner)
    ours = await _shops(db, other_org)
    calls = [
        ("GET", f"/api/variants/{w.variant}/stock/explain", None),
        ("GET", f"/api/channels/{w.shopee}/allocation-rule", None),
        ("PUT", f"/api/channels/{w.shopee}/allocation-rule", {"cap": 1}),
        ("PUT", f"/api/variants/{w.variant}/allocation-rules/{ours.shopee}", {"cap": 1}),
        ("PUT", f"/api/variants/{ours.variant}/allocation-rules/{w.shopee}", {"cap": 1}),
        ("PUT", f"/api/variants/{w.variant}/promotions/{ours.shopee}", {"units": 1}),
        ("PUT", f"/api/variants/{ours.variant}/promotions/{w.shopee}", {"units": 1}),
        ("GET", f"/api/variants/{w.variant}/promotions", None),
    ]
    for method, url, body in calls:
        resp = await other_org.request(method, url, json=body)
        assert resp.status_code == 404, (method, url, resp.text)
        assert resp.json()["code"] == "not_found"
    assert (await owner.get(f"/api/variants/{w.variant}/promotions")).json() == []


async def test_explain_shows_each_term_with_its_rows_and_adds_up(
    app: FastAPI, db: Database, owner: Caller
) -> None:
    w = await _shops(db, owner)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert (
        await owner.put(f"/api/variants/{w.variant}/inventory", json={"on_hand": 20, "safety_buffer": 2})
    ).status_code == 200
    # Shopee's open order holds 3 units (reserved here, and still inside Shopee's own stock).
    async with db.transaction(owner.org_id, owner.user_id) as s:
        now = datetime.now(UTC)
        order = Order(
            org_id=owner.org_id,
            channel_account_id=uuid.UUID(w.shopee),
            platform_order_id="SO-1",
            market="ID",
            status="to_ship",
            platform_status="READY_TO_SHIP",
            currency="IDR",
            placed_at=now,
            platform_updated_at=now,
        )
        s.add(order)
        await s.flush()
        s.add(
            OrderLine(
                org_id=owner.org_id,
                order_id=order.id,
                variant_id=uuid.UUID(w.variant),
                quantity=3,
                currency="IDR",
                stock_state="reserved",
            )
        )
        inv = await s.scalar(select(Inventory).where(Inventory.variant_id == uuid.UUID(w.variant)))
        assert inv is not None
        inv.reserved = 3
    promo = await owner.put(
        f"/api/variants/{w.variant}/promotions/{w.shopee}", json={"units": 4, "campaign": "12.12"}
    )
    assert promo.status_code == 200, promo.text
    assert (
        await viewer.put(f"/api/variants/{w.variant}/promotions/{w.shopee}", json={"units": 1})
    ).status_code == 403
    bad = await owner.put(f"/api/variants/{w.variant}/promotions/{w.shopee}", json={"units": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "units"

    body = (await viewer.get(f"/api/variants/{w.variant}/stock/explain")).json()
    assert (body["on_hand"], body["reserved"], body["safety_buffer"]) == (20, 3, 2)
    shopee, toko = _explained(body, w.shopee), _explained(body, w.tokopedia)
    for item in (shopee, toko):
        assert sum(s["amount"] for s in item["steps"]) == item["pushed"]
    # Shopee: 20 - 3 - 2 = 15 (its own campaign stays inside its stock), + 3 its orders hold = 18.
    assert [(s["term"], s["amount"]) for s in shopee["steps"]] == [
        ("on_hand", 20),
        ("reserved", -3),
        ("safety_buffer", -2),
        ("held_by_shop_orders", 3),
    ]
    # Tokopedia: 20 - 3 - 4 (Shopee's campaign) - 2 = 11; Tokopedia's stock counts no held units.
    assert [(s["term"], s["amount"]) for s in toko["steps"]] == [
        ("on_hand", 20),
        ("reserved", -3),
        ("promotion_reserved", -4),
        ("safety_buffer", -2),
    ]
    assert (shopee["pushed"], toko["pushed"]) == (18, 11)
    steps = {s["term"]: s for s in toko["steps"]}
    # the API set 10 -> 20, after the opening stock of 10 (newest first)
    assert [m["on_hand_delta"] for m in steps["on_hand"]["movements"]] == [10, 10]
    assert [(x["platform_order_id"], x["quantity"]) for x in steps["reserved"]["order_lines"]] == [
        ("SO-1", 3)
    ]
    assert [(p["units"], p["campaign"]) for p in steps["promotion_reserved"]["promotions"]] == [(4, "12.12")]
    held = next(s for s in shopee["steps"] if s["term"] == "held_by_shop_orders")
    assert [x["platform_order_id"] for x in held["order_lines"]] == ["SO-1"]
    assert shopee["platform_stock"] is None and shopee["stock_dirty"] is True

    assert (await owner.delete(f"/api/variants/{w.variant}/promotions/{w.shopee}")).status_code == 204
    assert (await owner.delete(f"/api/variants/{w.variant}/promotions/{w.shopee}")).status_code == 404
    again = (await viewer.get(f"/api/variants/{w.variant}/stock/explain")).json()
    assert _explained(again, w.tokopedia)["pushed"] == 15
    actions = [e["action"] for e in (await owner.get("/api/audit")).json()["items"]]
    assert {"promotion.set", "promotion.deleted"} <= set(actions)
