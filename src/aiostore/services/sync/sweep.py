"""The sweep: a shop whose listings stayed dirty with no push on its way gets its push requested.

A push job or webhook event that exhausts its attempts (dead-lettered) leaves its listings dirty, and no
push would send them until the next sale. Each minute the sweep finds, per shop, listings dirty for
longer than ``sync_sweep_after_minutes`` with no push queued or running, and calls ``request_pushes`` for
those shops. The kinds of dirtiness are listed in ``DIRTY``: a new kind (price) adds its flag and time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute

from aiostore.db.models import Listing
from aiostore.services.sync import jobs, push
from aiostore.services.sync.context import SyncContext
from aiostore.services.sync.schedule import active_routes


@dataclass(frozen=True)
class Dirty:
    """One kind of change waiting to be pushed: the listing's flag and the time it was last set."""

    flag: InstrumentedAttribute[bool]
    since: InstrumentedAttribute[datetime | None]


DIRTY = (
    Dirty(Listing.stock_dirty, Listing.stock_dirty_at),
    Dirty(Listing.price_dirty, Listing.price_dirty_at),
)

# A push queued or running for the shop (procrastinate's own rows: its lock names the shop).
PUSH_IN_FLIGHT = text(
    "SELECT 1 FROM procrastinate_jobs WHERE lock = :lock AND status IN ('todo', 'doing') LIMIT 1"
)


def stale(before: datetime) -> ColumnElement[bool]:
    """A listing dirty (of any kind) since before ``before``."""
    return or_(*(and_(d.flag.is_(True), d.since < before) for d in DIRTY))


async def sweep(sc: SyncContext, now: datetime | None = None) -> list[uuid.UUID]:
    """Request a push for each shop with stale dirty listings and none in flight; the shops requested."""
    now = now or datetime.now(UTC)
    before = now - timedelta(minutes=sc.settings.sync_sweep_after_minutes)
    requested: list[uuid.UUID] = []
    for org_id, channel_id in await active_routes(sc):
        async with sc.tx(org_id) as session:
            dirty = await session.scalar(
                select(Listing.id).where(Listing.channel_account_id == channel_id, stale(before)).limit(1)
            )
            if dirty is None:
                continue
            lock = f"{jobs.PUSH_LOCK}{channel_id}"
            if (await session.execute(PUSH_IN_FLIGHT, {"lock": lock})).first() is not None:
                continue
            requested += await push.request_pushes(session, org_id, [channel_id])
    return requested
