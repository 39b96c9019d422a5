"""Reading change sets: one by id, a page of its items, the list; and what a status means now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChangeSet, ChangeSetItem
from aiostore.errors import NotFound
from aiostore.services.pagination import Page, Sort, page_of, paginate
from aiostore.settings import get_settings

PREVIEWED, AWAITING, COMMITTED, REJECTED, EXPIRED = (
    "previewed",
    "awaiting_approval",
    "committed",
    "rejected",
    "expired",
)


def now() -> datetime:
    return datetime.now(UTC)


def approval_ttl() -> timedelta:
    """How long a committed change set may await approval (AIOSTORE_CHANGESET_APPROVAL_TTL_HOURS)."""
    return timedelta(hours=get_settings().changeset_approval_ttl_hours)


def approval_deadline(change_set: ChangeSet) -> datetime | None:
    """When a change set awaiting approval expires (None: it awaits none)."""
    if change_set.status != AWAITING or change_set.committed_at is None:
        return None
    return change_set.committed_at + approval_ttl()


def status_of(change_set: ChangeSet, at: datetime | None = None) -> str:
    """The stored status, or `expired` for a preview past its expiry or a change set that awaited
    approval longer than the approval time allows."""
    moment = at or now()
    if change_set.status == PREVIEWED and change_set.expires_at <= moment:
        return EXPIRED
    deadline = approval_deadline(change_set)
    if deadline is not None and deadline <= moment:
        return EXPIRED
    return change_set.status


async def get(session: AsyncSession, change_set_id: uuid.UUID) -> ChangeSet:
    """A change set of the session's org (another org's is not found)."""
    change_set = await session.get(ChangeSet, change_set_id, populate_existing=True)
    if change_set is None:
        raise NotFound("change set not found")
    return change_set


@dataclass(frozen=True, slots=True)
class ItemFilter:
    action: str | None = None
    severity: str | None = None
    sku: str | None = None
    channel_account_id: uuid.UUID | None = None


async def items_page(
    session: AsyncSession, change_set_id: uuid.UUID, filters: ItemFilter, *, cursor: str | None, limit: int
) -> Page[ChangeSetItem]:
    stmt = select(ChangeSetItem).where(ChangeSetItem.change_set_id == change_set_id)
    if filters.action:
        stmt = stmt.where(ChangeSetItem.action == filters.action)
    if filters.severity:
        stmt = stmt.where(ChangeSetItem.severity == filters.severity)
    if filters.sku:
        stmt = stmt.where(ChangeSetItem.sku == filters.sku)
    if filters.channel_account_id:
        stmt = stmt.where(ChangeSetItem.channel_account_id == filters.channel_account_id)
    sort = Sort(ChangeSetItem.seq, descending=False, kind="int")
    rows = list(
        (
            await session.scalars(
                paginate(stmt, sort=sort, id_column=ChangeSetItem.id, cursor=cursor, limit=limit)
            )
        ).all()
    )
    return page_of(rows, limit=limit, sort_value=lambda r: r.seq, row_id=lambda r: r.id)


async def list_change_sets(
    session: AsyncSession, *, kind: str | None, status: str | None, cursor: str | None, limit: int
) -> Page[ChangeSet]:
    """Newest first. `status` is the one `status_of` tells: `expired` finds previews past their expiry
    and change sets that awaited approval too long; `previewed` and `awaiting_approval` only live ones."""
    stmt = select(ChangeSet)
    if kind:
        stmt = stmt.where(ChangeSet.kind == kind)
    moment = now()
    preview_over = and_(ChangeSet.status == PREVIEWED, ChangeSet.expires_at <= moment)
    approval_over = and_(ChangeSet.status == AWAITING, ChangeSet.committed_at <= moment - approval_ttl())
    if status == EXPIRED:
        stmt = stmt.where(or_(preview_over, approval_over))
    elif status == PREVIEWED:
        stmt = stmt.where(ChangeSet.status == PREVIEWED, ChangeSet.expires_at > moment)
    elif status == AWAITING:
        stmt = stmt.where(ChangeSet.status == AWAITING, ChangeSet.committed_at > moment - approval_ttl())
    elif status:
        stmt = stmt.where(ChangeSet.status == status)
    sort = Sort(ChangeSet.created_at, descending=True, kind="datetime")
    rows = list(
        (
            await session.scalars(
                paginate(stmt, sort=sort, id_column=ChangeSet.id, cursor=cursor, limit=limit)
            )
        ).all()
    )
    return page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
