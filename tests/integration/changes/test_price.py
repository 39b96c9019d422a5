"""Price change sets over the API: market and shop prices, the shops they reach, findings at their
edges, pushes, stale and partial commits."""

from __future__ import annotations

from sqlalchemy import select, text

from aiostore.db.models import Listing
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.changes.support import catalog, codes, commit, preview, problem_fields, shop


async def test_a_market_price_reaches_every_shop_of_that_market_without_its_own_price(
    owner: Caller, db: Database
) -> None:
    ids = await catalog(owner)
    tiktok, (tiktok_listing,) = await shop(db, owner, [ids["S-M"]], platform="tiktokshop", market="ID")
    shopee, (shopee_listing,) = await shop(db, owner, [ids["S-M"]], platform="shopee", market="ID")
    await shop(db, owner, [ids["S-M"]], platform="shopee", market="SG")
    own = await preview(
        owner, "price", [{"sku": "S-M", "channel_account_id": str(shopee), "price": "149000"}]
    )
    assert (await commit(owner, "price", own["token"])).status_code == 200

    shown = await preview(
        owner, "price", [{"sku": "S-M", "market": "ID", "price": "140000", "sale_price": "135000"}]
    )
    item = shown["items"][0]
    assert item["before"] == {
        "currency": "IDR",
        "price": "150000",
        "sale_price": None,
        "shops": [
            {
                "listing_id": str(tiktok_listing),
                "channel_account_id": str(tiktok),
                "shop_name": "tiktokshop ID",
                "platform": "tiktokshop",
                "price": "150000",
            }
        ],
    }
    assert item["after"]["price"] == "140000" and item["after"]["sale_price"] == "135000"
    assert [s["price"] for s in item["after"]["shops"]] == ["140000"]
    assert shown["summary"]["shops"] == 1
    done = await commit(owner, "price", shown["token"])
    assert done.status_code == 200, done.text
    variant = (await owner.get("/api/products")).json()["items"][0]["variants"][0]
    assert variant["prices"]["ID"] == {"amount": "140000", "currency": "IDR", "amount_minor": 140000}
    async with db.transaction(owner.org_id, owner.user_id) as s:
        overrides = await s.scalar(select(Listing.overrides).where(Listing.id == shopee_listing))
        versions = dict(
            (
                await s.execute(
                    select(Listing.id, Listing.price_version).where(Listing.price_dirty.is_(True))
                )
            ).all()
        )
        pushes = (await s.execute(text("SELECT args FROM procrastinate_jobs"))).scalars().all()
    assert overrides == {"price": "149000"}  # the shop with its own price keeps it
    assert versions == {shopee_listing: 1, tiktok_listing: 1}  # each commit marked the listings it reaches
    assert {p["channel_id"] for p in pushes} >= {str(shopee), str(tiktok)}


