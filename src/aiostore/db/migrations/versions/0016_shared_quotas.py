"""Quotas and circuit breakers shared by every worker process (http/shared.py).

Not tenant tables: a row names a rate-limit key (platform and shop) or a platform, and holds a time.

Revision ID: 0016_shared_quotas
Revises: 0015_reports
Create Date: 2026-12-06 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_shared_quotas"
down_revision: str | None = "0015_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_buckets",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_quota_buckets")),
    )
    op.create_table(
        "circuit_breakers",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.BigInteger(), nullable=False),
        sa.Column("opened_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_circuit_breakers")),
    )


def downgrade() -> None:
    op.drop_table("circuit_breakers")
    op.drop_table("quota_buckets")
