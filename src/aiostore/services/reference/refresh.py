"""The `refresh_reference` sync job: read what expired of one platform and market's reference data through
one connected shop's connector and store it (`cache`). The schedule queues it on the first connected shop
of each platform and market whose data is due; the rows keep nothing of that shop.

The tree is read whole when it expired; then the leaves whose attributes or brands expired, and those the
job names (`params["categories"]`: asked for and never read), each with both kinds, one category per
transaction, so a job that stops half-way keeps what it stored. Leaves nobody asked about are not read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, SyncJob
from aiostore.services import channels
from aiostore.services.reference import cache
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.runner import handler

log = structlog.get_logger(__name__)
KIND = "refresh_reference"


def ttls(sc: SyncContext) -> tuple[timedelta, timedelta, timedelta]:
    s = sc.settings
    return (
        timedelta(hours=s.reference_categories_ttl_hours),
        timedelta(hours=s.reference_attributes_ttl_hours),
        timedelta(hours=s.reference_brands_ttl_hours),
    )


async def request(
    session: AsyncSession,
    org_id: uuid.UUID,
    platform: str,
    market: str,
    categories: Iterable[str],
    *,
    dry_run: bool,
    user_id: uuid.UUID | None = None,
) -> SyncJob | None:
    """Queue a refresh that also reads `categories`, through the org's first connected shop of that
    platform and market (None: the org has none)."""
    channel = await session.scalar(
        select(ChannelAccount)
        .where(
            ChannelAccount.platform == platform,
            ChannelAccount.market == market,
            ChannelAccount.status == channels.CONNECTED,
        )
        .order_by(ChannelAccount.created_at, ChannelAccount.id)
        .limit(1)
    )
    if channel is None:
        return None
    return await jobs.create(
        session,
        org_id,
        KIND,
        channel_account_id=channel.id,
        params={"categories": sorted(set(categories))},
        dry_run=dry_run,
        started_by="user" if user_id else "system",
        user_id=user_id,
    )


@handler(KIND)
async def refresh_reference(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101 - created per channel
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    platform, market = shop.channel.platform, shop.channel.market
    tree_ttl, attributes_ttl, brands_ttl = ttls(sc)
    now = datetime.now(UTC)
    wanted = [str(c) for c in job.params.get("categories") or ()]
    async with sc.db.transaction() as session:
        todo = await cache.due(session, platform, market, now, wanted)
    counts = {"categories": 0, "details": 0}
    if todo.tree:
        tree = await shop.connector.categories()
        async with sc.db.transaction() as session:
            await cache.store_tree(session, platform, market, tree, now, tree_ttl)
            todo = await cache.due(session, platform, market, now, wanted)
        counts["categories"] = len(tree)
    for category_id in todo.details:
        attributes = await shop.connector.category_attributes(category_id)
        brands = await shop.connector.brands(category_id)
        limits = await shop.connector.category_limits(category_id)
        async with sc.db.transaction() as session:
            await cache.store_details(
                session,
                platform,
                market,
                category_id,
                attributes,
                brands,
                now,
                (attributes_ttl, brands_ttl),
                limits,
            )
        counts["details"] += 1
    log.info("reference.refreshed", platform=platform, market=market, **counts)
    return counts


assert KIND in jobs.KINDS  # noqa: S101 - a kind the jobs service accepts
