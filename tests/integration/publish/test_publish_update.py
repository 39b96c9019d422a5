"""An update of a live listing carries every changed field the diff shows, through the real sandbox over
HTTP: a new category with its mandatory attributes, new images and a changed and an added variant go out
in one commit, and a second preview has nothing to do; an update the platform refuses (a mandatory
attribute missing) keeps the platform's own reason on the listing and the job; a revert restores the
earlier category and attributes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from aiostore.db.models import Listing, PlatformAttribute, ProductPlatformMapping
from aiostore.domain.publish import NOT_UPDATABLE
from tests.factories import Caller
from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.publish.platform_state import MANDATORY_REFUSAL, SANDBOX_VIEW, UPDATED_IMAGES
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market

UPDATABLE = sorted(SANDBOX_VIEW)
NEW_IMAGES = list(UPDATED_IMAGES)


async def _attributes(market: Market, platform: str, category: str) -> list[dict[str, Any]]:
    """A value for every attribute of the category, from the reference cache (as a seller fills them)."""
    async with market.db.transaction(market.org_id) as session:
        rows = await session.scalars(
            select(PlatformAttribute)
            .where(PlatformAttribute.platform == platform, PlatformAttribute.category_id == category)
            .order_by(PlatformAttribute.position)
        )
        out = []
        for a in rows.all():
            if a.key in ("name", "description", "brand"):  # Lazada lists the product's own fields too
                continue
            if a.options:
                out.append({"attribute_id": a.attribute_id, "value_ids": [str(a.options[0]["value_id"])]})
            else:
                text = "2026-01-31" if a.input_type == "date" else "12"
                out.append({"attribute_id": a.attribute_id, "texts": [text], "unit": (a.units or [""])[0]})
        return out


async def _live(
    make: MarketFactory, platform: str, strict: str | None = None
) -> tuple[Market, Caller, uuid.UUID, dict[str, Any]]:
    """One product published (created and accepted) on the platform's sandbox shop, in a plain leaf."""
    market, owner = await make([platform], products=1, variants=1)
    shop = (await support.connect_all(market, owner))[platform]
    plain = support.plain_leaf(platform)
    await support.read_categories(market, {platform: [plain] + ([strict] if strict else [])})
    made = await support.product(owner, "UPD")
    await support.map_to(owner, made["id"], platform, plain)
    shown = await support.preview(owner, [made["id"]], [shop])
    assert [i["action"] for i in shown["items"]] == ["create"]
    assert (await support.commit(owner, shown["id"], ack=True)).status_code == 200
    await market.settle()
    return market, owner, shop, made


async def _mine(market: Market, shop: uuid.UUID) -> list[Listing]:
    return [r for r in await support.listings(market, shop) if (r.platform_sku or "").startswith("UPD-")]


async def _commit(market: Market, owner: Caller, preview: dict[str, Any]) -> None:
    done = await support.commit(owner, preview["id"], ack=True)
    assert done.status_code == 200, done.text
    await market.settle()


