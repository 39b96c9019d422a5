"""Following a platform's review of created or edited listings (TikTok Shop audit, Lazada QC, Shopee
review, Tokopedia pending): the `catalog.follow_review` job and the review push.

`request` queues one job for a shop and its item ids (the publish job calls it after a create or an
update). The job reads every item's review in one batched connector call (`review_states`), writes each
listing's `review_state` (under_review, live, rejected), `review_reason` and `review_code` (the
platform's own words) and its status, and runs again after a doubling delay while any item is still under
review (`runner.Later`: no attempt spent); it ends when all are live or rejected (or after
`review_follow_hours`), its result naming each item's outcome and every rejection's reason. A push that
says a review ended (`apply_push`) updates the listing at once. A rejection asks the alert rules to be
evaluated ("listing rejected by a platform") and is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import ReviewDTO, ReviewState
from aiostore.db.models import Listing, SyncJob
from aiostore.domain.permissions import Role
from aiostore.services import audit
from aiostore.services.alerts import triggers
from aiostore.services.context import SYSTEM, OrgContext
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.runner import Later, handler

log = structlog.get_logger(__name__)
KIND = "catalog.follow_review"
MAX_ITEMS = 500  # item ids one job follows


async def request(
    session: AsyncSession,
    org_id: uuid.UUID,
    channel_account_id: uuid.UUID,
    item_ids: Sequence[str],
    *,
    dry_run: bool,
    started_by: str = "system",
    user_id: uuid.UUID | None = None,
) -> list[SyncJob]:
    """Queue the jobs that follow these items' review on this shop (one per `MAX_ITEMS` ids), marking
    their listings under review at once."""
    ids = list(dict.fromkeys(str(i) for i in item_ids))
    await session.execute(
        update(Listing)
        .where(Listing.channel_account_id == channel_account_id, Listing.platform_item_id.in_(ids))
        .values(review_state=ReviewState.UNDER_REVIEW.value, review_reason=None, review_code=None)
    )
    return [
        await jobs.create(
            session,
            org_id,
            KIND,
            channel_account_id=channel_account_id,
            params={"item_ids": ids[start : start + MAX_ITEMS]},
            dry_run=dry_run,
            started_by=started_by,
            user_id=user_id,
        )
        for start in range(0, len(ids), MAX_ITEMS)
    ]


async def apply(
    session: AsyncSession, org_id: uuid.UUID, channel_id: uuid.UUID, reviews: Sequence[ReviewDTO]
) -> int:
    """Write each review on the shop's listings of its item (the listing's item, or the platform product
    it belongs to: a Tokopedia variant is a product of its own under the reviewed parent); returns the
    listings newly rejected."""
    by_item = {r.item_id: r for r in reviews}
    if not by_item:
        return 0
    product = Listing.platform_state["product_id"].astext
    rows = await session.scalars(
        select(Listing)
        .where(
            Listing.channel_account_id == channel_id,
            or_(Listing.platform_item_id.in_(list(by_item)), product.in_(list(by_item))),
        )
        .with_for_update()
    )
    now, rejected = datetime.now(UTC), 0
    ctx = OrgContext(org_id, Role.OWNER, SYSTEM)
    for listing in rows:
        own = by_item.get(listing.platform_item_id)
        review = own or by_item[str((listing.platform_state or {}).get("product_id"))]
        before = (listing.review_state, listing.review_reason)
        listing.review_state = review.state.value
        listing.review_reason = review.reason or None
        listing.review_code = review.code or None
        listing.review_checked_at = now
        listing.status = review.status.value
        listing.platform_state = {**listing.platform_state, "status": review.platform_status}
        if (
            before == (listing.review_state, listing.review_reason)
            or review.state is ReviewState.UNDER_REVIEW
        ):
            continue
        after = {"review_state": listing.review_state, "review_reason": listing.review_reason}
        action = (
            "listing.review_rejected" if review.state is ReviewState.REJECTED else "listing.review_passed"
        )
        await audit.record(
            session, ctx, action, "listing", listing.id, before={"review_state": before[0]}, after=after
        )
        rejected += review.state is ReviewState.REJECTED
    if rejected:
        await triggers.evaluate_soon(session, org_id)
    return rejected


def _outcome(item_ids: Sequence[str], reviews: Sequence[ReviewDTO]) -> dict[str, Any]:
    by_item = {r.item_id: r for r in reviews}
    return {
        "live": [i for i in item_ids if i in by_item and by_item[i].state is ReviewState.LIVE],
        "under_review": [
            i for i in item_ids if i in by_item and by_item[i].state is ReviewState.UNDER_REVIEW
        ],
        "rejected": [
            {"item_id": i, "reason": by_item[i].reason, "code": by_item[i].code}
            for i in item_ids
            if i in by_item and by_item[i].state is ReviewState.REJECTED
        ],
        "missing": [i for i in item_ids if i not in by_item],
    }


@handler(KIND)
async def follow_review(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101 - created with a shop
    item_ids = [str(i) for i in job.params.get("item_ids") or ()]
    shop = await open_channel(sc, job.org_id, job.channel_account_id)
    reviews = await shop.connector.review_states(item_ids)
    async with sc.tx(job.org_id) as session:
        await apply(session, job.org_id, job.channel_account_id, reviews)
    polls = int((job.result or {}).get("polls") or 0) + 1
    result = {**_outcome(item_ids, reviews), "polls": polls}
    log.info("review.read", items=len(item_ids), under_review=len(result["under_review"]))
    started = job.created_at or datetime.now(UTC)
    give_up = started + timedelta(hours=sc.settings.review_follow_hours)
    if result["under_review"] and datetime.now(UTC) < give_up:
        settings = sc.settings
        delay = min(settings.review_poll_max_seconds, settings.review_poll_seconds * 2 ** (polls - 1))
        raise Later(delay, result)
    return result


async def apply_push(sc: SyncContext, org_id: uuid.UUID, channel_id: uuid.UUID, item_id: str) -> bool:
    """A push said an item's review (or status) changed: read its review now and write it on our
    listings of it. False when we have no listing of that item (nothing read)."""
    async with sc.tx(org_id) as session:
        known = await session.scalar(
            select(Listing.id)
            .where(Listing.channel_account_id == channel_id, Listing.platform_item_id == item_id)
            .limit(1)
        )
    if known is None:
        return False
    shop = await open_channel(sc, org_id, channel_id)
    reviews = await shop.connector.review_states([item_id])
    async with sc.tx(org_id) as session:
        await apply(session, org_id, channel_id, reviews)
    return True


assert KIND in jobs.KINDS  # noqa: S101 - a kind the jobs service accepts
