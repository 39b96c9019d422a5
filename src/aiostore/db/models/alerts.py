"""Alerts: rules per organisation, the state of each alert (raised until it clears), notifications in the
app per user, each user's channels and language, outbound webhook endpoints and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped


class AlertRule(TenantScoped, Base):
    __tablename__ = "alert_rules"
    __table_args__ = (UniqueConstraint("org_id", "kind"),)
    kind: Mapped[str] = mapped_column(String(30))
    enabled: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AlertState(TenantScoped, Base):
    """One subject of one rule (a SKU, a shop, a job...). Raised once; sent again only after it cleared."""

    __tablename__ = "alert_states"
    __table_args__ = (
        UniqueConstraint("rule_id", "subject_key"),
        Index(
            "ix_alert_states_org_id_open", "org_id", "rule_id", postgresql_where=text("cleared_at IS NULL")
        ),
    )
    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    subject_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[dict[str, Any]] = mapped_column(default=dict)  # labels only, never buyer PII
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    raised_at: Mapped[datetime]  # the last time it became true (first_seen of this episode)
    cleared_at: Mapped[datetime | None]


class Notification(TenantScoped, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_org_id_user_id_created_at", "org_id", "user_id", "created_at", "id"),
        Index("ix_notifications_unread", "org_id", "user_id", postgresql_where=text("read_at IS NULL")),
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    alert_state_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_states.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[dict[str, Any]] = mapped_column(default=dict)
    read_at: Mapped[datetime | None]


class AlertPreference(TenantScoped, Base):
    __tablename__ = "alert_preferences"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(2), default="en")


class AlertWebhook(TenantScoped, Base):
    __tablename__ = "alert_webhooks"
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)  # whsec_..., sealed like platform tokens
    language: Mapped[str] = mapped_column(String(2), default="en")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AlertDelivery(TenantScoped, Base):
    """One raised alert for one recipient on one channel (e-mail to a user, or a webhook endpoint).

    Pending rows are grouped into one message per recipient (`message_id`); the message's attempts,
    last error and outcome are kept on each of its rows."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        Index("ix_alert_deliveries_org_id_status", "org_id", "status"),
        Index("ix_alert_deliveries_message_id", "message_id"),
    )
    alert_state_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_states.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))  # email | webhook
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    webhook_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("alert_webhooks.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2), default="en")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | failed
    message_id: Mapped[uuid.UUID | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
