"""Reading change sets: one by id, a page of its items, the list; and what a status means now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChangeSet, ChangeSetItem
from aiostore.errors import NotFound
from aiostore.services.pagination import Page, Sort, page_of, paginate

PREVIEWED, AWAITING, COMMITTED, REJECTED, EXPIRED = (
    "previewed",
    "awaiting_approval",
    "committed",
    "rejected",
    "expired",
)


def now() -> datetime:
    return datetime.now(UTC)


def status_of(change_set: ChangeSet, at: datetime | None = None) -> str:
    """The stored status, or `expired` for a preview past its expiry."""
    if change_set.status == PREVIEWED and change_set.expires_at <= (at or now()):
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
    """Newest first. `status` is the stored one; `expired` finds previews past their expiry."""
    stmt = select(ChangeSet)
    if kind:
        stmt = stmt.where(ChangeSet.kind == kind)
    if status == EXPIRED:
        stmt = stmt.where(ChangeSet.status == PREVIEWED, ChangeSet.expires_at <= now())
    elif status == PREVIEWED:
        stmt = stmt.where(ChangeSet.status == PREVIEWED, ChangeSet.expires_at > now())
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
