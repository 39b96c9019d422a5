"""Channels: connecting a shop (OAuth), its encrypted tokens, testing, refreshing, disconnecting."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.connectors.base import PlanningConnector
from aiostore.connectors.dtos import AppCredentials, TokenSet
from aiostore.connectors.errors import (
    AuthExpired,
    ConnectorError,
    InvalidRequest,
    PlatformUnavailable,
    RateLimited,
    Refused,
)
from aiostore.connectors.errors import (
    NotFound as PlatformNotFound,
)
from aiostore.connectors.recording import OnRecord
from aiostore.connectors.tokens import Coordinator, OnTokens
from aiostore.db.models import ChannelAccount, ChannelRoute
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.errors import AppError, Conflict, NotFound, ServiceUnavailable, invalid
from aiostore.http.client import HttpPolicy
from aiostore.security.crypto import TokenCipher
from aiostore.services import audit, oauth_state
from aiostore.services.context import OrgContext
from aiostore.services.sync import jobs
from aiostore.services.token_health import (
    CONNECTED,
    DISCONNECTED,
    NEEDS_REAUTH,
    load_tokens,
    record_new_authorization,
    session_coordinator,
    store_tokens,
)
from aiostore.settings import Settings

log = structlog.get_logger(__name__)

__all__ = ["CONNECTED", "DISCONNECTED", "NEEDS_REAUTH", "load_tokens", "store_tokens"]


class PlatformCallFailed(AppError):
    status = 502
    code = "platform_error"
    title = "The marketplace refused or failed the call"


def write_mode_of(settings: Settings, account: ChannelAccount) -> str:
    """``dry`` or ``live`` for this shop: its own mode, else the installation's AIOSTORE_WRITE_MODE."""
    return account.write_mode or settings.write_mode.value


def platform_error(exc: ConnectorError, field: str | None = None) -> AppError:
    """Our problem for a connector error: the caller learns what the platform said, never a token."""
    if isinstance(exc, RateLimited):
        retry = str(int(exc.retry_after or 1))
        return ServiceUnavailable(
            f"{exc.platform} is rate limiting us; try again shortly", headers={"Retry-After": retry}
        )
    if isinstance(exc, PlatformUnavailable):
        return ServiceUnavailable(f"{exc.platform} is not answering right now; try again shortly")
    if field and isinstance(exc, InvalidRequest | AuthExpired | Refused | PlatformNotFound):
        return invalid(field, f"{exc.platform} refused it: {exc}", "platform_refused")
    return PlatformCallFailed(f"{exc.platform}: {exc}")


