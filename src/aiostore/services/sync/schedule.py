"""Periodic work per shop, queued by a one-minute tick: orders pulled every few minutes as a safety net
behind webhooks, products daily, tokens refreshed ahead of expiry, and, on the first connected shop of
each platform and market, platform reference data once its cache expired (a cache nobody asked for
stays empty: its first read is queued on demand). Intervals are settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, ChannelRoute, SyncJob
from aiostore.services import channels
from aiostore.services.reference import cache as reference_cache
from aiostore.services.sync import gaps, jobs
from aiostore.services.sync.context import SyncContext
from aiostore.services.sync.pull import ORDER_OVERLAP

OPEN = (jobs.QUEUED, jobs.RUNNING, jobs.RETRYING)


async def active_routes(sc: SyncContext) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(org, shop) of every active shop, across organisations (the one cross-tenant lookup), by shop."""
    async with sc.db.transaction() as session:
        rows = await session.execute(
            select(ChannelRoute.org_id, ChannelRoute.channel_account_id)
            .where(ChannelRoute.active.is_(True))
            .order_by(ChannelRoute.channel_account_id)
        )
        return [(org_id, channel_id) for org_id, channel_id in rows.all()]


async def tick(sc: SyncContext, now: datetime | None = None) -> int:
    """Queue what is due on every connected shop; returns how many jobs were created."""
    now = now or datetime.now(UTC)
    s = sc.settings
    orders_every = timedelta(minutes=s.sync_orders_interval_minutes)
    products_every = timedelta(hours=s.sync_products_interval_hours)
    refresh_margin = timedelta(minutes=s.token_refresh_margin_minutes)
    routes = await active_routes(sc)
    created = 0
    reference_pairs: set[tuple[str, str]] = set()  # one shop per platform and market reads its reference data
    for org_id, channel_id in routes:
        async with sc.tx(org_id) as session:
            channel = await session.get(ChannelAccount, channel_id)
            if channel is None or channel.status != channels.CONNECTED:
                continue
            busy = set(
                (
                    await session.scalars(
                        select(SyncJob.kind).where(
                            SyncJob.channel_account_id == channel_id, SyncJob.status.in_(OPEN)
                        )
                    )
                ).all()
            )
            due: list[str] = []
            if channel.access_expires_at is not None and channel.access_expires_at - refresh_margin <= now:
                due.append("refresh_tokens")
            if channel.orders_synced_until is None or channel.orders_synced_until + orders_every <= now:
                due.append("pull_orders")
            if channel.products_synced_at is None or channel.products_synced_at + products_every <= now:
                due.append("pull_products")
            pair = (channel.platform, channel.market)
            if pair not in reference_pairs:
                reference_pairs.add(pair)
                todo = await reference_cache.due(session, *pair, now)
                if not todo.empty and (todo.tree or todo.details):
                    due.append("refresh_reference")
            for kind in due:
                if kind in busy:
                    continue
                await jobs.create(
                    session,
                    org_id,
                    kind,
                    channel_account_id=channel_id,
                    dry_run=sc.dry_run,
                    started_by="schedule",
                )
                created += 1
            if gaps.KIND not in busy and await _check_silence(sc, session, org_id, channel, now):
                created += 1
    return created


async def _check_silence(
    sc: SyncContext, session: AsyncSession, org_id: uuid.UUID, channel: ChannelAccount, now: datetime
) -> bool:
    """Queue a gap check of the window since the shop's pushes fell silent, if they did (gaps.py)."""
    silent = await gaps.silent_since(
        session,
        channel,
        now,
        silence=timedelta(minutes=sc.settings.order_gap_silence_minutes),
        expected=sc.settings.order_gap_expected_orders,
    )
    if silent is None:
        return False
    params = {
        "since": (silent - ORDER_OVERLAP).isoformat(),
        "until": now.isoformat(),
        "reason": "webhook_silence",
    }
    await jobs.create(
        session,
        org_id,
        gaps.KIND,
        channel_account_id=channel.id,
        params=params,
        dry_run=sc.dry_run,
        started_by="schedule",
    )
    return True
