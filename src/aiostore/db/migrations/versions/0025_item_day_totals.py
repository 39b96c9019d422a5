"""Per-day totals over every item of a kind: `sales_items_totals` holds, per org, market day, shop, market,
currency and item kind (`dim` 'v', 's' or 'p'), the sums of `sales_items_daily`'s figures over all its items,
kept by the same trigger function in the same transaction (so always exact, no job).

Sales by day or week and product or SKU read the page's items' series from the daily item roll-up and the
"others" as these totals less the page: `sales_daily` gives the same units and amounts but not the orders
per item (an order with two items counts once per item), which the others' figures are summed from.

Revision ID: 0025_item_day_totals
Revises: 0024_rollups_org_delete
Create Date: 2026-12-06 10:20:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0025_item_day_totals"
down_revision: str | None = "0024_rollups_org_delete"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
SET = """placed = s.placed + excluded.placed, cancelled = s.cancelled + excluded.cancelled,
            returned = s.returned + excluded.returned, units = s.units + excluded.units,
            amount = s.amount + excluded.amount"""


def _rollups_0018() -> ModuleType:
    path = Path(__file__).with_name("0018_report_rollups.py")
    spec = importlib.util.spec_from_file_location("report_rollups_0018", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _put(with_totals: bool) -> str:
    """0018's sales_items_put, with (or without, as 0018 made it) the upsert into the day totals."""
    put = str(_rollups_0018().FUNCTIONS[0]).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    if not with_totals:
        return put
    totals = f"""INSERT INTO sales_items_totals AS s (org_id, day, channel_account_id, market, currency, dim,
                                             placed, cancelled, returned, units, amount)
        VALUES (o.org_id, o_day, o.channel_account_id, o.market, o.currency, d_dim,
                d_placed, c, r, d_units, d_amount)
        ON CONFLICT (org_id, day, channel_account_id, market, currency, dim) DO UPDATE
        SET {SET};
    END $$"""
    head, tail = put.rsplit("END $$", 1)
    if tail:
        raise RuntimeError("0018's sales_items_put does not end as expected")
    return head + totals


# The totals from the daily item roll-up (bulk fills that build the roll-ups run this after 0018's backfill).
BACKFILL = [
    "DELETE FROM sales_items_totals",
    """INSERT INTO sales_items_totals (org_id, day, channel_account_id, market, currency, dim, placed,
                                       cancelled, returned, units, amount)
    SELECT org_id, day, channel_account_id, market, currency, dim, sum(placed), sum(cancelled),
           sum(returned), sum(units), sum(amount)
    FROM sales_items_daily GROUP BY 1, 2, 3, 4, 5, 6""",
]


def upgrade() -> None:
    op.create_table(
        "sales_items_totals",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel_account_id", sa.Uuid(), nullable=False),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("dim", sa.String(1), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_sales_items_totals_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "org_id",
            "day",
            "channel_account_id",
            "market",
            "currency",
            "dim",
            name=op.f("pk_sales_items_totals"),
        ),
    )
    op.execute("ALTER TABLE sales_items_totals ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON sales_items_totals USING (org_id = {CURRENT_ORG})")
    # sales_items_daily is not forced to row-level security: the owner reads every organisation's rows
    for sql in BACKFILL:
        op.execute(sql)
    op.execute(_put(with_totals=True))


def downgrade() -> None:
    op.execute(_put(with_totals=False))
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON sales_items_totals")
    op.drop_table("sales_items_totals")
