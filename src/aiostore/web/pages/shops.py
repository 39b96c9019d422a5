"""Shops: connect one (the platform's OAuth), test, refresh, disconnect, set its write mode; status, the
authorisation's health (ends in N days, refresh failing with its error, re-authorisation needed, with a
Re-authorise button), last sync.

Every action calls the service the API's /api/channels endpoints call, behind the same permission.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aiostore.connectors import registry
from aiostore.domain.market import MARKETS
from aiostore.domain.permissions import Permission
from aiostore.errors import AppError
from aiostore.services import channels, token_health
from aiostore.web import i18n
from aiostore.web.deps import AppSettings, Session
from aiostore.web.i18n import N_
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import app_errors, parse
from aiostore.web.routes import channels as api
from aiostore.web.routes.channels import ConnectIn, connectors_of

router = APIRouter(include_in_schema=False)
Manage = Annotated[PageContext, PageFor(Permission.CHANNELS_MANAGE)]
MARKET_NAMES = {"ID": N_("Indonesia"), "SG": N_("Singapore"), "MY": N_("Malaysia")}


async def _page(
    page: PageContext, session: Session, settings: AppSettings, *, status: int = 200, **extra: Any
) -> Response:
    accounts = await channels.list_channels(session, page.ctx)
    now = datetime.now(UTC)
    context = {
        "active": "shops",
        "shops": accounts,
        "modes": {a.id: channels.write_mode_of(settings, a) for a in accounts},
        "health": {a.id: token_health.health_of(a, now) for a in accounts},
        "platforms": [(p.name, sorted(m.value for m in p.markets)) for p in registry.plugins()],
        "markets": [(code.value, i18n._(MARKET_NAMES[code.value])) for code in MARKETS],
        "write_mode": settings.write_mode.value,
        "connect": {"platform": "", "market": ""},
        "errors": {},
        "tested": None,
        "failed": None,
        "mode_error": None,
    } | extra
    return page.render("shops/index.html", context, status=status, block="shops")


@router.get("/shops")
async def shops(page: Page, session: Session, settings: AppSettings) -> Response:
    return await _page(page, session, settings)


@router.post("/shops/connect")
async def connect(
    request: Request,
    page: Manage,
    session: Session,
    settings: AppSettings,
    platform: Annotated[str, Form(max_length=40)] = "",
    market: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Start the connection as the API does, then a link to the platform's authorisation page (a link, not
    a redirect: the CSP's form-action keeps a form's answer on this site); its callback comes back here."""
    body, errors = parse(ConnectIn, {"platform": platform, "market": market})
    if body is not None:
        try:
            started = await api.connect(body, request, session, page.ctx, page.principal)
        except AppError as exc:
            if exc.status >= 500 or exc.status == 403:
                raise
            errors = app_errors(exc) or {"platform": exc.detail}
        else:
            context: dict[str, Any] = {
                "active": "shops",
                "platform": body.platform.value,
                "market": body.market.value,
                "authorization_url": started.authorization_url,
                "expires_at": started.expires_at,
            }
            return page.render("shops/authorize.html", context)
    connect_values = {"platform": platform, "market": market}
    return await _page(page, session, settings, status=422, connect=connect_values, errors=errors)


@router.post("/shops/{channel_id}/test")
async def test(
    channel_id: uuid.UUID, request: Request, page: Manage, session: Session, settings: AppSettings
) -> Response:
    result = await channels.test_channel(session, connectors_of(request), page.ctx, channel_id)
    return await _page(page, session, settings, tested={"id": channel_id, "result": result})


@router.post("/shops/{channel_id}/refresh")
async def refresh(
    channel_id: uuid.UUID, request: Request, page: Manage, session: Session, settings: AppSettings
) -> Response:
    try:
        await channels.refresh_channel(session, connectors_of(request), page.ctx, channel_id)
    except AppError as exc:
        if exc.status in (401, 403, 404):
            raise
        await settle(session, exc)
        failed = {"id": channel_id, "detail": exc.detail}
        return await _page(page, session, settings, status=exc.status, failed=failed)
    return see_other(f"/shops?done=refreshed#shop-{channel_id}")


@router.post("/shops/{channel_id}/disconnect")
async def disconnect(channel_id: uuid.UUID, page: Manage, session: Session) -> Response:
    await channels.disconnect_channel(session, page.ctx, channel_id)
    return see_other("/shops?done=disconnected")


@router.post("/shops/{channel_id}/write-mode")
async def write_mode(
    channel_id: uuid.UUID,
    page: Manage,
    session: Session,
    settings: AppSettings,
    write_mode: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    body, errors = parse(api.WriteModeIn, {"write_mode": write_mode})
    if body is None:
        await channels.get_channel(session, page.ctx, channel_id)  # another org's shop: 404 first
        mode_error = {"id": channel_id, "detail": errors.get("write_mode", "")}
        return await _page(page, session, settings, status=422, mode_error=mode_error)
    await channels.set_write_mode(session, page.ctx, channel_id, body.write_mode.value)
    return see_other(f"/shops?done=write_mode#shop-{channel_id}")
