"""Order gaps: orders a shop has that we do not (or have older), found by comparing the platform's order
list of a window with ours, and filled by reading only those orders.

Why a list comparison: none of the four platforms numbers its orders in sequence (Shopee's order_sn is a
date and random letters, TikTok's ids are 18-digit snowflakes, Lazada's and Tokopedia's are large numbers
with no step; docs/marketplaces/), so a missing number proves nothing. What the platforms do give is an
order list by update time (paged by each connector: Shopee's cursor in windows of at most 15 days,
TikTok's page token, Lazada's offset, Tokopedia's pages): an order listed there that we lack, or whose
listed update time or status is ahead of ours, is a hole, whichever way it came about (a push the
platform never sent, a processing that gave up, a window no pull covered).

A check runs as a `check_order_gaps` job on one shop: on demand, and queued by the scheduler when a
shop's pushes fall silent while it normally sells (`webhook_silence`). Each job's result says what it
found and filled (shown by /api/jobs); a check that found holes is audited (`orders.gaps_filled`) and
logged (`orders.gap.found`, `orders.gap.filled`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import OrderDTO, OrderRef
from aiostore.db.models import ChannelAccount, Order, SyncJob, WebhookEvent
from aiostore.domain.orders import status_rank
from aiostore.domain.permissions import Role
from aiostore.services import audit
from aiostore.services.context import SYSTEM, OrgContext
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.pull import ingest_each, new_counts, versions_of
from aiostore.services.sync.runner import handler

log = structlog.get_logger(__name__)

KIND = "check_order_gaps"
SAMPLE = 100  # order ids kept in a job's result
MIN_SPAN = timedelta(hours=1)  # a shop's usual order rate is never taken over less than this


async def holes(
    session: AsyncSession, channel_id: uuid.UUID, refs: list[OrderRef]
) -> tuple[list[str], list[str]]:
    """(missing, behind): listed orders we lack, and those whose listed version is ahead of ours."""
    ours = await versions_of(session, channel_id, [ref.order_id for ref in refs])
    missing: list[str] = []
    behind: list[str] = []
    for ref in refs:
        known = ours.get(ref.order_id)
        if known is None:
            missing.append(ref.order_id)
        elif _ahead(ref, *known[:2]):
            behind.append(ref.order_id)
    return missing, behind


def _ahead(ref: OrderRef, updated_at: datetime, status: str) -> bool:
    listed_time = ref.order.updated_at if ref.order is not None else ref.updated_at
    if listed_time is not None and listed_time != updated_at:
        return listed_time > updated_at
    listed_status = ref.order.status if ref.order is not None else ref.status
    return listed_status is not None and status_rank(listed_status.value) > status_rank(status)


async def fill(sc: SyncContext, job: SyncJob, since: datetime, until: datetime) -> dict[str, Any]:
    """Compare the shop's order list of [since, until] with ours; read and ingest only the holes."""
    assert job.channel_account_id is not None  # noqa: S101
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    refs = [ref async for ref in shop.connector.list_orders(since, until)]
    async with sc.tx(job.org_id) as session:
        missing, behind = await holes(session, shop.channel.id, refs)
    found = missing + behind
    if found:
        log.warning(
            "orders.gap.found",
            channel_id=str(shop.channel.id),
            platform=shop.channel.platform,
            missing=len(missing),
            behind=len(behind),
            since=since.isoformat(),
            until=until.isoformat(),
        )
    wanted = set(found)
    whole: list[OrderDTO] = [r.order for r in refs if r.order is not None and r.order_id in wanted]
    to_read = [order_id for order_id in found if order_id not in {o.order_id for o in whole}]
    batch = max(1, shop.connector.limits.order_detail_batch)
    for start in range(0, len(to_read), batch):
        whole.extend(await shop.connector.get_orders(to_read[start : start + batch]))
    counts = new_counts()
    await ingest_each(sc, job, shop.channel, whole, counts)
    filled = counts["created"] + counts["updated"]
    result = {
        "listed": len(refs),
        "gaps_found": len(found),
        "gaps_filled": filled,
        "missing": len(missing),
        "behind": len(behind),
        "order_ids": found[:SAMPLE],
        "since": since.isoformat(),
        "until": until.isoformat(),
        "reason": job.params.get("reason", "requested"),
        "api_calls": shop.connector.api_calls,
    }
    if found:
        async with sc.tx(job.org_id) as session:
            ctx = OrgContext(job.org_id, Role.OWNER, SYSTEM)
            summary = {k: result[k] for k in ("gaps_found", "gaps_filled", "missing", "behind", "reason")}
            await audit.record(
                session, ctx, "orders.gaps_filled", "channel_account", shop.channel.id, after=summary
            )
        log.info("orders.gap.filled", channel_id=str(shop.channel.id), found=len(found), filled=filled)
    return result


@handler(KIND)
async def check_order_gaps(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    until = datetime.fromisoformat(job.params["until"]) if "until" in job.params else datetime.now(UTC)
    if "since" in job.params:
        since = datetime.fromisoformat(job.params["since"])
    else:
        since = until - timedelta(hours=sc.settings.order_gap_window_hours)
    return await fill(sc, job, since, until)


# --- when the pushes fall silent -------------------------------------------------------------------


async def silent_since(
    session: AsyncSession, channel: ChannelAccount, now: datetime, *, silence: timedelta, expected: float
) -> datetime | None:
    """When the shop's pushes fell silent, if they are silent for `silence` or more while its usual rate
    of orders would have brought `expected` orders or more in that time; else None. The usual rate: the
    orders placed in the 7 days before the last push, over the time from the first of them to that push
    (an hour at least). A shop that never received a push is left to the periodic pull."""
    last_push = await session.scalar(
        select(func.max(WebhookEvent.created_at)).where(WebhookEvent.channel_account_id == channel.id)
    )
    if last_push is None or now - last_push < silence:
        return None
    week = timedelta(days=7)
    placed, first = (
        await session.execute(
            select(func.count(), func.min(Order.placed_at))
            .where(Order.channel_account_id == channel.id, Order.placed_at >= last_push - week)
            .where(Order.placed_at < last_push)
        )
    ).one()
    if not placed:
        return None
    span = max(last_push - first, MIN_SPAN)
    if placed / span.total_seconds() * (now - last_push).total_seconds() < expected:
        return None
    last_check = await session.scalar(
        select(func.max(SyncJob.created_at)).where(
            SyncJob.channel_account_id == channel.id, SyncJob.kind == KIND
        )
    )
    if last_check is not None and last_check > last_push:
        return None  # this silence was checked already; the periodic pull covers it from then on
    return last_push
