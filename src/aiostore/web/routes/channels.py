"""Channels: connect a marketplace shop, see it, test it, refresh its tokens, disconnect it.

Tokens are never returned, logged or audited; they are stored encrypted (AIOSTORE_ENCRYPTION_KEYS).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from aiostore.db.models import ChannelAccount
from aiostore.db.tenancy import bind_tenant
from aiostore.domain.market import MarketCode
from aiostore.domain.permissions import Permission, Role
from aiostore.domain.platforms import Platform
from aiostore.errors import Forbidden, NotAuthenticated, invalid
from aiostore.services import accounts, channels, oauth_state, token_health
from aiostore.services.context import Actor, ActorKind, OrgContext
from aiostore.settings import WriteMode
from aiostore.web.deps import (
    MaybePrincipal,
    Public,
    RequirePermission,
    Session,
    client_ip,
    get_db,
    request_id,
)
from aiostore.web.negotiation import wants_html
from aiostore.web.routes.common import StrictModel

router = APIRouter(prefix="/api/channels", tags=["channels"])

Manage = Annotated[OrgContext, RequirePermission(Permission.CHANNELS_MANAGE)]
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]


def connectors_of(request: Request) -> channels.Connectors:
    found = request.app.state.connectors
    assert isinstance(found, channels.Connectors)  # noqa: S101
    return found


class ConnectIn(StrictModel):
    platform: Platform
    market: MarketCode


class WriteModeIn(StrictModel):
    write_mode: WriteMode


class ConnectOut(BaseModel):
    authorization_url: str
    state: str
    expires_at: datetime


class AuthorizationOut(BaseModel):
    """The shop's authorisation health (services/token_health.py)."""

    state: str  # ok, expiring, refresh_failing, reauthorize, disconnected
    expires_at: datetime | None  # when the authorisation ends: refresh token, or the platform's word
    expires_in_days: int | None
    refresh_failing: bool
    refresh_failures: int
    last_refresh_error: str | None
    refresh_failed_at: datetime | None
    refreshed_at: datetime | None
    reauthorization_needed: bool
    # One click: POST here from a browser session answers the platform's authorisation URL for this
    # shop's platform and market (the connect start); its callback reconnects the shop.
    reauthorize_url: str

    @classmethod
    def of(cls, a: ChannelAccount) -> AuthorizationOut:
        health = token_health.health_of(a, datetime.now(UTC))
        return cls(
            **{f: getattr(health, f) for f in cls.model_fields if f != "reauthorize_url"},
            reauthorize_url=f"/api/channels/{a.id}/reauthorize",
        )


class ChannelOut(BaseModel):
    id: uuid.UUID
    platform: Platform
    display_platform: str
    market: MarketCode
    shop_id: str
    shop_name: str
    status: str
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    last_error: str | None
    write_mode: str | None  # the shop's own mode; null: the installation's AIOSTORE_WRITE_MODE
    created_at: datetime
    updated_at: datetime
    disconnected_at: datetime | None
    authorization: AuthorizationOut

    @classmethod
    def of(cls, a: ChannelAccount) -> ChannelOut:
        return cls(
            id=a.id,
            platform=Platform(a.platform),
            display_platform=a.display_platform or a.platform,
            market=MarketCode(a.market),
            shop_id=a.shop_id,
            shop_name=a.shop_name,
            status=a.status,
            access_expires_at=a.access_expires_at,
            refresh_expires_at=a.refresh_expires_at,
            last_error=a.last_error,
            write_mode=a.write_mode,
            created_at=a.created_at,
            updated_at=a.updated_at,
            disconnected_at=a.disconnected_at,
            authorization=AuthorizationOut.of(a),
        )


class TestOut(BaseModel):
    ok: bool
    latency_ms: float
    shop_name: str | None
    shop_status: str | None
    authorization_expires_at: datetime | None
    access_expires_at: datetime | None
    error: str | None


@router.post("/connect")
async def connect(
    body: ConnectIn, request: Request, session: Session, ctx: Manage, principal: MaybePrincipal
) -> ConnectOut:
    """Start connecting a shop: send the seller to `authorization_url`; the platform returns to our
    callback, which stores the shop. A platform that does not serve the market is a 422.

    Browser sessions only: the callback must come back to the same browser session, once."""
    if principal is None or principal.session is None:
        raise Forbidden("connect shops from a browser session: the marketplace sends you back to it")
    started = channels.start_connect(connectors_of(request), ctx, body.platform, body.market)
    await oauth_state.remember(
        session,
        started.state,
        user_session_id=principal.session.id,
        user_id=principal.user.id,
        org_id=ctx.org_id,
        platform=body.platform.value,
        market=body.market.value,
        expires_at=started.expires_at,
    )
    return ConnectOut(
        authorization_url=started.authorization_url, state=started.state, expires_at=started.expires_at
    )


