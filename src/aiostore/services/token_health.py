"""A shop's tokens as a lifecycle: stored encrypted, refreshed by one process at a time, and its
authorisation health (expires in N days, refresh failing with the last error, re-authorisation needed).

Platforms rotate refresh tokens (Shopee's are single-use, Lazada's rotate): two processes refreshing one
shop with the same refresh token would lose the rotated one, and the shop would need re-authorising. So
every refresh goes through `refresh_locked`: it takes the shop's row lock (SELECT … FOR UPDATE, held by
PostgreSQL across processes), re-reads the stored tokens, adopts them if another process rotated them
meanwhile, and otherwise refreshes with the stored ones and stores the result before the lock is
released. Each outcome is recorded on the shop (`refreshed_at`, `refresh_failures`, `refresh_error`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import TokenSet
from aiostore.connectors.errors import AuthExpired, InvalidRequest, NotFound, Refused
from aiostore.connectors.tokens import Coordinator, Refresher
from aiostore.db.models import ChannelAccount
from aiostore.db.session import Database
from aiostore.security.crypto import TokenCipher

CONNECTED = "connected"
NEEDS_REAUTH = "needs_reauth"
DISCONNECTED = "disconnected"
PERMANENT = (AuthExpired, InvalidRequest, NotFound, Refused)  # the platform will not refresh these tokens
WARN_DAYS = 7  # the token_expiry alert's default: an authorisation ending sooner is "expiring"

# Health states.
OK, EXPIRING, REFRESH_FAILING = "ok", "expiring", "refresh_failing"
REAUTHORIZE, GONE = "reauthorize", "disconnected"


def store_tokens(cipher: TokenCipher, account: ChannelAccount, tokens: TokenSet) -> None:
    account.access_token_enc = cipher.encrypt(tokens.access_token)
    account.refresh_token_enc = cipher.encrypt(tokens.refresh_token)
    account.access_expires_at = tokens.access_expires_at
    account.refresh_expires_at = tokens.refresh_expires_at
    account.extra = {**account.extra, "external_ids": dict(tokens.external_ids)}


def load_tokens(cipher: TokenCipher, account: ChannelAccount) -> TokenSet | None:
    if (
        account.access_token_enc is None
        or account.refresh_token_enc is None
        or account.access_expires_at is None
    ):
        return None
    external: Mapping[str, str] = account.extra.get("external_ids", {}) if account.extra else {}
    return TokenSet(
        access_token=cipher.decrypt(account.access_token_enc),
        refresh_token=cipher.decrypt(account.refresh_token_enc),
        access_expires_at=account.access_expires_at,
        refresh_expires_at=account.refresh_expires_at,
        shop_id=account.shop_id,
        external_ids=dict(external),
    )


# --- recording outcomes ---------------------------------------------------------------------------


def record_refreshed(account: ChannelAccount, now: datetime) -> None:
    """A refresh succeeded: the shop is connected and healthy again."""
    account.status = CONNECTED
    account.last_error = None
    account.refreshed_at = now
    account.refresh_failures = 0
    account.refresh_failed_at = None
    account.refresh_error = None
    ends = account.authorization_expires_at
    if ends is not None and account.refresh_expires_at is not None and account.refresh_expires_at > ends:
        account.authorization_expires_at = None  # the new tokens outlive what the platform announced


def record_refresh_failed(account: ChannelAccount, exc: BaseException, now: datetime) -> None:
    """A refresh failed: counted with its error; a refusal means the seller must authorise again."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    account.refresh_failures += 1
    account.refresh_failed_at = now
    account.refresh_error = error
    if isinstance(exc, PERMANENT) and account.status != DISCONNECTED:
        account.status = NEEDS_REAUTH
        account.last_error = error


def record_new_authorization(account: ChannelAccount, now: datetime) -> None:
    """The seller (re-)authorised the shop: whatever failed or was announced before is over."""
    record_refreshed(account, now)
    account.authorization_expires_at = None


# --- serialised refresh ---------------------------------------------------------------------------


def _same(a: TokenSet, b: TokenSet) -> bool:
    return a.access_token == b.access_token and a.refresh_token == b.refresh_token


