"""Reconciliation findings (what a shop shows against the master), their resolution, and the
organisation's policy for edits made in a seller centre."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aiostore.db.models import ReconciliationFinding
from aiostore.domain.permissions import Permission
from aiostore.services.context import OrgContext
from aiostore.services.reconciliation import actions, policy
from aiostore.services.reconciliation.findings import FindingFilter, list_findings
from aiostore.services.reconciliation.policy import ReconciliationPolicy
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import Cursor, Limit, PageOut, StrictModel

router = APIRouter(prefix="/api/reconciliation", tags=["reconciliation"])

Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]
Manage = Annotated[OrgContext, RequirePermission(Permission.CHANGES_APPROVE)]
Kind = Literal["stock", "price", "title", "status"]
Cause = Literal["drift", "edit", "not_applied", "refused"]
Status = Literal["open", "repairing", "adopting", "repaired", "adopted", "overwritten", "ignored", "gone"]


class FindingOut(BaseModel):
    id: uuid.UUID
    channel_account_id: uuid.UUID
    listing_id: uuid.UUID
    sku: str
    kind: str
    cause: str
    ours: str | None
    theirs: str | None
    status: str
    source: str
    detail: str | None
    first_seen: datetime
    last_seen: datetime
    seen_count: int
    resolved_at: datetime | None
    resolved_by: uuid.UUID | None
    change_set_id: uuid.UUID | None

    @classmethod
    def of(cls, f: ReconciliationFinding) -> FindingOut:
        return cls.model_validate(f, from_attributes=True)


class ResolveIn(StrictModel):
    action: Literal["adopt", "overwrite", "ignore"]


@router.get("/findings")
async def get_findings(
    session: Session,
    ctx: Read,
    status: Annotated[Status | None, Query(description="`open`: open, repairing or adopting")] = None,
    kind: Annotated[Kind | None, Query()] = None,
    cause: Annotated[Cause | None, Query()] = None,
    channel_account_id: Annotated[uuid.UUID | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[FindingOut]:
    """What the reconciliation and the pushes' read-back found, newest first."""
    filters = FindingFilter(status=status, kind=kind, cause=cause, channel_account_id=channel_account_id)
    page = await list_findings(session, filters, cursor=cursor, limit=limit)
    return PageOut(items=[FindingOut.of(f) for f in page.items], next_cursor=page.next_cursor)


@router.post("/findings/{finding_id}/resolve")
async def resolve_finding(finding_id: uuid.UUID, body: ResolveIn, session: Session, ctx: Write) -> FindingOut:
    """Adopt the platform's value (prices through a price change set; titles and statuses as the
    listing's own), overwrite it with ours (stock and prices, through the shop's push), or ignore it
    (the same difference is not reported again). 409 `finding_not_open` once resolved; audited."""
    return FindingOut.of(await actions.resolve(session, ctx, finding_id, body.action))


@router.get("/policy")
async def get_policy(session: Session, ctx: Read) -> ReconciliationPolicy:
    """What the scheduled reconciliation does with a seller-centre edit, per kind (`ask` by default)."""
    return await policy.get_policy(session, ctx)


@router.put("/policy")
async def set_policy(body: ReconciliationPolicy, session: Session, ctx: Manage) -> ReconciliationPolicy:
    """Set the policy (admins and owners); audited."""
    return await policy.set_policy(session, ctx, body)
