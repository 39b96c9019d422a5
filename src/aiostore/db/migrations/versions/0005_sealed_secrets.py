"""Sealed secrets: tokens created by a token belong to it; stored idempotent responses are encrypted.

- `api_tokens.parent_token_id`: the token that created this one (revoked with it, never outliving it).
- Responses stored for Idempotency-Keys were plain text (a new API token's secret among them); from
  now on they are encrypted. The plain ones are erased: a replay of such a key says the request was
  processed and its response is no longer available. Claims "in progress" belong to the old
  two-transaction scheme and are dropped (a claim now lives only inside its request's transaction).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("parent_token_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_api_tokens_parent_token_id_api_tokens"),
        "api_tokens",
        "api_tokens",
        ["parent_token_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_api_tokens_parent_token_id"), "api_tokens", ["parent_token_id"], unique=False)
    # Every org's rows: the owner lifts the forced RLS for the two statements, inside this transaction.
    op.execute("ALTER TABLE idempotency_keys NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM idempotency_keys WHERE status <> 'completed'")
    op.execute("UPDATE idempotency_keys SET response_body = NULL")
    op.execute("ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_index(op.f("ix_api_tokens_parent_token_id"), table_name="api_tokens")
    op.drop_constraint(op.f("fk_api_tokens_parent_token_id_api_tokens"), "api_tokens", type_="foreignkey")
    op.drop_column("api_tokens", "parent_token_id")
