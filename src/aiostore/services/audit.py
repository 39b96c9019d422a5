"""The audit log: every change by a person, a token or a job, in the same transaction as the change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AuditLog
from aiostore.services.context import OrgContext
from aiostore.services.pagination import Page, Sort, page_of, paginate

REDACTED_FIELDS = frozenset({"password", "password_hash", "token_hash", "access_token", "refresh_token"})


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Only the fields that differ, as {field: {"before": x, "after": y}}; secrets are never stored."""
    before, after = before or {}, after or {}
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old == new:
            continue
        if key in REDACTED_FIELDS:
            old, new = (
                ("[redacted]" if old is not None else None),
                ("[redacted]" if new is not None else None),
            )
        out[key] = {"before": old, "after": new}
    return out


async def record(
    session: AsyncSession,
    ctx: OrgContext,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        org_id=ctx.org_id,
        actor_type=ctx.actor.kind.value,
        actor_id=ctx.actor.audit_id,
        actor_label=ctx.actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        changes=changes(before, after),
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
    )
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_entries(
    session: AsyncSession, filters: AuditFilter, *, cursor: str | None, limit: int
) -> Page[AuditLog]:
    stmt = select(AuditLog)
    if filters.action:
        stmt = stmt.where(AuditLog.action == filters.action)
    if filters.entity_type:
        stmt = stmt.where(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditLog.entity_id == filters.entity_id)
    if filters.actor_id:
        stmt = stmt.where(AuditLog.actor_id == filters.actor_id)
    if filters.since:
        stmt = stmt.where(AuditLog.created_at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditLog.created_at < filters.until)
    sort = Sort(AuditLog.created_at, descending=True, kind="datetime")
    stmt = paginate(stmt, sort=sort, id_column=AuditLog.id, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    return page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