@pytest.mark.parametrize("platform", UPDATABLE)
async def test_category_attributes_images_and_variants_of_a_live_listing_are_sent_then_reverted(
    make_market: MarketFactory,  # noqa: F811
    platform: str,
) -> None:
    strict = support.strict_leaf(platform)
    market, owner, shop, made = await _live(make_market, platform, strict)
    plain = support.plain_leaf(platform)
    attributes = await _attributes(market, platform, strict)
    assert attributes
    resp = await owner.put(
        f"/api/products/{made['id']}/platforms/{platform}",
        json={"market": "ID", "category_id": strict, "attributes": attributes},
    )
    assert resp.status_code == 200, resp.text
    resp = await owner.patch(f"/api/products/{made['id']}", json={"images": NEW_IMAGES})
    assert resp.status_code == 200, resp.text
    large = next(v for v in made["variants"] if v["sku"] == "UPD-L")
    resp = await owner.patch(f"/api/variants/{large['id']}", json={"option_values": {"size": "XL"}})
    assert resp.status_code == 200, resp.text
    added = support.body("UPD")["variants"][0] | {"sku": "UPD-S", "option_values": {"size": "S"}}
    resp = await owner.post(f"/api/products/{made['id']}/variants", json=added)
    assert resp.status_code == 201, resp.text

    shown = await support.preview(owner, [made["id"]], [shop])
    [item] = shown["items"]
    assert item["action"] == "update"
    assert {"category", "attributes", "images", "variants"} <= set(item["diff"])
    assert item["diff"]["category"] == {"old": plain, "new": strict}
    assert "publish.not_sent" not in {f["code"] for f in item["findings"]}
    assert [f for f in item["findings"] if f["severity"] == "error"] == []
    await _commit(market, owner, shown)
    jobs = await support.publish_jobs(market)
    assert [(i.result, i.error) for i in jobs[-1][1]] == [("ok", None)]

    mine = await _mine(market, shop)
    view = SANDBOX_VIEW[platform](market, mine)
    assert view.category == strict
    assert view.attribute_ids == sorted(a["attribute_id"] for a in attributes)
    assert view.options == {"UPD-M": ["M"], "UPD-L": ["XL"], "UPD-S": ["S"]}
    assert view.images_changed
    assert sorted(r.platform_sku or "" for r in mine) == ["UPD-L", "UPD-M", "UPD-S"]
    assert all(r.variant_id is not None and r.sync_state == "in_sync" for r in mine)
    again = await support.preview(owner, [made["id"]], [shop])
    assert again["items"] == [] and again["summary"]["actions"]["unchanged"] == 1

    reverted = await owner.post(f"/api/catalog/commits/{shown['id']}/revert")
    assert reverted.status_code == 200, reverted.text
    [back] = reverted.json()["items"]
    assert back["action"] == "update" and back["diff"]["category"] == {"old": strict, "new": plain}
    assert back["diff"]["attributes"]["new"] == []
    await _commit(market, owner, reverted.json())
    mine = await _mine(market, shop)
    view = SANDBOX_VIEW[platform](market, mine)
    assert view.category == plain and view.attribute_ids == [] and not view.images_changed
    # the added variant is removed again, the changed one has its old option back
    assert view.options == {"UPD-M": ["M"], "UPD-L": ["L"]}
    assert sorted(r.platform_sku or "" for r in mine) == ["UPD-L", "UPD-M"]


@pytest.mark.parametrize("platform", UPDATABLE)
async def test_an_update_missing_a_mandatory_attribute_is_refused_with_the_platforms_reason(
    make_market: MarketFactory,  # noqa: F811
    platform: str,
) -> None:
    """The strict category's attributes were never read: only the platform can check them, and does."""
    market, owner, shop, made = await _live(make_market, platform)
    strict = support.strict_leaf(platform)
    async with market.db.transaction(market.org_id) as session:  # the API would wait for the attributes
        await session.execute(
            update(ProductPlatformMapping)
            .where(ProductPlatformMapping.product_id == uuid.UUID(made["id"]))
            .values(category_id=strict, attributes=[])
        )
    shown = await support.preview(owner, [made["id"]], [shop])
    [item] = shown["items"]
    assert item["action"] == "update" and set(item["diff"]) == {"category"}
    assert {"publish.category_unknown", "publish.attributes_unknown"} & {f["code"] for f in item["findings"]}
    await _commit(market, owner, shown)
    [(result, error)] = [(i.result, i.error) for i in (await support.publish_jobs(market))[-1][1]]
    assert result == "failed" and error and error.startswith(f"{platform} refused it: ")
    assert MANDATORY_REFUSAL[platform] in error
    mine = await _mine(market, shop)
    assert {(r.sync_state, r.last_error) for r in mine} == {("error", error)}
    view = SANDBOX_VIEW[platform](market, mine)
    assert view.category == support.plain_leaf(platform)  # nothing half applied
    again = await support.preview(owner, [made["id"]], [shop])
    assert [i["action"] for i in again["items"]] == ["update"]  # still to do


