"""What the overview shows: what needs the seller's attention, and today's orders and sales per shop.

Reads only, under the caller's org (RLS and the tenant filter apply as everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import ListingStatus
from aiostore.db.models import ChannelAccount, Listing, Order, SyncJob
from aiostore.domain.market import MARKETS
from aiostore.domain.orders import OrderStatus
from aiostore.services import listings
from aiostore.services.channels import CONNECTED, DISCONNECTED, NEEDS_REAUTH
from aiostore.services.context import OrgContext
from aiostore.services.orders import local_date
from aiostore.services.sync.jobs import FAILED

EXPIRY_WARNING = timedelta(days=7)  # a shop whose authorisation ends sooner is on the to-do list
SHOWN = 5  # rows of each to-do list; the count says how many there are


@dataclass(frozen=True, slots=True)
class ToDo:
    shops: list[ChannelAccount]  # needing re-authorisation, or whose authorisation ends soon
    failed_jobs: list[SyncJob]
    failed_jobs_total: int
    oversold: list[Order]
    oversold_total: int
    unmatched_listings: int
    error_listings: int
    rejected_listings: int

    @property
    def empty(self) -> bool:
        return not (
            self.shops
            or self.failed_jobs_total
            or self.oversold_total
            or self.unmatched_listings
            or self.error_listings
            or self.rejected_listings
        )


@dataclass(frozen=True, slots=True)
class ShopDay:
    channel: ChannelAccount
    day: date  # today in the shop's market
    orders: int
    sales: int  # minor units of `currency`, cancelled orders left out
    currency: str


def needs_reauth(account: ChannelAccount, now: datetime) -> bool:
    if account.status == NEEDS_REAUTH:
        return True
    ends = account.refresh_expires_at
    return account.status == CONNECTED and ends is not None and ends - now < EXPIRY_WARNING


async def _count(session: AsyncSession, *where: object) -> int:
    return int(await session.scalar(select(func.count()).select_from(Listing).where(*where)) or 0)  # type: ignore[arg-type]


async def todo(session: AsyncSession, ctx: OrgContext, now: datetime | None = None) -> ToDo:
    now = now or datetime.now(UTC)
    accounts = (
        await session.scalars(select(ChannelAccount).where(ChannelAccount.status != DISCONNECTED))
    ).all()
    shops = [a for a in accounts if needs_reauth(a, now)]
    failed = select(SyncJob).where(SyncJob.status == FAILED)
    failed_jobs = (await session.scalars(failed.order_by(SyncJob.created_at.desc()).limit(SHOWN))).all()
    failed_total = await session.scalar(select(func.count()).select_from(failed.subquery()))
    open_oversold = select(Order).where(
        Order.oversold.is_(True), Order.status.in_([OrderStatus.UNPAID.value, OrderStatus.TO_SHIP.value])
    )
    oversold = (await session.scalars(open_oversold.order_by(Order.placed_at.desc()).limit(SHOWN))).all()
    oversold_total = await session.scalar(select(func.count()).select_from(open_oversold.subquery()))
    live = Listing.status != ListingStatus.DELETED.value
    return ToDo(
        shops=shops,
        failed_jobs=list(failed_jobs),
        failed_jobs_total=int(failed_total or 0),
        oversold=list(oversold),
        oversold_total=int(oversold_total or 0),
        unmatched_listings=await _count(session, Listing.variant_id.is_(None), live),
        error_listings=await _count(session, listings.state_is("error"), live),
        rejected_listings=await _count(session, Listing.status == ListingStatus.BANNED.value),
    )


async def today_by_shop(session: AsyncSession, ctx: OrgContext, now: datetime | None = None) -> list[ShopDay]:
    """Orders placed today (each shop's market calendar) and their sales, per shop still connected."""
    now = now or datetime.now(UTC)
    today = {code.value: now.astimezone(m.tz).date() for code, m in MARKETS.items()}
    accounts = (
        await session.scalars(
            select(ChannelAccount)
            .where(ChannelAccount.status != DISCONNECTED)
            .order_by(ChannelAccount.market, ChannelAccount.shop_name)
        )
    ).all()
    is_today = or_(
        *[and_(Order.market == code, local_date(Order.placed_at) == day) for code, day in today.items()]
    )
    not_cancelled = Order.status != OrderStatus.CANCELLED.value
    rows = await session.execute(
        select(
            Order.channel_account_id,
            func.count(),
            func.coalesce(func.sum(Order.total_amount).filter(not_cancelled), 0),
        )
        .where(Order.placed_at >= now - timedelta(days=2), is_today)
        .group_by(Order.channel_account_id)
    )
    totals = {channel_id: (int(n), int(s)) for channel_id, n, s in rows.all()}
    return [
        ShopDay(
            a,
            today[a.market],
            *totals.get(a.id, (0, 0)),
            MARKETS[a.market].currency.value,  # type: ignore[index]
        )
        for a in accounts
    ]
