"""Alerts: rules, alert states, notifications, preferences, webhook endpoints, deliveries; the stock a
live push last set on each listing (drift found by a later pull); notifications announced on the
`aiostore_jobs` channel that the live event hub already listens to.

Revision ID: 0013_alerts
Revises: 0012_platform_mapping
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_alerts"
down_revision: str | None = "0012_platform_mapping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REJECTED = "sync_state = 'error' OR status = 'banned'"
DRIFT = "pushed_stock IS NOT NULL AND platform_stock IS DISTINCT FROM pushed_stock"
CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
TABLES = (
    "alert_rules",
    "alert_states",
    "notifications",
    "alert_preferences",
    "alert_webhooks",
    "alert_deliveries",
)

# A new notification is announced to its user's live streams (web/job_events.py, topic "notification").
NOTIFY_FUNCTION = """
CREATE FUNCTION aiostore_notify_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('aiostore_jobs', json_build_object(
    'topic', 'notification', 'org_id', NEW.org_id, 'user_id', NEW.user_id, 'id', NEW.id,
    'kind', NEW.kind)::text);
  RETURN NEW;
END $$
"""


def _base() -> list[sa.Column[object]]:
    return [
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _keys(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def _state_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["alert_state_id"],
        ["alert_states.id"],
        name=op.f(f"fk_{table}_alert_state_id_alert_states"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.create_table(
        "alert_rules",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("params", jsonb, nullable=False),
        *_base(),
        *_keys("alert_rules"),
        sa.UniqueConstraint("org_id", "kind", name=op.f("uq_alert_rules_org_id_kind")),
    )
    op.create_table(
        "alert_states",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_key", sa.String(length=200), nullable=False),
        sa.Column("subject", jsonb, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        *_base(),
        *_keys("alert_states"),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name=op.f("fk_alert_states_rule_id_alert_rules"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("rule_id", "subject_key", name=op.f("uq_alert_states_rule_id_subject_key")),
    )
    op.create_index(
        "ix_alert_states_org_id_open",
        "alert_states",
        ["org_id", "rule_id"],
        unique=False,
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("alert_state_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", jsonb, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        *_base(),
        *_keys("notifications"),
        _user_fk("notifications"),
        _state_fk("notifications"),
    )
    op.create_index(
        "ix_notifications_org_id_user_id_created_at",
        "notifications",
        ["org_id", "user_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["org_id", "user_id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "alert_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        *_base(),
        *_keys("alert_preferences"),
        _user_fk("alert_preferences"),
        sa.UniqueConstraint("org_id", "user_id", name=op.f("uq_alert_preferences_org_id_user_id")),
    )
    op.create_table(
        "alert_webhooks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret_enc", sa.LargeBinary(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        *_base(),
        *_keys("alert_webhooks"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_alert_webhooks_created_by_users"), ondelete="SET NULL"
        ),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("alert_state_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("webhook_id", sa.Uuid(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        *_base(),
        *_keys("alert_deliveries"),
        _user_fk("alert_deliveries"),
        _state_fk("alert_deliveries"),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["alert_webhooks.id"],
            name=op.f("fk_alert_deliveries_webhook_id_alert_webhooks"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_alert_deliveries_org_id_status", "alert_deliveries", ["org_id", "status"], unique=False
    )
    op.create_index("ix_alert_deliveries_message_id", "alert_deliveries", ["message_id"], unique=False)
    op.add_column("listings", sa.Column("pushed_stock", sa.BigInteger(), nullable=True))
    # What the alert rules look for, without reading every order or listing of an org each minute.
    op.create_index("ix_orders_oversold", "orders", ["org_id"], postgresql_where=sa.text("oversold"))
    op.create_index("ix_listings_rejected", "listings", ["org_id"], postgresql_where=sa.text(REJECTED))
    op.create_index("ix_listings_drift", "listings", ["org_id"], postgresql_where=sa.text(DRIFT))
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING (org_id = {CURRENT_ORG}) "
            f"WITH CHECK (org_id = {CURRENT_ORG})"
        )
    op.execute(NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER notifications_notify AFTER INSERT ON notifications "
        "FOR EACH ROW EXECUTE FUNCTION aiostore_notify_notification()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS notifications_notify ON notifications")
    op.execute("DROP FUNCTION IF EXISTS aiostore_notify_notification()")
    op.drop_index("ix_listings_drift", table_name="listings", postgresql_where=sa.text(DRIFT))
    op.drop_index("ix_listings_rejected", table_name="listings", postgresql_where=sa.text(REJECTED))
    op.drop_index("ix_orders_oversold", table_name="orders", postgresql_where=sa.text("oversold"))
    op.drop_column("listings", "pushed_stock")
    for table in reversed(TABLES):
        op.drop_table(table)
