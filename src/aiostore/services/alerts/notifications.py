"""The in-app notification centre of one user, and each user's alert channels and language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AlertPreference, AlertState, Notification
from aiostore.errors import NotFound
from aiostore.services import audit
from aiostore.services.alerts.messages import Message, render
from aiostore.services.context import OrgContext
from aiostore.services.pagination import Page, Sort, page_of, paginate


def _user(ctx: OrgContext) -> uuid.UUID:
    if ctx.actor.user_id is None:
        raise NotFound("notifications belong to people")
    return ctx.actor.user_id


@dataclass(frozen=True, slots=True)
class Shown:
    """A notification as its user reads it, in their language."""

    notification: Notification
    message: Message
    cleared: bool


async def preferences(session: AsyncSession, ctx: OrgContext) -> AlertPreference:
    user_id = _user(ctx)
    found = await session.scalar(select(AlertPreference).where(AlertPreference.user_id == user_id))
    return found or AlertPreference(
        org_id=ctx.org_id, user_id=user_id, in_app=True, email=False, language="en"
    )


async def set_preferences(
    session: AsyncSession, ctx: OrgContext, *, in_app: bool, email: bool, language: str
) -> AlertPreference:
    before = await preferences(session, ctx)
    old = {"in_app": before.in_app, "email": before.email, "language": before.language}
    values = {"in_app": in_app, "email": email, "language": language}
    stmt = insert(AlertPreference).values(id=uuid.uuid4(), org_id=ctx.org_id, user_id=_user(ctx), **values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["org_id", "user_id"], set_={**values, "updated_at": datetime.now(UTC)}
        )
    )
    await audit.record(
        session, ctx, "alert_preferences.updated", "user", ctx.actor.user_id, before=old, after=values
    )
    return await preferences(session, ctx)


async def list_notifications(
    session: AsyncSession,
    ctx: OrgContext,
    *,
    unread: bool | None,
    cursor: str | None,
    limit: int,
    language: str | None = None,
) -> Page[Shown]:
    """The user's notifications, newest first, in `language` (default: their alert language)."""
    user_id = _user(ctx)
    language = language or (await preferences(session, ctx)).language
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    sort = Sort(Notification.created_at, descending=True, kind="datetime")
    stmt = paginate(stmt, sort=sort, id_column=Notification.id, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    page = page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
    states = {r.alert_state_id for r in page.items}
    cleared = set(
        (
            await session.scalars(
                select(AlertState.id).where(AlertState.id.in_(states), AlertState.cleared_at.is_not(None))
            )
        ).all()
    )
    shown = [Shown(n, render(n.kind, n.subject, language), n.alert_state_id in cleared) for n in page.items]
    return Page(items=shown, next_cursor=page.next_cursor)


async def unread_count(session: AsyncSession, ctx: OrgContext) -> int:
    if ctx.actor.user_id is None:
        return 0
    stmt = select(func.count()).where(
        Notification.user_id == ctx.actor.user_id, Notification.read_at.is_(None)
    )
    return int(await session.scalar(stmt) or 0)


async def mark_read(session: AsyncSession, ctx: OrgContext, notification_id: uuid.UUID) -> Notification:
    found = await session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == _user(ctx))
    )
    if found is None:
        raise NotFound("no such notification")
    if found.read_at is None:
        found.read_at = datetime.now(UTC)
        await session.flush()
    return found


async def mark_all_read(session: AsyncSession, ctx: OrgContext) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == _user(ctx), Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    return int(getattr(result, "rowcount", 0) or 0)