@router.get(
    "/callback/{platform}",
    dependencies=[
        Public("OAuth callback: its signed, single-use state must come with the session that asked")
    ],
    response_model=ChannelOut,
)
async def callback(
    platform: Platform,
    request: Request,
    session: Session,
    principal: MaybePrincipal,
    code: Annotated[str, Query(min_length=1, max_length=500)],
    state: Annotated[str, Query(min_length=10, max_length=2000)],
) -> ChannelOut | RedirectResponse:
    """Where the platform sends the seller back with a one-time code, in the browser session that
    started the connection (else nothing is connected). A browser (it asks for HTML) is sent on to the
    Shops page; other clients get the channel as JSON."""
    connectors = connectors_of(request)
    secret = connectors.settings.secret_key
    assert secret is not None  # noqa: S101
    started = oauth_state.verify(
        secret.get_secret_value(), state, platform=platform.value, now=connectors.clock()
    )
    if principal is None or principal.session is None:
        raise NotAuthenticated(
            "log in, in the browser where you started connecting the shop, and start the connection again"
        )
    async with get_db(request).transaction() as own:  # used up even if the rest fails
        await oauth_state.consume(own, state, user_session_id=principal.session.id, now=connectors.clock())
    await bind_tenant(session, started.org_id, started.user_id)
    member = await accounts.membership(session, started.org_id, started.user_id)
    if member is None or not Role(member.role).at_least(Role.ADMIN):
        raise invalid("state", "whoever started this connection can no longer manage channels", "forbidden")
    user = await accounts.user_by_id(session, started.user_id)
    ctx = OrgContext(
        started.org_id,
        Role(member.role),
        Actor(ActorKind.USER, started.user_id, user.email if user else ""),
        request_id(request),
        client_ip(request),
    )
    params = {k: v for k, v in request.query_params.items() if k not in ("code", "state")}
    account = await channels.complete_connect(
        session, connectors, ctx, platform, MarketCode(started.market), code, params
    )
    if wants_html(request):
        return RedirectResponse(f"/shops?done=connected#shop-{account.id}", status_code=303)
    return ChannelOut.of(account)


@router.get("")
async def list_channels(session: Session, ctx: Read) -> list[ChannelOut]:
    """Every shop of the organization, disconnected ones included (they keep their history)."""
    return [ChannelOut.of(a) for a in await channels.list_channels(session, ctx)]


@router.get("/{channel_id}")
async def get_channel(channel_id: uuid.UUID, session: Session, ctx: Read) -> ChannelOut:
    return ChannelOut.of(await channels.get_channel(session, ctx, channel_id))


@router.post("/{channel_id}/test")
async def test_channel(channel_id: uuid.UUID, request: Request, session: Session, ctx: Manage) -> TestOut:
    """Call the platform's shop info: reports latency, the shop's status and when the tokens expire."""
    result = await channels.test_channel(session, connectors_of(request), ctx, channel_id)
    return TestOut(**{f: getattr(result, f) for f in TestOut.model_fields})


@router.post("/{channel_id}/refresh")
async def refresh_channel(
    channel_id: uuid.UUID, request: Request, session: Session, ctx: Manage
) -> ChannelOut:
    """Refresh the shop's tokens now (the service also refreshes them ahead of expiry)."""
    return ChannelOut.of(await channels.refresh_channel(session, connectors_of(request), ctx, channel_id))


@router.post("/{channel_id}/reauthorize")
async def reauthorize(
    channel_id: uuid.UUID, request: Request, session: Session, ctx: Manage, principal: MaybePrincipal
) -> ConnectOut:
    """Authorise this shop again (its refresh failing, its authorisation ending or lost): the connect
    start for the shop's platform and market; the platform's callback reconnects the same shop.

    Browser sessions only, as `POST /api/channels/connect`."""
    account = await channels.get_channel(session, ctx, channel_id)  # another org's shop: 404 first
    body = ConnectIn(platform=Platform(account.platform), market=MarketCode(account.market))
    return await connect(body, request, session, ctx, principal)


@router.delete("/{channel_id}")
async def disconnect_channel(channel_id: uuid.UUID, session: Session, ctx: Manage) -> ChannelOut:
    """Disconnect: tokens are erased here, syncing stops; listings, orders and audit stay."""
    return ChannelOut.of(await channels.disconnect_channel(session, ctx, channel_id))


@router.put("/{channel_id}/write-mode")
async def set_write_mode(
    channel_id: uuid.UUID, body: WriteModeIn, session: Session, ctx: Manage
) -> ChannelOut:
    """`dry` (jobs record what they would send) or `live` (they send it) for this shop; audited."""
    return ChannelOut.of(await channels.set_write_mode(session, ctx, channel_id, body.write_mode.value))
