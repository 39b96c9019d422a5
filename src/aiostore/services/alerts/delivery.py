"""Sending raised alerts: pending deliveries grouped into one message per recipient and channel, then each
message sent by its own job, e-mail over SMTP or a Standard Webhooks POST, retried with backoff.

A message keeps its id across retries (the `webhook-id` receivers deduplicate on); its rows record the
attempts, the last error and the outcome.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import structlog
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AlertDelivery, AlertState, AlertWebhook, User
from aiostore.db.session import Database
from aiostore.security.crypto import TokenCipher
from aiostore.services.alerts import endpoints, signing
from aiostore.services.alerts.messages import GROUP_SUBJECT, Message, render
from aiostore.services.sync.jobs import backoff
from aiostore.services.sync.queue import defer
from aiostore.settings import Settings

log = structlog.get_logger(__name__)

SEND_TASK = "alerts.send"

_GROUP = """
WITH groups AS MATERIALIZED (  -- evaluated once: one new id per recipient and channel
    SELECT channel, user_id, webhook_id, gen_random_uuid() AS message_id
    FROM alert_deliveries WHERE org_id = :org AND status = 'pending'
    GROUP BY channel, user_id, webhook_id
)
UPDATE alert_deliveries d SET message_id = g.message_id, status = 'sending', updated_at = :now
FROM groups g
WHERE d.org_id = :org AND d.status = 'pending' AND d.channel = g.channel
  AND d.user_id IS NOT DISTINCT FROM g.user_id AND d.webhook_id IS NOT DISTINCT FROM g.webhook_id
RETURNING d.message_id
"""


async def dispatch(session: AsyncSession, org_id: uuid.UUID) -> list[uuid.UUID]:
    """Group the organisation's pending deliveries into messages and queue one send job per message."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('alerts-dispatch:' || :org))"), {"org": str(org_id)}
    )
    rows = await session.execute(text(_GROUP), {"org": org_id, "now": datetime.now(UTC)})
    messages = sorted({r.message_id for r in rows}, key=str)
    for message_id in messages:
        await defer(session, SEND_TASK, org_id=str(org_id), message_id=str(message_id))
    return messages


@dataclass(frozen=True, slots=True)
class Outgoing:
    channel: str
    language: str
    alerts: list[tuple[AlertState, Message]]
    email: str | None = None
    endpoint: AlertWebhook | None = None


async def _load(session: AsyncSession, message_id: uuid.UUID) -> Outgoing | None:
    rows = (
        await session.execute(
            select(AlertDelivery, AlertState)
            .join(AlertState, AlertState.id == AlertDelivery.alert_state_id)
            .where(AlertDelivery.message_id == message_id, AlertDelivery.status == "sending")
            .order_by(AlertState.raised_at, AlertState.id)
        )
    ).all()
    if not rows:
        return None
    first: AlertDelivery = rows[0][0]
    alerts = [(state, render(state.kind, state.subject, first.language)) for _, state in rows]
    if first.channel == "email":
        user = await session.get(User, first.user_id)
        return Outgoing("email", first.language, alerts, email=user.email if user else None)
    endpoint = await session.get(AlertWebhook, first.webhook_id)
    return Outgoing("webhook", first.language, alerts, endpoint=endpoint)