@dataclass(frozen=True, slots=True)
class Connectors:
    """Builds connectors for this process: one shared HTTP client and one reliability policy."""

    settings: Settings
    http: httpx.AsyncClient
    policy: HttpPolicy
    clock: Callable[[], float] = time.time
    # Hosts that only this process reaches (the demo's sandboxes) -> where a browser reaches the same app.
    browser_origins: Mapping[str, str] = field(default_factory=dict)

    def cipher(self) -> TokenCipher:
        return TokenCipher(self.settings.encryption_keys)

    def credentials(self, platform: Platform) -> AppCredentials:
        """This installation's app on ``platform``, from the platform's own settings (its plugin's model)."""
        every = self.settings.platforms
        try:
            app = registry.credentials(platform, every)
        except registry.UnsupportedPlatform as exc:
            raise invalid("platform", f"{platform} cannot be connected yet", "unsupported_platform") from exc
        if app is None:
            names = every[platform.value].required()
            raise invalid(
                "platform",
                f"{platform.value} is not configured on this server: set {names}",
                "platform_not_configured",
            )
        return app

    def redirect_url(self, platform: Platform) -> str:
        return redirect_url(self.settings, platform.value)

    def browser_url(self, url: str) -> str:
        """Where a person's browser opens ``url``: the same URL, unless it starts with one of
        ``browser_origins`` (an in-process host of the demo's sandboxes), which is put in its place."""
        for origin, seen_at in self.browser_origins.items():
            if url == origin or url.startswith(f"{origin}/"):
                return seen_at + url[len(origin) :]
        return url

    def for_app(self, platform: Platform, market: MarketCode | None = None) -> PlanningConnector:
        try:
            return registry.get_connector(
                platform,
                self.credentials(platform),
                registry.ShopAccount(market=market),
                self.http,
                write_mode=self.settings.write_mode.value,
                policy=self.policy,
                clock=self.clock,
            )
        except registry.UnsupportedPlatform as exc:
            raise invalid(
                "platform", f"{platform.value} cannot be connected yet", "unsupported_platform"
            ) from exc

    def for_account(self, session: AsyncSession, account: ChannelAccount) -> PlanningConnector:
        """A connector acting for this shop; refreshed tokens are stored (encrypted) in this session."""
        cipher = self.cipher()

        async def on_tokens(new: TokenSet) -> None:
            store_tokens(cipher, account, new)
            account.status = CONNECTED
            await session.flush()

        return self.build(
            account, on_tokens=on_tokens, coordinator=session_coordinator(session, cipher, account.id)
        )

    def build(
        self,
        account: ChannelAccount,
        *,
        on_tokens: OnTokens | None = None,
        on_record: OnRecord | None = None,
        coordinator: Coordinator | None = None,
    ) -> PlanningConnector:
        """A connector for this shop with the process's HTTP client, policy and write mode."""
        tokens = load_tokens(self.cipher(), account)
        try:
            return registry.get_connector(
                account.platform,
                self.credentials(Platform(account.platform)),
                registry.ShopAccount(
                    shop_id=account.shop_id, market=MarketCode(account.market), tokens=tokens
                ),
                self.http,
                write_mode=write_mode_of(self.settings, account),
                policy=self.policy,
                clock=self.clock,
                on_tokens=on_tokens,
                on_record=on_record,
                coordinator=coordinator,
            )
        except registry.UnsupportedPlatform as exc:
            raise invalid(
                "platform", f"{account.platform} cannot be used yet", "unsupported_platform"
            ) from exc


def callback_url(service_url: str, platform: str) -> str:
    """Our OAuth callback for ``platform`` on the service at ``service_url``."""
    return f"{service_url.rstrip('/')}/api/channels/callback/{platform}"


def redirect_url(settings: Settings, platform: str) -> str:
    """Where the platform sends the seller back: its AIOSTORE_<P>_REDIRECT_URL, else our callback."""
    configured = settings.platforms[platform].redirect_url
    return str(configured) if configured else callback_url(settings.service_url, platform)


async def _route(session: AsyncSession, account: ChannelAccount, *, active: bool) -> None:
    """Keep the global (platform, shop) -> org route of webhooks and schedules in step."""
    values = {
        "org_id": account.org_id,
        "platform": account.platform,
        "shop_id": account.shop_id,
        "active": active,
    }
    await session.execute(
        insert(ChannelRoute)
        .values(channel_account_id=account.id, **values)
        .on_conflict_do_update(index_elements=["channel_account_id"], set_=values)
    )


def snapshot(account: ChannelAccount) -> dict[str, object]:
    return {
        "platform": account.platform,
        "market": account.market,
        "shop_id": account.shop_id,
        "shop_name": account.shop_name,
        "status": account.status,
        "write_mode": account.write_mode,
        "access_expires_at": account.access_expires_at,
    }


# --- use cases -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectStart:
    authorization_url: str
    state: str
    expires_at: datetime


def start_connect(
    connectors: Connectors, ctx: OrgContext, platform: Platform, market: MarketCode
) -> ConnectStart:
    plugin = registry.plugin(platform)
    if not plugin.serves(market):
        offered = ", ".join(sorted(m.value for m in plugin.markets))
        raise invalid("market", f"{platform.value} serves sellers in {offered} only", "market_not_served")
    if ctx.actor.user_id is None:
        raise invalid("platform", "a person must start a connection")
    connector = connectors.for_app(platform, market)
    secret = connectors.settings.secret_key
    assert secret is not None  # noqa: S101  (check_startup guarantees it)
    state, expires = oauth_state.sign(
        secret.get_secret_value(),
        org_id=ctx.org_id,
        user_id=ctx.actor.user_id,
        platform=platform.value,
        market=market.value,
        now=connectors.clock(),
    )
    url = connectors.browser_url(connector.authorization_url(state, connectors.redirect_url(platform)))
    return ConnectStart(url, state, datetime.fromtimestamp(expires, UTC))


