"""Notifications: the caller's alerts, newest first and live (the API's notification events refresh the
list), marked read one by one or all at once, and the caller's alert channels and language. The same
services as `/api/notifications` and `/api/me/alert-preferences`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aiostore.services.alerts import notifications
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, see_other
from aiostore.web.pages.forms import FilterQuery, parse
from aiostore.web.routes.alerts import PreferencesIn

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Choice = Annotated[str, Form(max_length=10)]


class NotificationsQuery(FilterQuery):
    unread: bool | None = None


async def _page(page: PageContext, request: Request, session: Session, **extra: Any) -> Response:
    query, errors = parse(NotificationsQuery, request.query_params)
    found: list[notifications.Shown] = []
    next_cursor = None
    if query is not None:
        result = await notifications.list_notifications(
            session, page.ctx, unread=query.unread, cursor=query.cursor, limit=PAGE_SIZE, language=page.lang
        )
        found, next_cursor = result.items, result.next_cursor
    prefs = await notifications.preferences(session, page.ctx)
    context = {
        "active": "notifications",
        "notifications": found,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "prefs": {"in_app": prefs.in_app, "email": prefs.email, "language": prefs.language},
        "pref_errors": {},
    } | extra
    status = 422 if errors or extra.get("pref_errors") else 200
    return page.render("notifications/index.html", context, status=status, block="list")


@router.get("/notifications")
async def notification_list(request: Request, page: Page, session: Session) -> Response:
    return await _page(page, request, session)


@router.post("/notifications/read-all")
async def read_all(page: Page, session: Session) -> Response:
    await notifications.mark_all_read(session, page.ctx)
    return see_other("/notifications?done=read")


@router.post("/notifications/{notification_id}/read")
async def read_one(notification_id: uuid.UUID, page: Page, session: Session) -> Response:
    await notifications.mark_read(session, page.ctx, notification_id)
    return see_other("/notifications?done=read")


@router.post("/notifications/preferences")
async def preferences(
    request: Request,
    page: Page,
    session: Session,
    in_app: Choice = "",
    email: Choice = "",
    language: Choice = "",
) -> Response:
    """Checkboxes send "on" when ticked and nothing otherwise."""
    body, errors = parse(
        PreferencesIn, {"in_app": in_app == "on", "email": email == "on", "language": language}
    )
    if body is None or errors:
        form = {"in_app": in_app == "on", "email": email == "on", "language": language}
        return await _page(page, request, session, prefs=form, pref_errors=errors)
    await notifications.set_preferences(
        session, page.ctx, in_app=body.in_app, email=body.email, language=body.language
    )
    return see_other("/notifications?done=preferences")
