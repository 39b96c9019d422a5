"""The audit log: who changed what, when, from where. Newest first, cursor-paginated."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aiostore.domain.permissions import Permission
from aiostore.input_policy import Instant
from aiostore.services import audit
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import Cursor, Limit, PageOut

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    actor_type: str
    actor_id: uuid.UUID | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str | None
    changes: dict[str, Any]
    request_id: str | None
    client_ip: str | None


@router.get("")
async def list_audit(
    session: Session,
    ctx: Annotated[OrgContext, RequirePermission(Permission.AUDIT_READ)],
    action: Annotated[str | None, Query(max_length=100)] = None,
    entity_type: Annotated[str | None, Query(max_length=50)] = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
    actor_id: uuid.UUID | None = None,
    since: Instant | None = None,
    until: Instant | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[AuditOut]:
    filters = audit.AuditFilter(action, entity_type, entity_id, actor_id, since, until)
    page = await audit.list_entries(session, filters, cursor=cursor, limit=limit)
    return PageOut(
        items=[AuditOut.model_validate(e, from_attributes=True) for e in page.items],
        next_cursor=page.next_cursor,
    )