async def test_a_shop_price_sets_that_listings_own_price(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    channel, (listing,) = await shop(db, owner, [ids["S-M"]], platform="lazada", market="SG")
    shown = await preview(
        owner, "price", [{"sku": "S-M", "channel_account_id": str(channel), "price": "11.5"}]
    )
    item = shown["items"][0]
    assert (item["market"], item["before"]["price"], item["before"]["own_price"]) == ("SG", "12.90", False)
    assert (item["after"]["price"], item["after"]["own_price"]) == ("11.50", True)
    assert (await commit(owner, "price", shown["token"])).status_code == 200
    async with db.transaction(owner.org_id, owner.user_id) as s:
        assert await s.scalar(select(Listing.overrides).where(Listing.id == listing)) == {"price": "11.50"}
    variant = (await owner.get("/api/products")).json()["items"][0]["variants"][0]
    assert variant["prices"]["SG"]["amount"] == "12.90"  # the master price is untouched


async def test_each_price_finding_at_its_edges(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    tiktok, _ = await shop(db, owner, [ids["S-M"]], platform="tiktokshop", market="ID")
    other, _ = await shop(db, owner, [ids["S-L"]], platform="shopee", market="MY")
    floor = await owner.patch(
        f"/api/variants/{ids['S-M']}",
        json={"min_prices": {"ID": "100000"}, "cost": {"amount": "90000", "currency": "IDR"}},
    )
    assert floor.status_code == 200 and floor.json()["variants"][0]["min_prices"]["ID"]["amount"] == "100000"
    cases = [
        ({"market": "ID", "price": "100000"}, []),  # at the floor
        ({"market": "ID", "price": "99999"}, ["below_floor"]),
        ({"market": "ID", "price": "120000", "sale_price": "99999"}, ["below_floor"]),
        ({"market": "ID", "price": "150000.5"}, ["invalid_precision"]),
        ({"market": "SG", "price": "12.345"}, ["invalid_precision"]),
        ({"market": "SG", "price": "12.34"}, []),
        ({"market": "ID", "price": "0"}, ["not_positive"]),
        ({"market": "ID", "price": "100000000000000"}, ["out_of_range"]),
        ({"market": "ID", "price": "100000000"}, ["large_price_change"]),  # TikTok's highest ID price
        ({"market": "ID", "price": "100000001"}, ["outside_platform_bounds", "large_price_change"]),
        ({"market": "ID", "price": "225000"}, []),  # +50%: not over the share
        ({"market": "ID", "price": "225001"}, ["large_price_change"]),
        ({"market": "ID", "price": "130000", "sale_price": "140000"}, ["sale_above_price"]),
        ({"channel_account_id": str(other), "price": "40"}, ["not_listed"]),
        ({"channel_account_id": "7b0e9c1e-0000-4000-8000-000000000000", "price": "40"}, ["unknown_channel"]),
    ]
    for target, expected in cases:
        found = (await preview(owner, "price", [{"sku": "S-M", **target}]))["items"][0]
        assert codes(found) == expected, (target, found["findings"])
    await owner.patch(f"/api/variants/{ids['S-M']}", json={"min_prices": {"ID": None}})
    cost = (await preview(owner, "price", [{"sku": "S-M", "market": "ID", "price": "89999"}]))["items"][0]
    assert codes(cost) == ["below_cost"] and cost["findings"][0]["field"] == "items.0.price"
    assert str(tiktok)  # the TikTok shop is what gives the ID bounds above
    twice = await preview(
        owner,
        "price",
        [{"sku": "S-M", "market": "ID", "price": "150000"}, {"sku": "s-m", "market": "ID", "price": "1"}],
    )
    assert [codes(i) for i in twice["items"]] == [[], ["duplicate_item"]]
    assert twice["items"][0]["action"] == "unchanged"
    unknown = (await preview(owner, "price", [{"sku": "NOPE", "market": "MY", "price": "1"}]))["items"][0]
    assert codes(unknown) == ["unknown_sku"]


async def test_bad_price_inputs_name_the_field(owner: Caller) -> None:
    await catalog(owner)
    cases = [
        ({"sku": "S-M", "price": "1"}, ("items.0", "market_or_shop")),
        (
            {
                "sku": "S-M",
                "price": "1",
                "market": "ID",
                "channel_account_id": "7b0e9c1e-0000-4000-8000-000000000000",
            },
            ("items.0", "market_or_shop"),
        ),
        ({"sku": "S-M", "market": "ID"}, ("items.0.price", "required")),
        ({"sku": "S-M", "market": "TH", "price": "1"}, ("items.0.market", "enum")),
        ({"sku": "S-M", "market": "ID", "price": "1e999"}, ("items.0.price", "out_of_range")),
        ({"sku": "S-M", "market": "ID", "price": "abc"}, ("items.0.price", "invalid_number")),
        ({"sku": "S-M", "market": "ID", "price": "1", "cost": "1"}, ("items.0.cost", "unknown_field")),
    ]
    for item, expected in cases:
        resp = await owner.post("/api/price/update", json={"mode": "preview", "items": [item]})
        assert resp.status_code == 422, (item, resp.text)
        assert expected in problem_fields(resp), (item, resp.json())
    floor = await owner.patch(
        "/api/variants/00000000-0000-4000-8000-000000000000", json={"min_prices": {"ID": "1"}}
    )
    assert floor.status_code == 404
    products = (await owner.get("/api/products")).json()["items"][0]["variants"]
    large = await owner.patch(f"/api/variants/{products[1]['id']}", json={"min_prices": {"SG": "1"}})
    assert large.status_code == 422 and problem_fields(large) == [("min_prices.SG", "no_price")]


async def test_a_price_commit_is_stale_when_a_shop_price_changed_and_partial_applies_the_rest(
    owner: Caller, db: Database
) -> None:
    ids = await catalog(owner)
    channel, _ = await shop(db, owner, [ids["S-M"]], platform="tokopedia", market="ID")
    shown = await preview(
        owner,
        "price",
        [
            {"sku": "S-M", "market": "ID", "price": "151000"},
            {"sku": "S-L", "market": "MY", "price": "39.999"},
        ],
    )
    refused = await commit(owner, "price", shown["token"])
    assert refused.status_code == 422 and problem_fields(refused) == [("items.1.price", "invalid_precision")]
    own = await preview(
        owner, "price", [{"sku": "S-M", "channel_account_id": str(channel), "price": "152000"}]
    )
    assert (await commit(owner, "price", own["token"])).status_code == 200
    stale = await commit(owner, "price", shown["token"], partial=True)
    assert stale.status_code == 409 and problem_fields(stale) == [("items.0", "changed")]
    again = await preview(owner, "price", [{"sku": "S-M", "market": "ID", "price": "151000"}])
    assert again["items"][0]["before"]["shops"] == []  # the shop now sells at its own price
    done = await commit(owner, "price", again["token"], partial=True)
    assert done.status_code == 200
