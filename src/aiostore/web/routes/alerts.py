"""Alerts: the organisation's rules and outbound webhook endpoints (admins), each person's notification
centre (live over SSE) and their alert channels and language."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, StringConstraints

from aiostore.db.models import AlertRule, AlertWebhook
from aiostore.domain.permissions import Permission
from aiostore.services.alerts import endpoints, notifications, rules
from aiostore.services.context import OrgContext
from aiostore.web.deps import AppSettings, RequirePermission, Session, response_cipher
from aiostore.web.job_events import NOTIFICATION, Subscription, sse_response
from aiostore.web.routes.common import Cursor, Limit, PageOut, StrictModel
from aiostore.web.routes.jobs import job_event_hub

router = APIRouter(tags=["alerts"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Manage = Annotated[OrgContext, RequirePermission(Permission.ALERTS_MANAGE)]
Language = Literal["en", "id"]


class RuleOut(BaseModel):
    kind: str
    enabled: bool
    params: dict[str, Any]
    updated_at: datetime

    @classmethod
    def of(cls, rule: AlertRule) -> RuleOut:
        return cls(kind=rule.kind, enabled=rule.enabled, params=rule.params, updated_at=rule.updated_at)


class RuleIn(StrictModel):
    enabled: bool | None = None
    params: dict[str, Any] | None = None


@router.get("/api/alerts/rules")
async def list_rules(session: Session, ctx: Manage) -> list[RuleOut]:
    """Every kind of alert with its parameters; all are on until an admin turns one off."""
    return [RuleOut.of(r) for r in await rules.list_rules(session, ctx)]


@router.put("/api/alerts/rules/{kind}")
async def update_rule(kind: str, body: RuleIn, session: Session, ctx: Manage) -> RuleOut:
    """Turn a rule on or off, or change its parameters (only those given; the rest stay)."""
    rule = await rules.update_rule(session, ctx, kind, enabled=body.enabled, params=body.params)
    return RuleOut.of(rule)


class WebhookIn(StrictModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    language: Language = "en"


class WebhookOut(BaseModel):
    id: uuid.UUID
    name: str
    url: str
    language: str
    enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, w: AlertWebhook) -> WebhookOut:
        return cls(
            id=w.id, name=w.name, url=w.url, language=w.language, enabled=w.enabled, created_at=w.created_at
        )


class CreatedWebhookOut(WebhookOut):
    secret: str


@router.get("/api/alerts/webhooks")
async def list_webhooks(session: Session, ctx: Manage) -> list[WebhookOut]:
    return [WebhookOut.of(w) for w in await endpoints.list_endpoints(session)]


@router.post("/api/alerts/webhooks", status_code=status.HTTP_201_CREATED)
async def create_webhook(
    body: WebhookIn, request: Request, session: Session, ctx: Manage, settings: AppSettings
) -> CreatedWebhookOut:
    """An endpoint that receives raised alerts signed the Standard Webhooks way. Its `whsec_` secret is in
    this answer only."""
    created = await endpoints.create(
        session,
        ctx,
        response_cipher(request),
        name=body.name,
        url=body.url,
        language=body.language,
        allow_private=settings.alert_webhook_allow_private,
    )
    return CreatedWebhookOut(**WebhookOut.of(created.endpoint).model_dump(), secret=created.secret)


@router.delete("/api/alerts/webhooks/{webhook_id}")
async def delete_webhook(webhook_id: uuid.UUID, session: Session, ctx: Manage) -> WebhookOut:
    return WebhookOut.of(await endpoints.delete(session, ctx, webhook_id))


class NotificationOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    text: str
    subject: dict[str, Any]
    cleared: bool
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, shown: notifications.Shown) -> NotificationOut:
        n = shown.notification
        return cls(
            id=n.id,
            kind=n.kind,
            title=shown.message.title,
            text=shown.message.text,
            subject=n.subject,
            cleared=shown.cleared,
            created_at=n.created_at,
            read_at=n.read_at,
        )


class NotificationPageOut(PageOut[NotificationOut]):
    unread: int


@router.get("/api/notifications")
async def list_notifications(
    session: Session, ctx: Read, unread: bool | None = None, cursor: Cursor = None, limit: Limit = 50
) -> NotificationPageOut:
    """Your notifications, newest first, in your alert language; `unread` counts all unread ones."""
    page = await notifications.list_notifications(session, ctx, unread=unread, cursor=cursor, limit=limit)
    return NotificationPageOut(
        items=[NotificationOut.of(s) for s in page.items],
        next_cursor=page.next_cursor,
        unread=await notifications.unread_count(session, ctx),
    )


async def notification_subscription(request: Request, ctx: Read) -> AsyncIterator[Subscription]:
    user = ctx.actor.user_id or uuid.UUID(int=0)
    async with job_event_hub(request).subscribe(ctx.org_id, user, NOTIFICATION) as subscription:
        yield subscription


@router.get("/api/notifications/events", responses={429: {"description": "too many event streams open"}})
async def notification_events(
    request: Request,
    ctx: Read,
    subscription: Annotated[Subscription, Depends(notification_subscription, scope="request")],
    max_seconds: Annotated[int, Query(ge=1, le=3600, description="the stream ends after this")] = 600,
) -> StreamingResponse:
    """Server-sent events: one `notification` event for each new notification of yours (the jobs
    stream's LISTEN/NOTIFY hub; the same per-user stream limit)."""
    return sse_response(request, subscription, max_seconds, NOTIFICATION)


class ReadOut(BaseModel):
    marked: int
    unread: int


@router.post("/api/notifications/read-all")
async def mark_all_read(session: Session, ctx: Read) -> ReadOut:
    marked = await notifications.mark_all_read(session, ctx)
    return ReadOut(marked=marked, unread=await notifications.unread_count(session, ctx))


@router.post("/api/notifications/{notification_id}/read")
async def mark_read(notification_id: uuid.UUID, session: Session, ctx: Read) -> ReadOut:
    await notifications.mark_read(session, ctx, notification_id)
    return ReadOut(marked=1, unread=await notifications.unread_count(session, ctx))


class PreferencesIn(StrictModel):
    in_app: bool = True
    email: bool = False
    language: Language = "en"


class PreferencesOut(BaseModel):
    in_app: bool
    email: bool
    language: str


@router.get("/api/me/alert-preferences")
async def get_preferences(session: Session, ctx: Read) -> PreferencesOut:
    p = await notifications.preferences(session, ctx)
    return PreferencesOut(in_app=p.in_app, email=p.email, language=p.language)


@router.put("/api/me/alert-preferences")
async def put_preferences(body: PreferencesIn, session: Session, ctx: Read) -> PreferencesOut:
    """Your channels (in the app, by e-mail to your sign-in address) and the language of your alerts."""
    p = await notifications.set_preferences(
        session, ctx, in_app=body.in_app, email=body.email, language=body.language
    )
    return PreferencesOut(in_app=p.in_app, email=p.email, language=p.language)
