"""Platform reference data: read on first demand (a refresh queued on a connected shop), by the real worker
through the connector against the sandbox; the cache holds the tree (EN/ID names), the attributes and
brands asked for, nothing of the shop or organization; the schedule leaves a fresh cache alone, and a
Lazada tree-change push expires it, after which the schedule queues one refresh for Lazada."""

from __future__ import annotations

from sqlalchemy import func, select, text

from aiostore.db.models import PlatformAttribute, PlatformBrand, PlatformCategory, SyncJob
from aiostore.sandbox.common.taxonomy import Category
from aiostore.sandbox.lazada.state import LazadaSandbox
from aiostore.sandbox.shopee.routes_reference import TAXONOMY
from aiostore.services.reference import refresh
from aiostore.services.sync import schedule
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market


def _leaf(category_id: str) -> Category:
    found = TAXONOMY.leaf(category_id)
    assert found is not None
    return found


# a Shopee leaf with a mandatory attribute and a brand required
STRICT = str(
    TAXONOMY.id_of(
        next(c for c in TAXONOMY.tree.categories if c.leaf and c.brand_required and c.rules[0].mandatory)
    )
)


async def _count(market: Market, model: type, platform: str) -> int:
    async with market.db.transaction() as session:
        stmt = select(func.count()).select_from(model).where(model.platform == platform)  # type: ignore[attr-defined]
        return int(await session.scalar(stmt) or 0)


async def _refresh_jobs(market: Market) -> list[SyncJob]:
    async with market.db.transaction(market.org_id) as session:
        stmt = select(SyncJob).where(SyncJob.kind == "refresh_reference").order_by(SyncJob.created_at)
        return list(await session.scalars(stmt))


async def test_reference_data_is_read_on_demand_kept_fresh_and_keeps_no_tenant(
    make_market: MarketFactory,
) -> None:
    market, _ = await make_market(["shopee", "lazada"])
    await market.connect("shopee")
    await market.connect("lazada")
    sc = market.app.state.sync
    await schedule.tick(sc)
    assert await _refresh_jobs(market) == []  # a cache nobody asked for stays empty
    async with market.db.transaction(market.org_id) as session:
        for platform in ("shopee", "lazada"):
            assert await refresh.request(session, market.org_id, platform, "ID", [], dry_run=True) is not None
    jobs = await _refresh_jobs(market)
    assert sorted(str(j.channel_account_id) for j in jobs) == sorted(
        str(c) for c in market.channel_ids.values()
    )
    await market.settle()
    jobs = await _refresh_jobs(market)
    assert [j.status for j in jobs] == ["succeeded", "succeeded"]
    assert {j.result["categories"] for j in jobs} == {372} and {j.result["details"] for j in jobs} == {0}
    for platform in ("shopee", "lazada"):
        assert await _count(market, PlatformCategory, platform) == 372
        assert await _count(market, PlatformAttribute, platform) == 0  # only what someone asks for
    async with market.db.transaction(market.org_id) as session:
        asked = await refresh.request(
            session, market.org_id, "shopee", "ID", ["101220", STRICT], dry_run=True
        )
    assert asked is not None
    await market.settle()
    assert await _count(market, PlatformAttribute, "shopee") == len(_leaf(STRICT).rules) + 2
    assert await _count(market, PlatformBrand, "shopee") == len(TAXONOMY.tree.brands_of(_leaf(STRICT))) + len(
        TAXONOMY.tree.brands_of(_leaf("101220"))
    )
    async with market.db.transaction() as session:
        leaf = await session.scalar(
            select(PlatformCategory).where(
                PlatformCategory.platform == "shopee", PlatformCategory.category_id == "101220"
            )
        )
        assert (
            leaf is not None and leaf.leaf and leaf.name_en and leaf.name_id and leaf.name_en != leaf.name_id
        )
        assert leaf.attributes_expire_at is not None and leaf.brand_required is False
        strict = await session.get(PlatformCategory, ("shopee", "ID", STRICT))
        assert strict is not None and strict.brand_required is True
        columns = set(
            (
                await session.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns WHERE table_name IN "
                        "('platform_categories', 'platform_attributes', 'platform_brands')"
                    )
                )
            ).scalars()
        )
    assert not {c for c in columns if "org" in c or "shop" in c or "channel" in c}

    shopee = market.shops["shopee"]
    assert shopee.call_count("/api/v2/product/get_category") == 2  # English and Indonesian names
    shopee.reset_calls()
    await schedule.tick(sc)
    assert len(await _refresh_jobs(market)) == 3  # nothing due: the cache is fresh
    assert shopee.call_count("/api/v2/product/get_category") == 0

    sandbox = market.shops["lazada"].sandbox
    assert isinstance(sandbox, LazadaSandbox) and sandbox.announce_category_change() == 1
    await market.shops["lazada"].drain_pushes()
    async with market.db.transaction() as session:
        expired = await session.scalar(
            select(func.count())
            .select_from(PlatformCategory)
            .where(PlatformCategory.platform == "lazada", PlatformCategory.expires_at <= func.now())
        )
    assert expired == 372
    await schedule.tick(sc)
    assert len(await _refresh_jobs(market)) == 4  # Lazada's only
    await market.settle()
    jobs = await _refresh_jobs(market)
    assert all(j.status == "succeeded" for j in jobs)
    assert (jobs[-1].result["categories"], jobs[-1].result["details"]) == (372, 0)
    async with market.db.transaction() as session:
        fresh = await session.scalar(
            select(func.count())
            .select_from(PlatformCategory)
            .where(PlatformCategory.platform == "lazada", PlatformCategory.expires_at > func.now())
        )
    assert fresh == 372