async def complete_connect(
    session: AsyncSession,
    connectors: Connectors,
    ctx: OrgContext,
    platform: Platform,
    market: MarketCode,
    code: str,
    params: Mapping[str, str],
    *,
    write_mode: str | None = None,
) -> ChannelAccount:
    """The callback: code → tokens → shop info → the channel account, created or reconnected.

    ``write_mode`` (``dry`` or ``live``) is set on the shop when given; else it keeps its own mode, or
    follows the installation's."""
    connector = connectors.for_app(platform, market)
    try:
        tokens = await connector.exchange_code(code, params)
        shop_id = tokens.shop_id or params.get("shop_id")
        if not shop_id:
            raise invalid("shop_id", f"{platform.value} named no shop for this authorization")
        shop_connector = registry.get_connector(
            platform,
            connectors.credentials(platform),
            registry.ShopAccount(shop_id=shop_id, market=market, tokens=tokens),
            connectors.http,
            write_mode=connectors.settings.write_mode.value,
            policy=connectors.policy,
            clock=connectors.clock,
        )
        info = await shop_connector.shop_info()
    except ConnectorError as exc:
        raise platform_error(exc, "code") from exc
    if info.market is not None and info.market != market:
        raise invalid(
            "market",
            f"the authorized shop sells in {info.market.value}, not {market.value}; "
            f"connect it as {platform.value} {info.market.value}",
            "market_mismatch",
        )
    route = await session.scalar(
        select(ChannelRoute).where(ChannelRoute.platform == platform.value, ChannelRoute.shop_id == shop_id)
    )
    if route is not None and route.org_id != ctx.org_id and route.active:
        raise Conflict(
            f"this {platform.value} shop is connected to another organization; disconnect it there first"
        )
    account = await session.scalar(
        select(ChannelAccount).where(
            ChannelAccount.platform == platform.value, ChannelAccount.shop_id == shop_id
        )
    )
    before = snapshot(account) if account else None
    if account is None:
        account = ChannelAccount(
            org_id=ctx.org_id,
            platform=platform.value,
            market=market.value,
            shop_id=shop_id,
            extra={},
            connected_by=ctx.actor.user_id,
        )
        session.add(account)
    account.shop_name = info.name
    account.status = CONNECTED
    account.last_error = None
    account.disconnected_at = None
    account.display_platform = platform.value
    if write_mode is not None:
        account.write_mode = write_mode
    store_tokens(connectors.cipher(), account, tokens)
    record_new_authorization(account, datetime.now(UTC))
    await session.flush()
    await _route(session, account, active=True)
    # The first pulls: the shop's listings (matched to master SKUs) and its recent orders.
    dry_run = write_mode_of(connectors.settings, account) != "live"
    for kind in ("pull_products", "pull_orders"):
        await jobs.create(
            session,
            ctx.org_id,
            kind,
            channel_account_id=account.id,
            dry_run=dry_run,
            started_by="system",
            user_id=ctx.actor.user_id,
        )
    action = "channel.connected" if before is None else "channel.reconnected"
    await audit.record(
        session, ctx, action, "channel_account", account.id, before=before, after=snapshot(account)
    )
    log.info("channel.connected", platform=platform.value, market=market.value, channel_id=str(account.id))
    return account


async def list_channels(session: AsyncSession, ctx: OrgContext) -> list[ChannelAccount]:
    rows = await session.scalars(
        select(ChannelAccount).order_by(ChannelAccount.created_at, ChannelAccount.id)
    )
    return list(rows.all())


async def get_channel(
    session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID, *, for_update: bool = False
) -> ChannelAccount:
    stmt = select(ChannelAccount).where(ChannelAccount.id == channel_id)
    if for_update:
        stmt = stmt.with_for_update()
    account = await session.scalar(stmt)
    if account is None:
        raise NotFound("channel not found")
    return account


def _require_connected(account: ChannelAccount) -> None:
    if account.status == DISCONNECTED:
        raise Conflict("this channel is disconnected; connect the shop again")


@dataclass(frozen=True, slots=True)
class TestResult:
    ok: bool
    latency_ms: float
    shop_name: str | None
    shop_status: str | None
    authorization_expires_at: datetime | None
    access_expires_at: datetime | None
    error: str | None


