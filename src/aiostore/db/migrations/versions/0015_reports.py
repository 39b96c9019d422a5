"""Reports: an organisation's reporting currency and its own dated exchange rates (tenant-scoped, RLS),
and the indexes the reports group and join by.

Revision ID: 0015_reports
Revises: 0014_change_sets
Create Date: 2026-12-06 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_reports"
down_revision: str | None = "0014_change_sets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"

ZONE = (
    "CASE {o}.market WHEN 'ID' THEN 'Asia/Jakarta' WHEN 'SG' THEN 'Asia/Singapore' "
    "WHEN 'MY' THEN 'Asia/Kuala_Lumpur' ELSE 'UTC' END"
)
# The daily sales roll-up, kept by triggers on orders and order lines in the same transaction as the
# change (so it is always exact). SECURITY DEFINER: the functions run as the tables' owner, which the
# roll-up's RLS (enabled, not forced) lets write any org's row; members read only their org's rows.
ROLLUP_SQL = [
    f"""CREATE FUNCTION sales_daily_bump(o orders, d_orders integer, d_units bigint, d_amount bigint)
    RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO sales_daily AS s (org_id, day, channel_account_id, market, currency, status,
                                  orders, units, amount)
    VALUES (o.org_id, (o.placed_at AT TIME ZONE ({ZONE.format(o="o")}))::date, o.channel_account_id,
            o.market, o.currency, o.status, d_orders, d_units, d_amount)
    ON CONFLICT (org_id, day, channel_account_id, market, currency, status) DO UPDATE
    SET orders = s.orders + excluded.orders, units = s.units + excluded.units,
        amount = s.amount + excluded.amount
    $$""",
    """CREATE FUNCTION sales_daily_order(o orders, sign integer) RETURNS void LANGUAGE sql
    SECURITY DEFINER SET search_path = public AS $$
    SELECT sales_daily_bump(o, sign, (sign * coalesce(sum(l.quantity), 0))::bigint,
                            (sign * coalesce(sum(l.quantity::bigint * l.unit_price), 0))::bigint)
    FROM order_lines l WHERE l.order_id = o.id
    $$""",
    """CREATE FUNCTION sales_daily_orders_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM sales_daily_order(OLD, -1); END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM sales_daily_order(NEW, 1); END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION sales_daily_lines_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    DECLARE o orders;
    BEGIN
        -- a line deleted with its order finds no order: the order's BEFORE DELETE took it all away
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT * INTO o FROM orders WHERE id = OLD.order_id;
            IF FOUND THEN
                PERFORM sales_daily_bump(o, 0, -OLD.quantity, -(OLD.quantity::bigint * OLD.unit_price));
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT * INTO o FROM orders WHERE id = NEW.order_id;
            IF FOUND THEN
                PERFORM sales_daily_bump(o, 0, NEW.quantity, NEW.quantity::bigint * NEW.unit_price);
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER sales_daily_orders AFTER INSERT OR UPDATE OF status, placed_at, market, currency,
    channel_account_id ON orders FOR EACH ROW EXECUTE FUNCTION sales_daily_orders_trigger()""",
    """CREATE TRIGGER sales_daily_orders_delete BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_daily_orders_trigger()""",
    """CREATE TRIGGER sales_daily_lines AFTER INSERT OR DELETE OR UPDATE OF quantity, unit_price, order_id
    ON order_lines FOR EACH ROW EXECUTE FUNCTION sales_daily_lines_trigger()""",
    f"""INSERT INTO sales_daily (org_id, day, channel_account_id, market, currency, status, orders, units,
                                 amount)
    SELECT o.org_id, (o.placed_at AT TIME ZONE ({ZONE.format(o="o")}))::date, o.channel_account_id,
           o.market, o.currency, o.status, count(*), coalesce(sum(l.units), 0), coalesce(sum(l.amount), 0)
    FROM orders o LEFT JOIN (
        SELECT order_id, sum(quantity) AS units, sum(quantity::bigint * unit_price) AS amount
        FROM order_lines GROUP BY order_id) l ON l.order_id = o.id
    GROUP BY 1, 2, 3, 4, 5, 6""",
]


def upgrade() -> None:
    op.add_column("organizations", sa.Column("reporting_currency", sa.String(3), nullable=True))
    op.create_table(
        "exchange_rates",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(24, 10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_exchange_rates_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint(
            "org_id", "currency", "valid_from", name=op.f("uq_exchange_rates_org_id_currency_valid_from")
        ),
    )
    op.execute("ALTER TABLE exchange_rates ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE exchange_rates FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON exchange_rates USING (org_id = {CURRENT_ORG}) "
        f"WITH CHECK (org_id = {CURRENT_ORG})"
    )
    op.create_table(
        "sales_daily",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel_account_id", sa.Uuid(), nullable=False),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_sales_daily_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "org_id", "day", "channel_account_id", "market", "currency", "status", name=op.f("pk_sales_daily")
        ),
    )
    op.execute("ALTER TABLE sales_daily ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON sales_daily USING (org_id = {CURRENT_ORG})")
    for sql in ROLLUP_SQL:
        op.execute(sql)
    # The sales reports read orders by placement time and need nothing else from the heap.
    op.create_index(
        "ix_orders_report",
        "orders",
        ["org_id", "placed_at"],
        postgresql_include=["id", "channel_account_id", "market", "currency", "status", "total_amount"],
    )
    op.create_index(
        "ix_order_lines_report",
        "order_lines",
        ["order_id"],
        postgresql_include=["variant_id", "quantity", "unit_price", "currency"],
    )
    op.create_index(
        "ix_inventory_ledger_sales",
        "inventory_ledger",
        ["org_id", "created_at"],
        postgresql_where=sa.text("cause = 'order'"),
    )
    op.create_index(
        "ix_inventory_ledger_out",
        "inventory_ledger",
        ["org_id", "created_at"],
        postgresql_where=sa.text("on_hand_after - reserved_after <= 0"),
    )
    op.create_index(
        "ix_sync_jobs_report",
        "sync_jobs",
        ["channel_account_id", "kind", "status", "finished_at"],
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS sales_daily_lines ON order_lines")
    op.execute("DROP TRIGGER IF EXISTS sales_daily_orders_delete ON orders")
    op.execute("DROP TRIGGER IF EXISTS sales_daily_orders ON orders")
    for fn in (
        "sales_daily_lines_trigger()",
        "sales_daily_orders_trigger()",
        "sales_daily_order(orders, integer)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute("DROP FUNCTION IF EXISTS sales_daily_bump(orders, integer, bigint, bigint)")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON sales_daily")
    op.drop_table("sales_daily")
    op.drop_index("ix_sync_jobs_report", table_name="sync_jobs")
    op.drop_index("ix_inventory_ledger_out", table_name="inventory_ledger")
    op.drop_index("ix_inventory_ledger_sales", table_name="inventory_ledger")
    op.drop_index("ix_order_lines_report", table_name="order_lines")
    op.drop_index("ix_orders_report", table_name="orders")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON exchange_rates")
    op.drop_table("exchange_rates")
    op.drop_column("organizations", "reporting_currency")
