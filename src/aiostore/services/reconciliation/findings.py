"""Findings: kept, one open row per listing and kind, updated when seen again, closed when resolved.

Every writer (the scheduled reconciliation, a push's read-back, a person resolving) goes through
`note` and `close`, in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Listing, ReconciliationFinding
from aiostore.db.models.reconciliation import OPEN_STATES
from aiostore.services.pagination import Page, Sort, page_of, paginate

KINDS = ("stock", "price", "title", "status")
CAUSES = ("drift", "edit", "not_applied", "refused")
STATUSES = (*OPEN_STATES, "repaired", "adopted", "overwritten", "ignored", "gone")


@dataclass(frozen=True, slots=True)
class Seen:
    """One difference: what we hold (`ours`) and what the platform shows (`theirs`), as text."""

    kind: str
    cause: str
    ours: str | None
    theirs: str | None


def _ref(listing: Listing) -> str:
    return (listing.platform_sku or f"{listing.platform_item_id}/{listing.platform_model_id}")[:100]


async def open_findings(
    session: AsyncSession, listing_ids: Iterable[uuid.UUID], kinds: Iterable[str] = KINDS
) -> dict[tuple[uuid.UUID, str], ReconciliationFinding]:
    """The open findings of these listings, by (listing, kind), locked for update."""
    ids = sorted(set(listing_ids))
    if not ids:
        return {}
    rows = await session.scalars(
        select(ReconciliationFinding)
        .where(
            ReconciliationFinding.listing_id.in_(ids),
            ReconciliationFinding.kind.in_(list(kinds)),
            ReconciliationFinding.status.in_(OPEN_STATES),
        )
        .order_by(ReconciliationFinding.id)
        .with_for_update()
    )
    return {(f.listing_id, f.kind): f for f in rows.all()}


async def ignored(
    session: AsyncSession, listing_ids: Iterable[uuid.UUID]
) -> set[tuple[uuid.UUID, str, str | None, str | None]]:
    """(listing, kind, ours, theirs) a person chose to ignore: the same difference is not reported again."""
    ids = sorted(set(listing_ids))
    if not ids:
        return set()
    rows = await session.execute(
        select(
            ReconciliationFinding.listing_id,
            ReconciliationFinding.kind,
            ReconciliationFinding.ours,
            ReconciliationFinding.theirs,
        ).where(ReconciliationFinding.listing_id.in_(ids), ReconciliationFinding.status == "ignored")
    )
    return {(a, b, c, d) for a, b, c, d in rows.all()}


async def note(
    session: AsyncSession,
    listing: Listing,
    seen: Seen,
    *,
    source: str,
    status: str = "open",
    detail: str | None = None,
    existing: ReconciliationFinding | None = None,
) -> tuple[ReconciliationFinding, bool]:
    """Record a difference: a new open finding, or the open one of that listing and kind seen again.
    Returns the finding and whether it is new."""
    now = datetime.now(UTC)
    if existing is None:
        existing = (await open_findings(session, [listing.id], [seen.kind])).get((listing.id, seen.kind))
    if existing is not None:
        existing.last_seen = now
        existing.seen_count += 1
        existing.ours, existing.theirs, existing.cause = seen.ours, seen.theirs, seen.cause
        existing.status, existing.detail = status, detail
        return existing, False
    finding = ReconciliationFinding(
        org_id=listing.org_id,
        channel_account_id=listing.channel_account_id,
        listing_id=listing.id,
        kind=seen.kind,
        cause=seen.cause,
        sku=_ref(listing),
        ours=seen.ours,
        theirs=seen.theirs,
        status=status,
        source=source,
        detail=detail,
        first_seen=now,
        last_seen=now,
    )
    session.add(finding)
    await session.flush()
    return finding, True


async def close(
    session: AsyncSession,
    listing_ids: Iterable[uuid.UUID],
    kinds: Iterable[str],
    *,
    status: str,
    user_id: uuid.UUID | None = None,
) -> int:
    """Close the open findings of these listings and kinds (the platform agrees again, or a repair
    was read back equal); returns how many."""
    ids = sorted(set(listing_ids))
    if not ids:
        return 0
    result = await session.execute(
        update(ReconciliationFinding)
        .where(
            ReconciliationFinding.listing_id.in_(ids),
            ReconciliationFinding.kind.in_(list(kinds)),
            ReconciliationFinding.status.in_(OPEN_STATES),
        )
        .values(status=status, resolved_at=datetime.now(UTC), resolved_by=user_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class FindingFilter:
    status: str | None = None  # one stored status, or "open" for every open one
    kind: str | None = None
    cause: str | None = None
    channel_account_id: uuid.UUID | None = None


async def list_findings(
    session: AsyncSession, filters: FindingFilter, *, cursor: str | None, limit: int
) -> Page[ReconciliationFinding]:
    """Newest first, under the organisation's RLS."""
    stmt = select(ReconciliationFinding)
    if filters.status == "open":
        stmt = stmt.where(ReconciliationFinding.status.in_(OPEN_STATES))
    elif filters.status:
        stmt = stmt.where(ReconciliationFinding.status == filters.status)
    if filters.kind:
        stmt = stmt.where(ReconciliationFinding.kind == filters.kind)
    if filters.cause:
        stmt = stmt.where(ReconciliationFinding.cause == filters.cause)
    if filters.channel_account_id:
        stmt = stmt.where(ReconciliationFinding.channel_account_id == filters.channel_account_id)
    sort = Sort(ReconciliationFinding.created_at, descending=True, kind="datetime")
    query = paginate(stmt, sort=sort, id_column=ReconciliationFinding.id, cursor=cursor, limit=limit)
    rows = list((await session.scalars(query)).all())
    return page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
