"""Organizations, users, memberships, invitations, API tokens, browser sessions, login throttling,
and the pending marketplace authorizations (OAuth state) a browser session started."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class Organization(IdMixin, TimestampMixin, Base):
    """A seller or agency; the tenant. RLS: visible when it is the current org or one of the user's."""

    __tablename__ = "organizations"
    name: Mapped[str] = mapped_column(String(200))
    # The demo organization (services/demo.py): sandbox shops, rebuilt by a reset.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Thresholds of bulk changes (services/changes/policy.py); keys left out take their defaults.
    change_policy: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    # What the reconciliation does with a seller-centre edit, per kind (services/reconciliation/policy.py).
    reconciliation_policy: Mapped[dict[str, Any]] = mapped_column(
        default=dict, server_default=text("'{}'::jsonb")
    )
    # Totals of reports are also given in this currency, at the organisation's own rates (ExchangeRate).
    reporting_currency: Mapped[str | None] = mapped_column(String(3))


class User(IdMixin, TimestampMixin, Base):
    """A person; global (one account, any number of organizations)."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(literal_column("email")), unique=True),)
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # The org the person last chose to act in (switch or accepted invitation); a login opens there.
    last_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))


class Membership(TenantScoped, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id"),
        Index("ix_memberships_user_id", "user_id"),
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))


class Invitation(TenantScoped, Base):
    """An offer to join an org, by email; the invitee (RLS: the user with that email) accepts or declines."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_org_id_created_at", "org_id", "created_at"),)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]


class ApiToken(TenantScoped, Base):
    """A bearer token for scripts: hashed at rest, scoped to one org, acting with a role."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        Index("ix_api_tokens_org_id_created_at", "org_id", "created_at"),
        Index("ix_api_tokens_parent_token_id", "parent_token_id"),
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The token that created this one (None: created by a person). A child never outlives its parent
    # and is revoked with it.
    parent_token_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class UserSession(IdMixin, TimestampMixin, Base):
    """A browser session: the cookie holds a random token, the table its hash."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id", "user_id"),)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    client_ip: Mapped[str | None] = mapped_column(String(64))


class LoginFailure(IdMixin, Base):
    """One login (or registration) attempt counted against a throttle key until it succeeds."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_scope_key_at", "scope", "key", "at"),)
    scope: Mapped[str] = mapped_column(String(10))  # "pair" | "address" | "register"
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class OAuthState(IdMixin, Base):
    """A marketplace authorization a browser session started: single use, bound to that session.

    Global like `user_sessions` (looked up by the hash of a secret); the callback deletes the row.
    """

    __tablename__ = "oauth_states"
    __table_args__ = (Index("ix_oauth_states_expires_at", "expires_at"),)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    market: Mapped[str] = mapped_column(String(2))
    expires_at: Mapped[datetime]
