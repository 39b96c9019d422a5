"""What a catalog commit refuses, and what the platforms refuse: errors (422 listing them), warnings not
acknowledged, a stale preview (409 naming the product or listing that changed), a replayed commit (the
first answer again) and concurrent commits (exactly one wins), roles (viewer and operator cannot commit),
another organisation (404), and each sandbox refusing a create with its own error on the listing."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import update

from aiostore.db.models import Listing, ProductPlatformMapping
from aiostore.domain.permissions import Role
from tests.factories import member_token
from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS


async def test_errors_and_unacknowledged_warnings_are_refused_and_bad_input_named(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner = await make_market(["shopee", "lazada"], products=1, variants=1)
    shops = await support.connect_all(market, owner)
    await support.read_categories(market, {"shopee": [support.plain_leaf("shopee")]})
    made = await support.product(owner, "ERR", title="KAOS POLOS KATUN PREMIUM ERR")
    await support.map_to(owner, made["id"], "shopee", support.plain_leaf("shopee"))
    shown = await support.preview(owner, [made["id"]], [shops["shopee"], shops["lazada"]])
    by_shop = {i["channel_account_id"]: i for i in shown["items"]}
    lazada = by_shop[str(shops["lazada"])]
    assert lazada["action"] == "error"
    assert {"field": "items.1.category", "code": "publish.no_category"}.items() <= {
        k: v
        for f in lazada["findings"]
        for k, v in f.items()
        if k in ("field", "code") and f["code"] == "publish.no_category"
    }.items()
    refused = await support.commit(owner, shown["id"], ack=True)
    assert refused.status_code == 422 and refused.json()["code"] == "items_refused"
    assert "items.1.category" in [e["field"] for e in refused.json()["errors"]]
    shopee_only = await support.preview(owner, [made["id"]], [shops["shopee"]])
    warned = [f for i in shopee_only["items"] for f in i["findings"]]
    assert warned and {f["severity"] for f in warned} == {"warning"}
    assert all(f["message_id"] for f in warned)  # the Indonesian message beside the English one
    unacknowledged = await support.commit(owner, shopee_only["id"])
    assert unacknowledged.status_code == 422 and unacknowledged.json()["code"] == "warnings_not_acknowledged"
    no_key = await owner.post("/api/catalog/commit", json={"preview_id": shopee_only["id"]})
    assert no_key.status_code == 422 and no_key.json()["errors"][0]["field"] == "Idempotency-Key"
    both = await owner.post(
        "/api/catalog/preview",
        json={"product_ids": [made["id"]], "filter": {}, "channel_account_ids": [str(shops["shopee"])]},
    )
    assert both.status_code == 422 and both.json()["errors"][0]["code"] == "products_or_filter"
    stranger = await owner.post(
        "/api/catalog/preview",
        json={"product_ids": [str(uuid.uuid4())], "channel_account_ids": [str(uuid.uuid4())]},
    )
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0] == {
        "field": "channel_account_ids.0",
        "code": "unknown_shop",
        "message": "no such connected shop",
    }
    filtered = await owner.post(
        "/api/catalog/preview",
        json={"filter": {"status": "active"}, "channel_account_ids": [str(shops["shopee"])]},
    )
    assert filtered.status_code == 200 and filtered.json()["summary"]["items"] == 1
    page = await owner.get(f"/api/catalog/previews/{shown['id']}?action=error&shop={shops['lazada']}")
    assert [i["action"] for i in page.json()["items"]] == ["error"]
    assert (await owner.get(f"/api/catalog/previews/{shown['id']}?severity=error")).json()["items"][0][
        "seq"
    ] == 1


async def test_stale_replayed_and_concurrent_commits(make_market: MarketFactory) -> None:  # noqa: F811
    market, owner = await make_market(["lazada"], products=1, variants=1)
    shops = await support.connect_all(market, owner)
    leaf = support.plain_leaf("lazada")
    await support.read_categories(market, {"lazada": [leaf]})
    made = await support.product(owner, "STALE")
    await support.map_to(owner, made["id"], "lazada", leaf)
    shown = await support.preview(owner, [made["id"]], [shops["lazada"]])
    patched = await owner.patch(
        f"/api/products/{made['id']}", json={"title": "Kaos Polos Katun Premium Diganti"}
    )
    assert patched.status_code == 200, patched.text
    stale = await support.commit(owner, shown["id"], ack=True)
    assert stale.status_code == 409 and stale.json()["code"] == "stale_preview"
    assert "master product" in stale.json()["errors"][0]["message"]
    assert stale.json()["errors"][0]["field"] == "items.0"

    fresh = await support.preview(owner, [made["id"]], [shops["lazada"]])
    results = await asyncio.gather(*(support.commit(owner, fresh["id"], ack=True) for _ in range(3)))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409], [r.text for r in results]
    assert {r.json()["code"] for r in results if r.status_code == 409} <= {
        "change_set_not_open",
        "idempotency_conflict",
        "conflict",
    }
    await market.settle()
    assert len(await support.publish_jobs(market)) == 1

    # a listing read again from the platform since the preview makes an update stale
    await owner.patch(f"/api/products/{made['id']}", json={"title": "Kaos Polos Katun Premium Lagi"})
    update_preview = await support.preview(owner, [made["id"]], [shops["lazada"]])
    assert update_preview["items"][0]["action"] == "update"
    async with market.db.transaction(market.org_id) as session:
        await session.execute(
            update(Listing)
            .where(Listing.channel_account_id == shops["lazada"], Listing.platform_sku.like("STALE-%"))
            .values(platform_state=Listing.platform_state.op("||")({"name": "Diubah di Lazada"}))
        )
    stale = await support.commit(owner, update_preview["id"], ack=True)
    assert stale.status_code == 409 and "listing" in stale.json()["errors"][0]["message"]

    again = await support.preview(owner, [made["id"]], [shops["lazada"]])
    key = uuid.uuid4().hex
    first = await support.commit(owner, again["id"], key=key, ack=True)
    replay = await support.commit(owner, again["id"], key=key, ack=True)
    assert first.status_code == replay.status_code == 200 and first.json() == replay.json()
    other = await support.commit(owner, again["id"], ack=True)
    assert other.status_code == 409 and other.json()["code"] == "change_set_not_open"


async def test_viewer_and_operator_cannot_commit_and_another_org_finds_nothing(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner = await make_market(["shopee"], products=1, variants=1)
    shops = await support.connect_all(market, owner)
    made = await support.product(owner, "ROLE")
    shown = await support.preview(owner, [made["id"]], [shops["shopee"]])
    for role in (Role.VIEWER, Role.OPERATOR):
        caller = await member_token(market.app, market.db, owner.org_id, role)
        refused = await support.commit(caller, shown["id"], ack=True)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", role
    operator = await member_token(market.app, market.db, owner.org_id, Role.OPERATOR)
    assert (await support.preview(operator, [made["id"]], [shops["shopee"]]))["summary"]["items"] == 1
    _, stranger = await make_market(["shopee"], products=1, variants=1)
    assert (await stranger.get(f"/api/catalog/previews/{shown['id']}")).status_code == 404
    assert (await support.commit(stranger, shown["id"], ack=True)).status_code == 404
    assert (await stranger.post(f"/api/catalog/commits/{shown['id']}/revert")).status_code == 404
    theirs = await stranger.post(
        "/api/catalog/preview",
        json={"product_ids": [made["id"]], "channel_account_ids": [str(shops["shopee"])]},
    )
    assert theirs.status_code == 422 and theirs.json()["errors"][0]["code"] == "unknown_shop"
    assert (await owner.get(f"/api/catalog/previews/{shown['id']}")).json()["status"] == "previewed"


async def test_each_sandbox_refuses_a_create_missing_a_mandatory_attribute_with_its_own_error(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    """The category's attributes were never read, so only the platform can check them: the preview
    warns, the commit sends, and each platform's own refusal (its code and words) is on the listing and
    the job."""
    market, owner = await make_market(PLATFORMS, products=1, variants=1)
    shops = await support.connect_all(market, owner)
    made = await support.product(owner, "MAND")
    missing: dict[str, str] = {}
    async with market.db.transaction(market.org_id) as session:
        for platform in PLATFORMS:
            tax = support.taxonomy(platform)
            strict = support.strict_leaf(platform)
            rule = next(r for r in tax.leaf(strict).rules if r.mandatory and r.attribute.selects)
            missing[platform] = rule.attribute.name[1 if platform == "tokopedia" else 0]
            session.add(ProductPlatformMapping(
                org_id=market.org_id, product_id=uuid.UUID(made["id"]), platform=platform, market="ID",
                category_id=strict, attributes=[],
            ))  # fmt: skip
    shown = await support.preview(owner, [made["id"]], list(shops.values()))
    assert [i["action"] for i in shown["items"]] == ["create"] * 4
    assert {"publish.category_unknown"} <= {f["code"] for i in shown["items"] for f in i["findings"]}
    assert (await support.commit(owner, shown["id"], ack=True)).status_code == 200
    await market.settle()
    # Each platform's own words for it (docs/marketplaces/<platform>.md; Lazada names the payload key).
    said = {
        "shopee": f"Mandatory attribute information required: {missing['shopee']}",
        "tiktokshop": missing["tiktokshop"],
        "lazada": "CHK_BASIC_REQUIRED",
        "tokopedia": f"annotation {missing['tokopedia']} is mandatory",
    }
    for platform, shop in shops.items():
        rows = [r for r in await support.listings(market, shop) if (r.platform_sku or "").startswith("MAND-")]
        assert {(r.status, r.sync_state) for r in rows} == {("refused", "error")}, platform
        assert all(r.last_error and r.last_error.startswith(f"{platform} refused it") for r in rows), platform
        assert all(said[platform] in (r.last_error or "") for r in rows), (platform, rows[0].last_error)
    platform_of = {shop: platform for platform, shop in shops.items()}
    jobs = await support.publish_jobs(market)
    assert sorted(platform_of[job.channel_account_id] for job, _ in jobs) == sorted(PLATFORMS)
    for job, items in jobs:
        platform = platform_of[job.channel_account_id]
        assert [i.result for i in items] == ["failed"], platform
        assert said[platform] in (items[0].error or ""), (platform, items[0].error)
    again = await support.preview(owner, [made["id"]], list(shops.values()))
    assert [i["action"] for i in again["items"]] == ["create"] * 4  # fixed and sent again, nothing half done