@pytest.mark.parametrize("platform", sorted(NOT_UPDATABLE))
async def test_what_a_platform_cannot_update_is_warned_and_stays_to_do(
    make_market: MarketFactory,  # noqa: F811
    platform: str,
) -> None:
    """A field the platform's update does not change is a `publish.not_sent` warning; the commit sends
    the rest, and the listing's recorded state keeps the old value, so the next preview shows it again."""
    market, owner, shop, made = await _live(make_market, platform)
    resp = await owner.patch(f"/api/products/{made['id']}", json={"title": "Kaos Polos Katun Baru"})
    assert resp.status_code == 200, resp.text
    large = next(v for v in made["variants"] if v["sku"] == "UPD-L")
    resp = await owner.patch(f"/api/variants/{large['id']}", json={"option_values": {"size": "XL"}})
    assert resp.status_code == 200, resp.text
    shown = await support.preview(owner, [made["id"]], [shop])
    [item] = shown["items"]
    assert set(item["diff"]) == {"title", "variants"}
    assert [(f["code"], f["field"]) for f in item["findings"] if f["code"] == "publish.not_sent"] == [
        ("publish.not_sent", "items.0.variants")
    ]
    assert shown["summary"]["publish_calls"] == 1
    await _commit(market, owner, shown)
    assert [i.result for i in (await support.publish_jobs(market))[-1][1]] == ["ok"]
    mine = await _mine(market, shop)
    assert {r.platform_state["name"] for r in mine} == {"Kaos Polos Katun Baru"}
    again = await support.preview(owner, [made["id"]], [shop])
    assert [set(i["diff"]) for i in again["items"]] == [{"variants"}]
    assert again["summary"]["publish_calls"] == 0


