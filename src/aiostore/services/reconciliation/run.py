"""The scheduled reconciliation of one shop (a `reconcile` sync job) and the tick that queues it.

A run reads the shop's linked listings back (services/reconciliation/reading.py: batched, within
`reconcile_read_calls` platform calls; a large shop continues from `channel_accounts.reconcile_cursor`
on the next tick), compares them with the master (compare.py), keeps each difference as a finding,
requests a stock repair for at most `reconcile_max_repairs` drifted listings through the one push path
(`inventory.stock_changed`), and applies the organisation's policy to price, title and status edits
(actions.py), each in a transaction of its own. New stock drift asks for the alert rules at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import exists, func, or_, select, update

from aiostore.db.models import ChannelAccount, Listing, ReconciliationFinding, SyncJob
from aiostore.domain.permissions import Role
from aiostore.errors import AppError
from aiostore.services import channels, inventory
from aiostore.services.alerts import triggers
from aiostore.services.context import SYSTEM, OrgContext
from aiostore.services.reconciliation import actions
from aiostore.services.reconciliation.compare import compare
from aiostore.services.reconciliation.policy import get_policy
from aiostore.services.reconciliation.reading import read_within
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext, open_channel
from aiostore.services.sync.runner import handler
from aiostore.services.sync.schedule import active_routes

log = structlog.get_logger(__name__)
KIND = "reconcile"
OPEN = (jobs.QUEUED, jobs.RUNNING, jobs.RETRYING)


def system(org_id: uuid.UUID) -> OrgContext:
    """The scheduled run acts for the organisation as the system (audit entries say so)."""
    return OrgContext(org_id, Role.OWNER, SYSTEM)


async def _act(
    sc: SyncContext, org_id: uuid.UUID, finding_ids: list[uuid.UUID], policy: dict[str, str]
) -> int:
    """The policy's action on each finding, one transaction each: a refused adoption (a price below the
    floor...) leaves that finding open with the reason, and the others go on."""
    acted = 0
    for finding_id in finding_ids:
        try:
            async with sc.tx(org_id) as session:
                finding = await session.get(ReconciliationFinding, finding_id)
                if finding is None:
                    continue
                await actions.resolve(session, system(org_id), finding_id, policy[finding.kind])  # type: ignore[arg-type]
                acted += 1
        except AppError as exc:
            async with sc.tx(org_id) as session:
                await session.execute(
                    update(ReconciliationFinding)
                    .where(ReconciliationFinding.id == finding_id)
                    .values(detail=f"the policy could not be applied: {exc}"[:500])
                )
            log.warning("reconcile.policy_refused", finding=str(finding_id), error=str(exc))
    return acted


@handler(KIND)
async def reconcile(sc: SyncContext, job: SyncJob) -> dict[str, Any]:
    assert job.channel_account_id is not None  # noqa: S101
    org_id, channel_id = job.org_id, job.channel_account_id
    async with sc.tx(org_id) as session:
        shop = await open_channel(sc, org_id, channel_id, session)
        cursor = shop.channel.reconcile_cursor
        stmt = (
            select(Listing.platform_item_id, func.min(Listing.platform_sku))
            .where(Listing.channel_account_id == channel_id, Listing.variant_id.is_not(None))
            .group_by(Listing.platform_item_id)
            .order_by(Listing.platform_item_id)
        )
        if cursor is not None:
            stmt = stmt.where(Listing.platform_item_id > cursor)
        rows = (await session.execute(stmt)).all()
        policy = await get_policy(session, system(org_id))
    items = [item for item, _ in rows]
    skus = {item: sku for item, sku in rows if sku}
    read = await read_within(shop.connector, items, sc.settings.reconcile_read_calls, skus)
    finished = len(read.items) == len(items)
    acting = frozenset(k for k, v in policy.model_dump().items() if v != "ask")
    async with sc.tx(org_id) as session:
        found = await compare(
            session, channel_id, shop.channel.market, shop.connector.limits, read.shown, read.items,
            max_repairs=sc.settings.reconcile_max_repairs, acting=acting,
        )  # fmt: skip
        await inventory.stock_changed(session, org_id, listing_ids=found.repairs)
        await session.execute(
            update(ChannelAccount)
            .where(ChannelAccount.id == channel_id)
            .values(
                reconcile_cursor=None if finished else (read.items[-1] if read.items else cursor),
                reconciled_at=datetime.now(UTC) if finished else ChannelAccount.reconciled_at,
            )
        )
        if found.new_stock:
            await triggers.evaluate_soon(session, org_id)
    acted = await _act(sc, org_id, found.to_act, policy.model_dump())
    log.info("reconcile.done", items=len(read.items), calls=read.calls, repairs=len(found.repairs))
    return {
        "items_read": len(read.items),
        "items_left": len(items) - len(read.items),
        "read_calls": read.calls,
        "findings": found.counts,
        "repairs": len(found.repairs),
        "policy_actions": acted,
        "api_calls": shop.connector.api_calls,
    }


async def tick(sc: SyncContext, now: datetime | None = None) -> int:
    """Queue a `reconcile` job on every connected shop with linked listings, pulled at least once, whose
    last full pass is older than the interval or whose last run stopped part-way (its read budget
    spent); returns how many were queued."""
    now = now or datetime.now(UTC)
    due_before = now - timedelta(minutes=sc.settings.reconcile_interval_minutes)
    created = 0
    for org_id, channel_id in await active_routes(sc):
        async with sc.tx(org_id) as session:
            due = await session.scalar(
                select(ChannelAccount.id).where(
                    ChannelAccount.id == channel_id,
                    ChannelAccount.status == channels.CONNECTED,
                    ChannelAccount.products_synced_at.is_not(None),  # after its first products pull
                    exists().where(  # something to compare: a listing linked to the master
                        Listing.channel_account_id == ChannelAccount.id, Listing.variant_id.is_not(None)
                    ),
                    or_(
                        ChannelAccount.reconciled_at.is_(None),
                        ChannelAccount.reconciled_at <= due_before,
                        ChannelAccount.reconcile_cursor.is_not(None),
                    ),
                )
            )
            busy = await session.scalar(
                select(SyncJob.id).where(
                    SyncJob.channel_account_id == channel_id, SyncJob.kind == KIND, SyncJob.status.in_(OPEN)
                )
            )
            if due is None or busy is not None:
                continue
            await jobs.create(
                session,
                org_id,
                KIND,
                channel_account_id=channel_id,
                dry_run=sc.dry_run,
                started_by="schedule",
            )
            created += 1
    return created