async def test_channel(
    session: AsyncSession, connectors: Connectors, ctx: OrgContext, channel_id: uuid.UUID
) -> TestResult:
    """Call the shop-info endpoint: proves the tokens, the signature and the network path."""
    account = await get_channel(session, ctx, channel_id, for_update=True)
    _require_connected(account)
    connector = connectors.for_account(session, account)
    started = time.perf_counter()
    try:
        info = await connector.shop_info()
    except ConnectorError as exc:
        latency = (time.perf_counter() - started) * 1000
        if isinstance(exc, AuthExpired):
            account.status = NEEDS_REAUTH
        account.last_error = f"{type(exc).__name__}: {exc}"
        await session.flush()
        await audit.record(
            session,
            ctx,
            "channel.tested",
            "channel_account",
            account.id,
            after={"ok": False, "error": account.last_error},
        )
        return TestResult(
            False, round(latency, 1), None, None, None, account.access_expires_at, account.last_error
        )
    latency = (time.perf_counter() - started) * 1000
    account.last_error = None
    if info.name and info.name != account.shop_name:
        account.shop_name = info.name
    await session.flush()
    await audit.record(session, ctx, "channel.tested", "channel_account", account.id, after={"ok": True})
    return TestResult(
        True,
        round(latency, 1),
        info.name,
        info.status,
        info.authorization_expires_at,
        account.access_expires_at,
        None,
    )


async def refresh_channel(
    session: AsyncSession, connectors: Connectors, ctx: OrgContext, channel_id: uuid.UUID
) -> ChannelAccount:
    """Refresh now, under the shop's row lock (token_health.refresh_locked: never with a refresh token
    another process has spent); a failure is recorded on the shop and kept, whatever the answer."""
    account = await get_channel(session, ctx, channel_id, for_update=True)
    _require_connected(account)
    before = snapshot(account)
    tokens = load_tokens(connectors.cipher(), account)
    if tokens is None:
        raise Conflict("this channel has no tokens; connect the shop again")
    connector = connectors.for_account(session, account)
    try:
        await connector.refresh(tokens)
    except ConnectorError as exc:
        await audit.record(
            session,
            ctx,
            "channel.refresh_failed",
            "channel_account",
            account.id,
            before=before,
            after=snapshot(account),
        )
        if isinstance(exc, AuthExpired | InvalidRequest | Refused):
            raise Conflict(
                f"{account.platform} refused the refresh ({exc}); connect the shop again", keep_changes=True
            ) from exc
        problem = platform_error(exc)
        problem.keep_changes = True  # the failure stays recorded on the shop
        raise problem from exc
    await audit.record(
        session,
        ctx,
        "channel.tokens_refreshed",
        "channel_account",
        account.id,
        before=before,
        after=snapshot(account),
    )
    return account


async def disconnect_channel(session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID) -> ChannelAccount:
    """Forget the tokens and stop syncing; the account, its listings and orders stay as history."""
    account = await get_channel(session, ctx, channel_id, for_update=True)
    if account.status == DISCONNECTED:
        return account
    before = snapshot(account)
    account.status = DISCONNECTED
    account.access_token_enc = None
    account.refresh_token_enc = None
    account.access_expires_at = None
    account.refresh_expires_at = None
    account.disconnected_at = datetime.now(UTC)
    await session.flush()
    await _route(session, account, active=False)
    await audit.record(
        session,
        ctx,
        "channel.disconnected",
        "channel_account",
        account.id,
        before=before,
        after=snapshot(account),
    )
    return account


async def set_write_mode(
    session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID, write_mode: str
) -> ChannelAccount:
    """Set the shop's own write mode (``dry`` or ``live``); its jobs read it when they run. The same mode
    again changes and audits nothing."""
    account = await get_channel(session, ctx, channel_id, for_update=True)
    if account.write_mode == write_mode:
        return account
    before = snapshot(account)
    account.write_mode = write_mode
    await session.flush()
    await audit.record(
        session,
        ctx,
        "channel.write_mode_changed",
        "channel_account",
        account.id,
        before=before,
        after=snapshot(account),
    )
    return account