async def test_tokopedia_sends_a_new_category_and_pictures_and_shows_its_refusal(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    """Tokopedia's edit takes the category and pictures (no attributes: its API has none); a category it
    does not know is refused by the platform, with its reason on the job and the listings."""
    market, owner, shop, made = await _live(make_market, "tokopedia")
    sandbox: Any = market.shops["tokopedia"].sandbox  # type: ignore[attr-defined]
    tax = support.taxonomy("tokopedia")
    plain = support.plain_leaf("tokopedia")
    other = next(str(tax.id_of(c)) for c in tax.tree.categories if c.leaf and str(tax.id_of(c)) != plain)

    def product() -> Any:
        ids = {(r.platform_state or {}).get("product_id") or r.platform_item_id for r in mine}
        return sandbox.catalog.get(int(sandbox_shop), int(ids.pop()))

    sandbox_shop = market.shops["tokopedia"].shop_id
    async with market.db.transaction(market.org_id) as session:  # categories the cache does not hold
        await session.execute(
            update(ProductPlatformMapping)
            .where(ProductPlatformMapping.product_id == uuid.UUID(made["id"]))
            .values(category_id=other)
        )
    resp = await owner.patch(f"/api/products/{made['id']}", json={"images": NEW_IMAGES})
    assert resp.status_code == 200, resp.text
    shown = await support.preview(owner, [made["id"]], [shop])
    [item] = shown["items"]
    assert set(item["diff"]) == {"category", "images"}
    assert "publish.not_sent" not in {f["code"] for f in item["findings"]}
    await _commit(market, owner, shown)
    assert [(i.result, i.error) for i in (await support.publish_jobs(market))[-1][1]] == [("ok", None)]
    mine = await _mine(market, shop)
    assert (str(product().category_id), product().pictures) == (other, NEW_IMAGES)
    assert (await support.preview(owner, [made["id"]], [shop]))["items"] == []

    parent = "999999999"  # not in the cached tree: only the platform can tell
    async with market.db.transaction(market.org_id) as session:
        await session.execute(
            update(ProductPlatformMapping)
            .where(ProductPlatformMapping.product_id == uuid.UUID(made["id"]))
            .values(category_id=parent)
        )
    await _commit(market, owner, await support.preview(owner, [made["id"]], [shop]))
    [(result, error)] = [(i.result, i.error) for i in (await support.publish_jobs(market))[-1][1]]
    assert result == "failed" and error and error.startswith("tokopedia refused it: ")
    assert f"category_id {parent} is not a valid category" in error, error
    mine = await _mine(market, shop)
    assert {(r.sync_state, r.last_error) for r in mine} == {("error", error)}
    assert str(product().category_id) == other  # nothing half applied

    reverted = await owner.post(f"/api/catalog/commits/{shown['id']}/revert")
    assert reverted.status_code == 200, reverted.text
    assert reverted.json()["items"][0]["diff"]["category"] == {"old": other, "new": plain}
    await _commit(market, owner, reverted.json())
    assert str(product().category_id) == plain


async def test_a_title_and_a_price_changed_together_are_both_kept_and_a_second_preview_is_empty(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    """The price batch runs after the product update recorded the new title: writing the price keeps
    what the update recorded (it does not write back the listing's state as it was before the job)."""
    market, owner, shop, made = await _live(make_market, "shopee")
    title = "Kaos Polos Katun Premium Judul Baru"
    assert (await owner.patch(f"/api/products/{made['id']}", json={"title": title})).status_code == 200
    variant = next(v["id"] for v in made["variants"] if v["sku"] == "UPD-M")
    assert (
        await owner.patch(f"/api/variants/{variant}", json={"prices": {"ID": "160000"}})
    ).status_code == 200
    shown = await support.preview(owner, [made["id"]], [shop])
    assert [set(i["diff"]) for i in shown["items"]] == [{"title", "price"}]
    await _commit(market, owner, shown)
    [listing] = [x for x in await _mine(market, shop) if x.platform_sku == "UPD-M"]
    assert (listing.platform_state["name"], listing.platform_state["price"]) == (title, "160000")
    again = await support.preview(owner, [made["id"]], [shop])
    assert again["items"] == [] and again["summary"]["actions"]["unchanged"] == 1


@pytest.mark.parametrize("platform", ["shopee", "tiktokshop", "lazada", "tokopedia"])
async def test_a_product_of_one_variant_has_nothing_to_update_after_its_shop_is_pulled(
    make_market: MarketFactory,  # noqa: F811
    platform: str,
) -> None:
    """A product of one variant is created without options (no tiers), and a pull reads none; its own
    size option is not a change to send. It was: the pull's empty options against the master's size made
    a "variants" update, which crashed Shopee's mapping (a single model's tier looked up by its option
    in a tier of SKUs), and a publish job at a minute's schedule tick died of it."""
    market, owner = await make_market([platform], products=1, variants=1)
    shop = (await support.connect_all(market, owner))[platform]
    plain = support.plain_leaf(platform)
    await support.read_categories(market, {platform: [plain]})
    made = await support.product(owner, "ONE", variants=support.body("ONE")["variants"][:1])
    await support.map_to(owner, made["id"], platform, plain)
    shown = await support.preview(owner, [made["id"]], [shop])
    assert [i["action"] for i in shown["items"]] == ["create"]
    await _commit(market, owner, shown)
    pulled = await owner.post(
        "/api/sync/pull", json={"channel_account_ids": [str(shop)], "kinds": ["products"]}
    )
    assert pulled.status_code == 202, pulled.text
    await market.settle()
    [listing] = [x for x in await support.listings(market, shop) if x.platform_sku == "ONE-M"]
    assert not listing.platform_item_id.startswith("pending:")
    again = await support.preview(owner, [made["id"]], [shop])
    assert again["items"] == [] and again["summary"]["actions"]["unchanged"] == 1, again["items"]