def webhook_body(org_id: uuid.UUID, out: Outgoing, now: datetime) -> bytes:
    """The Standard Webhooks payload (`type`, `timestamp`, `data`), plus a top-level `text` that chat
    bridges (Slack-style incoming webhooks) post as it is."""
    alerts = [
        {
            "id": str(state.id),
            "kind": state.kind,
            "title": message.title,
            "text": message.text,
            "subject": state.subject,
            "raised_at": state.raised_at.isoformat(),
        }
        for state, message in out.alerts
    ]
    payload: dict[str, Any] = {
        "type": "alerts.raised",
        "timestamp": now.isoformat(),
        "text": "\n".join(f"{m.title}: {m.text}" for _, m in out.alerts),
        "data": {"organization_id": str(org_id), "language": out.language, "alerts": alerts},
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def email_message(settings: Settings, to: str, out: Outgoing) -> EmailMessage:
    msg = EmailMessage()
    if len(out.alerts) == 1:  # a shop's name comes from the platform: no line break reaches a header
        msg["Subject"] = "AIOStore: " + " ".join(out.alerts[0][1].title.split())
    else:
        msg["Subject"] = GROUP_SUBJECT[out.language if out.language in GROUP_SUBJECT else "en"].format(
            count=len(out.alerts)
        )
    msg["From"] = settings.smtp_from
    msg["To"] = to
    lines = [f"* {m.title}\n  {m.text}" for _, m in out.alerts]
    if settings.public_url:
        lines.append(settings.public_url.rstrip("/") + "/notifications")
    msg.set_content("\n\n".join(lines) + "\n")
    return msg


def _smtp_send(settings: Settings, msg: EmailMessage) -> None:
    assert settings.smtp_host is not None  # noqa: S101
    timeout = settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls(context=context)
        if settings.smtp_username and settings.smtp_password is not None:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(msg)


async def _post(
    http: httpx.AsyncClient,
    settings: Settings,
    cipher: TokenCipher,
    org_id: uuid.UUID,
    message_id: uuid.UUID,
    out: Outgoing,
) -> None:
    endpoint = out.endpoint
    assert endpoint is not None  # noqa: S101
    await endpoints.check_url(endpoint.url, allow_private=settings.alert_webhook_allow_private)
    now = datetime.now(UTC)
    body = webhook_body(org_id, out, now)
    headers = signing.headers(
        cipher.decrypt(endpoint.secret_enc), f"msg_{message_id.hex}", int(now.timestamp()), body
    )
    resp = await http.post(
        endpoint.url,
        content=body,
        headers=headers,
        timeout=settings.alert_webhook_timeout_seconds,
        follow_redirects=False,
    )
    if not 200 <= resp.status_code < 300:
        raise RuntimeError(f"the endpoint answered {resp.status_code}")


async def send(
    db: Database, settings: Settings, http: httpx.AsyncClient, org_id: uuid.UUID, message_id: uuid.UUID
) -> str:
    """Send one message; returns its status (sent, failed, or sending when a retry is queued)."""
    async with db.transaction(org_id) as session:
        out = await _load(session, message_id)
    if out is None:
        return "gone"  # already sent, or its endpoint or alert was deleted
    error: str | None = None
    try:
        if out.channel == "email":
            if not out.email or not settings.smtp_host:
                raise RuntimeError("no e-mail address, or no SMTP server configured")
            await asyncio.to_thread(_smtp_send, settings, email_message(settings, out.email, out))
        elif out.endpoint is None or not out.endpoint.enabled:
            error = "the endpoint is disabled"
        else:
            cipher = TokenCipher(settings.encryption_keys)
            await _post(http, settings, cipher, org_id, message_id, out)
    except (OSError, smtplib.SMTPException, httpx.HTTPError, RuntimeError, endpoints.UnsafeAddress) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return await _record(db, settings, org_id, message_id, error)


async def _record(
    db: Database, settings: Settings, org_id: uuid.UUID, message_id: uuid.UUID, error: str | None
) -> str:
    now = datetime.now(UTC)
    async with db.transaction(org_id) as session:
        rows = (
            await session.scalars(
                select(AlertDelivery).where(AlertDelivery.message_id == message_id).with_for_update()
            )
        ).all()
        attempts = (max((r.attempts for r in rows), default=0)) + 1
        if error is None:
            status = "sent"
        elif attempts >= settings.alert_max_attempts:
            status = "failed"
        else:
            status = "sending"
            when = now + timedelta(seconds=backoff(attempts, base=settings.alert_retry_base_seconds))
            await defer(session, SEND_TASK, schedule_at=when, org_id=str(org_id), message_id=str(message_id))
        await session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.message_id == message_id)
            .values(
                attempts=attempts,
                status=status,
                last_error=error,
                sent_at=now if status == "sent" else None,
                updated_at=now,
            )
        )
    log.info("alerts.delivery", message_id=str(message_id), status=status, attempts=attempts, error=error)
    return status
