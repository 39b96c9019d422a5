"""Cross-cutting records: webhook events, the audit log, idempotency keys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class WebhookEvent(TenantScoped, Base):
    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("platform", "shop_id", "dedup_key"),
        Index("ix_webhook_events_org_id_status_created_at", "org_id", "status", "created_at"),
        # A shop's latest push (services/sync/gaps.py: have its pushes fallen silent?).
        Index("ix_webhook_events_channel_account_id_created_at", "channel_account_id", "created_at"),
    )
    platform: Mapped[str] = mapped_column(String(20))
    shop_id: Mapped[str] = mapped_column(String(100))
    channel_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL")
    )
    dedup_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="received")
    attempts: Mapped[int] = mapped_column(default=0)
    processed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class AuditLog(TenantScoped, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_org_id_created_at", "org_id", "created_at", "id"),
        Index("ix_audit_log_org_id_entity", "org_id", "entity_type", "entity_id"),
        Index("ix_audit_log_org_id_actor_id", "org_id", "actor_id"),
        Index("ix_audit_log_org_id_action", "org_id", "action"),
    )
    actor_type: Mapped[str] = mapped_column(String(10))  # user | token | system
    actor_id: Mapped[uuid.UUID | None]
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))


class IdempotencyKey(TenantScoped, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    response_status: Mapped[int | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime]


class IgnoredWebhook(IdMixin, TimestampMixin, Base):
    """A verified push for a shop no organization has connected: answered 2xx (platforms retry anything
    else forever) and kept here, outside every tenant, for an operator to see."""

    __tablename__ = "ignored_webhooks"
    __table_args__ = (
        UniqueConstraint("platform", "shop_id", "dedup_key"),
        Index("ix_ignored_webhooks_created_at", "created_at"),
    )
    platform: Mapped[str] = mapped_column(String(20))
    shop_id: Mapped[str] = mapped_column(String(100))
    dedup_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(200))


class ContentRuleOverrides(TenantScoped, Base):
    """An organisation's changes to the content rules (domain/rules/overrides.py): one row per org."""

    __tablename__ = "content_rule_overrides"
    __table_args__ = (UniqueConstraint("org_id"),)
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ExchangeRate(TenantScoped, Base):
    """An organisation's own rate from `currency` to its reporting currency, from `valid_from` (a calendar
    day) until the next one: 1 unit of `currency` = `rate` units of the reporting currency."""

    __tablename__ = "exchange_rates"
    __table_args__ = (UniqueConstraint("org_id", "currency", "valid_from"),)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date]
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 10))
