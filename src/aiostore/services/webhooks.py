"""Webhooks: verify first (signature, and the signed send time where the platform signs one: 401, nothing
stored), store once (dedup), defer processing, answer at once.

A push names a platform and a shop; `channel_routes` says which org's channel that is. A verified push
for a shop nobody connected, or whose body breaks the input policy (input_policy.py) or cannot be read,
is kept in `ignored_webhooks` and answered 2xx (platforms retry non-2xx forever). Processing re-reads
the order through the connector (a push only signals a change) and runs
the order flow: upsert, stock movement, pushes to every shop.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from aiostore import input_policy
from aiostore.connectors import registry
from aiostore.connectors.dtos import WebhookEvent as PushEvent
from aiostore.connectors.dtos import WebhookKind
from aiostore.connectors.errors import (
    AuthExpired,
    CircuitOpen,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from aiostore.db.models import ChannelAccount, IgnoredWebhook, WebhookEvent
from aiostore.domain.platforms import Platform
from aiostore.errors import AppError, NotAuthenticated
from aiostore.jobqueue import webhook_queue
from aiostore.services import channels, webhook_intake
from aiostore.services.alerts import triggers
from aiostore.services.catalog import review
from aiostore.services.reference import cache as reference_cache
from aiostore.services.sync import jobs
from aiostore.services.sync.context import ShopConnection, SyncContext, open_channel
from aiostore.services.sync.pull import ingest_many
from aiostore.services.sync.queue import defer
from aiostore.services.webhook_intake import PROCESS_TASK

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 8
ORDER_KINDS = frozenset({WebhookKind.ORDER_STATUS, WebhookKind.ORDER_TRACKING})


@dataclass(frozen=True, slots=True)
class Received:
    stored: bool  # False: a duplicate, or a shop nobody connected
    ignored: bool
    event_id: uuid.UUID | None


class StalePush(NotAuthenticated):
    """A genuine, readable push sent further than the tolerance from our clock (401 unless its dedup key
    is already stored: then the platform's late retry of a push we have is acknowledged)."""

    def __init__(self, detail: str, event: PushEvent) -> None:
        super().__init__(detail)
        self.event = event


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A genuine push whose body breaks the input policy or that the connector cannot read."""

    reason: str


def verify_and_parse(
    sc: SyncContext, platform: Platform, url: str, headers: dict[str, str], body: bytes
) -> PushEvent | Unreadable:
    try:
        connector = sc.app_connector(platform)
    except AppError as exc:
        raise NotAuthenticated(
            f"{platform.value} is not configured here; the push cannot be verified"
        ) from exc
    try:
        genuine = connector.verify_webhook(url, headers, body)
    except (TypeError, ValueError):  # e.g. a non-ASCII signature header: it cannot be a valid one
        genuine = False
    if not genuine:
        raise NotAuthenticated("the push signature is not valid")
    try:
        push = input_policy.loads(body)
        event = connector.parse_webhook(body)
    except Exception as exc:  # noqa: BLE001  (whatever a genuine body does to a parser, it is answered 2xx)
        return Unreadable(f"{type(exc).__name__}: {exc}"[:200])
    # A readable push must carry a fresh signed send time; an unreadable one is only kept aside, so its
    # replay changes nothing.
    stale = check_sent_in_time(sc, platform, push)
    if stale is not None:
        raise StalePush(stale, event)
    return event


def check_sent_in_time(sc: SyncContext, platform: Platform, push: object) -> str | None:
    """Where the platform signs the time it sent a push, a push sent further than the tolerance from our
    clock is refused (a replay of a captured push, as stripe-python's webhook check refuses one): returns
    why, or None when in time. A push that should sign its send time and does not is refused (401)."""
    app = sc.connectors.credentials(platform)
    push_time = registry.plugin(platform).push_time_of(app)
    if push_time is None:
        return None  # the pushes sign no time (Tokopedia's own): the dedup key is the only guard
    sent = push_time(app, push)
    if sent is None:
        raise NotAuthenticated("the push carries no signed send time")
    tolerance = sc.settings.webhook_tolerance_seconds
    if abs(sc.connectors.clock() - sent) > tolerance:
        return f"the push was not sent within {tolerance} s of now: a replay is refused"
    return None


async def receive(
    sc: SyncContext, platform: Platform, url: str, headers: dict[str, str], body: bytes
) -> Received:
    """Store a verified push once; 401 (nothing stored) when its signature is wrong.

    A genuine push we cannot read is acknowledged too and kept in `ignored_webhooks`: a platform
    retries anything but 2xx, and a retry would bring the same body again.
    """
    try:
        event = verify_and_parse(sc, platform, url, headers, body)
    except StalePush as stale:
        # Authentic but late: a retry of a push we already stored is acknowledged as the duplicate it is
        # (the dedup key makes it harmless, and a refusal would be retried until the platform gives up);
        # one we never stored stays refused as a replay (the order pull and gap check bring its change).
        shop = stale.event.shop_id or ""
        if not await webhook_intake.known(sc.db, platform.value, shop, stale.event.event_id):
            raise
        log.info("webhook.stale_duplicate", platform=platform.value, kind=stale.event.kind.value)
        return Received(False, False, None)
    if isinstance(event, Unreadable):
        await _ignore(
            sc, platform, "", f"unreadable:{hashlib.sha256(body).hexdigest()}", "unreadable", event.reason
        )
        log.warning("webhook.unreadable", platform=platform.value, reason=event.reason)
        return Received(False, True, None)
    if event.kind is WebhookKind.CATEGORIES_CHANGED:
        async with sc.db.transaction() as session:
            expired = await reference_cache.invalidate(session, platform.value, None, datetime.now(UTC))
        await _ignore(sc, platform, "", event.event_id, event.kind.value, "reference data expired")
        log.info("reference.invalidated", platform=platform.value, categories=expired)
        return Received(False, True, None)
    shop_id = event.shop_id or ""
    stored = await store(sc, platform, event)
    if not stored.routed:
        reason = "no organization has connected this shop"
        await _ignore(sc, platform, shop_id, event.event_id, event.kind.value, reason)
        log.info("webhook.ignored", platform=platform.value, kind=event.kind.value)
        return Received(False, True, None)
    return Received(stored.event_id is not None, False, stored.event_id)


async def store(sc: SyncContext, platform: Platform, event: PushEvent) -> webhook_intake.Stored:
    """Store a verified push of a shop's own (not a platform-wide one) with the group commit of this
    process: returns once its row and processing job are committed."""
    if sc.intake is None:
        sc.intake = webhook_intake.batcher(sc.db)
    arrival = webhook_intake.Arrival(
        platform.value, event.shop_id or "", event.event_id, event.kind.value, _payload(event)
    )
    return await sc.intake.submit(arrival)


async def _ignore(
    sc: SyncContext, platform: Platform, shop_id: str, dedup_key: str, event_type: str, reason: str
) -> None:
    async with sc.db.transaction() as session:
        await session.execute(
            insert(IgnoredWebhook)
            .values(
                id=uuid.uuid4(),
                platform=platform.value,
                shop_id=shop_id[:100],
                dedup_key=dedup_key[:200],
                event_type=event_type[:50],
                reason=reason[:200],
            )
            .on_conflict_do_nothing()
        )


def _payload(event: PushEvent) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "platform_code": event.platform_code,
        "order_id": event.order_id,
        "status": event.status.value if event.status else None,
        "platform_status": event.platform_status,
        "occurred_at": event.occurred_at.isoformat(),
        "item_id": event.item_id,
        "expires_at": event.expires_at.isoformat() if event.expires_at else None,
    }


_DONE = ("processed", "failed", "ignored")  # an event in one of these is never processed again


async def process(sc: SyncContext, org_id: uuid.UUID, event_id: uuid.UUID) -> str:
    async with sc.tx(org_id) as session:
        # Claimed and its attempt counted in one statement (the row stays locked until the commit).
        event = await session.scalar(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status.not_in(_DONE))
            .values(attempts=WebhookEvent.attempts + 1)
            .returning(WebhookEvent)
            .execution_options(synchronize_session=False)
        )
        if event is None:  # gone, or processed already (a duplicate of its job)
            status = await session.scalar(select(WebhookEvent.status).where(WebhookEvent.id == event_id))
            return status or "missing"
        kind, order_id, channel_id = event.event_type, event.payload.get("order_id"), event.channel_account_id
        item_id = event.payload.get("item_id")
        expires_at = event.payload.get("expires_at")
        shop: ShopConnection | AppError | None = None
        if kind in ORDER_KINDS and order_id and channel_id:
            try:  # the shop is read in this transaction too (one fewer before the platform call)
                shop = await open_channel(sc, org_id, channel_id, session)
            except AppError as exc:  # gone or disconnected: failed below, with the attempt counted
                shop = exc
    try:
        if kind == WebhookKind.PRODUCT and item_id and channel_id:
            found = await review.apply_push(sc, org_id, channel_id, str(item_id))
            async with sc.tx(org_id) as session:
                await _set(session, event_id, "processed" if found else "ignored")
            return "processed"
        if isinstance(shop, AppError):
            raise shop
        if shop is not None:
            dtos = await shop.connector.get_orders([str(order_id)])
            async with sc.tx(org_id) as session:
                await ingest_many(session, org_id, shop.channel, dtos)
                await _set(session, event_id, "processed")
            return "processed"
        async with sc.tx(org_id) as session:
            if kind == WebhookKind.SHOP_DEAUTHORIZED and channel_id:
                channel = await session.get(ChannelAccount, channel_id)
                if channel is not None and channel.status != channels.DISCONNECTED:
                    channel.status = channels.NEEDS_REAUTH
                    channel.last_error = "the seller withdrew the authorization on the platform"
            if kind == WebhookKind.AUTHORIZATION_EXPIRING and channel_id and expires_at:
                await _authorization_ends(session, org_id, channel_id, datetime.fromisoformat(expires_at))
                await _set(session, event_id, "processed")
                return "processed"
            await _set(session, event_id, "processed" if kind in ORDER_KINDS else "ignored")
        return "processed"
    except (AuthExpired, ConnectorError, AppError) as exc:
        if isinstance(exc, RateLimited | PlatformUnavailable):
            return await _retry(sc, org_id, event_id, exc)
        async with sc.tx(org_id) as session:
            await _set(session, event_id, "failed", f"{type(exc).__name__}: {exc}")
        return "failed"
    except Exception as exc:  # time-outs, a deadlock victim, a dropped connection: try again later
        log.warning("webhook.process_failed", error=f"{type(exc).__name__}: {exc}")
        return await _retry(sc, org_id, event_id, exc)


async def _authorization_ends(session: Any, org_id: uuid.UUID, channel_id: uuid.UUID, ends: datetime) -> None:
    """The platform announced when the shop's authorisation ends (Lazada's message type 8): kept on the
    shop for its health and the token_expiry alert, which is evaluated soon."""
    channel = await session.get(ChannelAccount, channel_id)
    if channel is None or channel.status == channels.DISCONNECTED:
        return
    channel.authorization_expires_at = ends
    await triggers.evaluate_soon(session, org_id)


async def _set(session: Any, event_id: uuid.UUID, status: str, error: str | None = None) -> None:
    await session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(status=status, error=error, processed_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )


async def _retry(sc: SyncContext, org_id: uuid.UUID, event_id: uuid.UUID, exc: Exception) -> str:
    """Process the event again after a backoff, up to MAX_ATTEMPTS; one refused by our open breaker
    (nothing was sent) gets its attempt back and waits for the circuit's probe, as a job does."""
    async with sc.tx(org_id) as session:
        event = await session.get(WebhookEvent, event_id)
        assert event is not None  # noqa: S101
        event.error = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, CircuitOpen):
            event.attempts = max(event.attempts - 1, 0)
            delay = jobs.circuit_wait(exc.retry_after, sc.settings.breaker_recovery_seconds)
        elif event.attempts >= MAX_ATTEMPTS:
            event.status = "failed"
            return "failed"
        else:
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            delay = jobs.backoff(event.attempts, retry_after, base=sc.settings.sync_retry_base_seconds)
        event.status = "retrying"
        when = datetime.now(UTC) + timedelta(seconds=delay)
        if isinstance(exc, CircuitOpen):  # says when, as a waiting job does
            event.error = jobs.circuit_error(exc.platform, when)
        await defer(
            session, PROCESS_TASK, schedule_at=when, queue=webhook_queue(event.platform),
            org_id=str(org_id), event_id=str(event_id),
        )  # fmt: skip
        return "retrying"