async def refresh_locked(
    session: AsyncSession,
    cipher: TokenCipher,
    channel_id: uuid.UUID,
    held: TokenSet,
    refresher: Refresher,
    *,
    force: bool,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> TokenSet:
    """Refresh the shop's tokens under its row lock (the caller's transaction holds it to its end).

    The stored tokens are read after the lock is taken: if another process rotated them since ``held``
    was read, they are returned as they are (unless ``force``); a refresh always uses the stored refresh
    token, never a spent one. The outcome is recorded on the shop in this transaction; a failure is
    recorded and raised (the caller commits the record before raising on)."""
    account = await session.scalar(
        select(ChannelAccount)
        .where(ChannelAccount.id == channel_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if account is None or account.status == DISCONNECTED:
        raise AuthExpired("the shop is disconnected; connect it again")
    stored = load_tokens(cipher, account)
    if stored is None:
        raise AuthExpired("the shop has no tokens; connect it again")
    if not force and not _same(stored, held):
        return stored  # another process refreshed while we waited for the lock
    if not force and account.status == NEEDS_REAUTH:
        # Refused before: asking again with the same tokens only adds refused calls (a person's Renew
        # click, forced, still tries).
        raise AuthExpired(account.refresh_error or "the shop must be authorised again")
    try:
        fresh = await refresher(stored)
    except Exception as exc:
        record_refresh_failed(account, exc, now())
        await session.flush()
        raise
    store_tokens(cipher, account, fresh)
    record_refreshed(account, now())
    await session.flush()
    return fresh


def session_coordinator(session: AsyncSession, cipher: TokenCipher, channel_id: uuid.UUID) -> Coordinator:
    """Refreshes inside ``session``'s transaction (a request's): its commit stores them."""

    async def coordinate(held: TokenSet, refresher: Refresher, force: bool) -> TokenSet:
        return await refresh_locked(session, cipher, channel_id, held, refresher, force=force)

    return coordinate


def own_transaction_coordinator(
    db: Database, org_id: uuid.UUID, cipher: TokenCipher, channel_id: uuid.UUID
) -> Coordinator:
    """Refreshes in a transaction of their own, committed before the new tokens are used (jobs): a job
    that fails later never rolls a rotated token back. A failure is committed as well, then raised."""

    async def coordinate(held: TokenSet, refresher: Refresher, force: bool) -> TokenSet:
        failure: Exception | None = None
        async with db.transaction(org_id) as session:
            try:
                return await refresh_locked(session, cipher, channel_id, held, refresher, force=force)
            except Exception as exc:  # noqa: BLE001  (recorded in this transaction, raised after it)
                failure = exc
        raise failure

    return coordinate


# --- health ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenHealth:
    state: str  # ok, expiring, refresh_failing, reauthorize, disconnected
    expires_at: datetime | None  # when the authorisation ends (refresh token, or the platform's word)
    expires_in_days: int | None  # whole days left (0: ends within a day or has ended)
    refresh_failing: bool
    refresh_failures: int
    last_refresh_error: str | None
    refresh_failed_at: datetime | None
    refreshed_at: datetime | None
    reauthorization_needed: bool


def authorization_ends(account: ChannelAccount) -> datetime | None:
    """The earlier of the refresh token's expiry and the end the platform announced."""
    ends = [t for t in (account.refresh_expires_at, account.authorization_expires_at) if t is not None]
    return min(ends) if ends else None


def health_of(account: ChannelAccount, now: datetime, warn_days: int = WARN_DAYS) -> TokenHealth:
    ends = authorization_ends(account)
    days = None if ends is None else max(0, (ends - now) // timedelta(days=1))
    if account.status == DISCONNECTED:
        state = GONE
    elif account.status == NEEDS_REAUTH or (ends is not None and ends <= now):
        state = REAUTHORIZE
    elif account.refresh_failures > 0:
        state = REFRESH_FAILING
    elif ends is not None and ends < now + timedelta(days=warn_days):
        state = EXPIRING
    else:
        state = OK
    return TokenHealth(
        state=state,
        expires_at=ends,
        expires_in_days=days,
        refresh_failing=account.refresh_failures > 0,
        refresh_failures=account.refresh_failures,
        last_refresh_error=account.refresh_error,
        refresh_failed_at=account.refresh_failed_at,
        refreshed_at=account.refreshed_at,
        reauthorization_needed=state == REAUTHORIZE,
    )
