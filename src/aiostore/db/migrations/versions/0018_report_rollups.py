"""Report roll-ups: sales per item (variant, unmatched SKU, product) per market day and per month, and
stock-out periods, each kept exactly by triggers in the changing transaction.

- `sales_items_daily` / `sales_items_monthly`: per org, market day (or month), shop, market, currency and
  item (`dim` 'v' a variant, 's' the SKU of a line with no variant, 'p' a product, '' for none) the orders
  containing the item (placed, cancelled, returned) and the units and amount of kept orders.
- `order_lines.product_id`: the product of the line's variant, set by the same trigger (a deleted variant's
  lines keep no product), so a line's product is known even while its variant is being deleted.
- `stock_outs`: one row per stock-out of a variant (a run of ledger movements leaving nothing available,
  in (created_at, id) order): when it began and when the next movement that left stock ended it.

Row triggers are BEFORE triggers: a query inside one sees the rows of the same statement processed before
it and not the row itself, so "is this the order's first line of this item" and "which movement comes
before this one" are answered in the order the rows are written, for multi-row statements too.

Revision ID: 0018_report_rollups
Revises: 0017_order_gaps
Create Date: 2026-12-06 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_report_rollups"
down_revision: str | None = "0017_order_gaps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_ORG = "nullif(current_setting('app.org_id', true), '')::uuid"
ZONE = (
    "CASE o.market WHEN 'ID' THEN 'Asia/Jakarta' WHEN 'SG' THEN 'Asia/Singapore' "
    "WHEN 'MY' THEN 'Asia/Kuala_Lumpur' ELSE 'UTC' END"
)
KEY_COLUMNS = ["org_id", "channel_account_id", "market", "currency", "dim", "key"]
SUMS = ["placed", "cancelled", "returned", "units", "amount"]
# Each line's item keys: its variant (or its SKU when it has none) and its product ('' for none).
ITEM_DIM = "CASE WHEN {l}.variant_id IS NULL THEN 's' ELSE 'v' END"
ITEM_KEY = "coalesce({l}.variant_id::text, {l}.sku, '')"
PRODUCT_KEY = "coalesce({l}.product_id::text, '')"

FUNCTIONS = [
    # Add an order's share of one item (d_placed: +1/-1 when it is the order's first/last line of the item).
    f"""CREATE FUNCTION sales_items_put(o orders, d_dim text, d_key text, d_placed integer, d_units bigint,
                                    d_amount bigint)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE
        o_day date;
        c integer := CASE WHEN o.status = 'cancelled' THEN d_placed ELSE 0 END;
        r integer := CASE WHEN o.status = 'returned' THEN d_placed ELSE 0 END;
    BEGIN
        IF o.status IN ('cancelled', 'returned') THEN d_units := 0; d_amount := 0; END IF;
        IF d_placed = 0 AND d_units = 0 AND d_amount = 0 THEN RETURN; END IF;
        o_day := (o.placed_at AT TIME ZONE ({ZONE}))::date;
        INSERT INTO sales_items_daily AS s (org_id, day, channel_account_id, market, currency, dim, key,
                                            placed, cancelled, returned, units, amount)
        VALUES (o.org_id, o_day, o.channel_account_id, o.market, o.currency, d_dim, d_key,
                d_placed, c, r, d_units, d_amount)
        ON CONFLICT (org_id, day, channel_account_id, market, currency, dim, key) DO UPDATE
        SET placed = s.placed + excluded.placed, cancelled = s.cancelled + excluded.cancelled,
            returned = s.returned + excluded.returned, units = s.units + excluded.units,
            amount = s.amount + excluded.amount;
        INSERT INTO sales_items_monthly AS s (org_id, month, channel_account_id, market, currency, dim, key,
                                              placed, cancelled, returned, units, amount)
        VALUES (o.org_id, date_trunc('month', o_day)::date, o.channel_account_id, o.market, o.currency,
                d_dim, d_key, d_placed, c, r, d_units, d_amount)
        ON CONFLICT (org_id, month, channel_account_id, market, currency, dim, key) DO UPDATE
        SET placed = s.placed + excluded.placed, cancelled = s.cancelled + excluded.cancelled,
            returned = s.returned + excluded.returned, units = s.units + excluded.units,
            amount = s.amount + excluded.amount;
    END $$""",
    # One line in (sign 1) or out (-1) of its order's figures, other lines of the order as they are now.
    f"""CREATE FUNCTION sales_items_line(o orders, l order_lines, sign integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE
        units bigint := sign * l.quantity;
        amount bigint := sign * l.quantity::bigint * l.unit_price;
        item_first integer := sign;
        product_first integer := sign;
    BEGIN
        IF EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = l.order_id AND x.id <> l.id
                   AND {ITEM_DIM.format(l="x")} = {ITEM_DIM.format(l="l")}
                   AND {ITEM_KEY.format(l="x")} = {ITEM_KEY.format(l="l")}) THEN
            item_first := 0;
        END IF;
        IF EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = l.order_id AND x.id <> l.id
                   AND {PRODUCT_KEY.format(l="x")} = {PRODUCT_KEY.format(l="l")}) THEN
            product_first := 0;
        END IF;
        PERFORM sales_items_put(o, {ITEM_DIM.format(l="l")}, {ITEM_KEY.format(l="l")}, item_first,
                                units, amount);
        PERFORM sales_items_put(o, 'p', {PRODUCT_KEY.format(l="l")}, product_first, units, amount);
    END $$""",
    # A whole order in (1) or out (-1), from its lines as they are now.
    f"""CREATE FUNCTION sales_items_order(o orders, sign integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE k record;
    BEGIN
        FOR k IN
            SELECT {ITEM_DIM.format(l="l")} AS dim, {ITEM_KEY.format(l="l")} AS key,
                   sum(l.quantity) AS units, sum(l.quantity::bigint * l.unit_price) AS amount
            FROM order_lines l WHERE l.order_id = o.id GROUP BY 1, 2
            UNION ALL
            SELECT 'p', {PRODUCT_KEY.format(l="l")}, sum(l.quantity), sum(l.quantity::bigint * l.unit_price)
            FROM order_lines l WHERE l.order_id = o.id GROUP BY 2
        LOOP
            PERFORM sales_items_put(o, k.dim, k.key, sign, (sign * k.units)::bigint,
                                    (sign * k.amount)::bigint);
        END LOOP;
    END $$""",
    """CREATE FUNCTION sales_items_lines_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    DECLARE o orders;
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            NEW.product_id := (SELECT v.product_id FROM variants v WHERE v.id = NEW.variant_id);
            IF TG_OP = 'UPDATE' AND (NEW.order_id, NEW.variant_id, NEW.product_id, NEW.sku, NEW.quantity,
                                     NEW.unit_price) IS NOT DISTINCT FROM
                                    (OLD.order_id, OLD.variant_id, OLD.product_id, OLD.sku, OLD.quantity,
                                     OLD.unit_price) THEN
                RETURN NEW;
            END IF;
        END IF;
        -- a line deleted with its order finds no order: the order's BEFORE DELETE took it all away
        IF TG_OP <> 'INSERT' THEN
            SELECT * INTO o FROM orders WHERE id = OLD.order_id;
            IF FOUND THEN PERFORM sales_items_line(o, OLD, -1); END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        SELECT * INTO o FROM orders WHERE id = NEW.order_id;
        IF FOUND THEN PERFORM sales_items_line(o, NEW, 1); END IF;
        RETURN NEW;
    END $$""",
    f"""CREATE FUNCTION sales_items_orders_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN PERFORM sales_items_order(OLD, -1); RETURN OLD; END IF;
        -- the same place and the same kind of status (kept, cancelled, returned): nothing moves
        IF (OLD.org_id, (OLD.placed_at AT TIME ZONE ({ZONE.replace("o.", "OLD.")}))::date,
            OLD.channel_account_id, OLD.market, OLD.currency) IS NOT DISTINCT FROM
           (NEW.org_id, (NEW.placed_at AT TIME ZONE ({ZONE.replace("o.", "NEW.")}))::date,
            NEW.channel_account_id, NEW.market, NEW.currency)
           AND (OLD.status = NEW.status OR (OLD.status NOT IN ('cancelled', 'returned')
                                            AND NEW.status NOT IN ('cancelled', 'returned'))) THEN
            RETURN NULL;
        END IF;
        PERFORM sales_items_order(OLD, -1);
        PERFORM sales_items_order(NEW, 1);
        RETURN NULL;
    END $$""",
    # A variant moved to another product: its lines take the new product (the lines' trigger moves them).
    """CREATE FUNCTION sales_items_variants_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    BEGIN
        UPDATE order_lines SET product_id = NULL WHERE variant_id = NEW.id;
        RETURN NULL;
    END $$""",
    # A movement inserted anywhere in its variant's (created_at, id) order: stock-outs split, join or move.
    """CREATE FUNCTION stock_outs_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    DECLARE
        is_out boolean := NEW.on_hand_after - NEW.reserved_after <= 0;
        p inventory_ledger;
        n inventory_ledger;
        p_out boolean;
        n_out boolean;
        s stock_outs;
    BEGIN
        SELECT * INTO p FROM inventory_ledger g
        WHERE g.org_id = NEW.org_id AND g.variant_id = NEW.variant_id
          AND (g.created_at, g.id) < (NEW.created_at, NEW.id)
        ORDER BY g.created_at DESC, g.id DESC LIMIT 1;
        p_out := FOUND AND p.on_hand_after - p.reserved_after <= 0;
        SELECT * INTO n FROM inventory_ledger g
        WHERE g.org_id = NEW.org_id AND g.variant_id = NEW.variant_id
          AND (g.created_at, g.id) > (NEW.created_at, NEW.id)
        ORDER BY g.created_at, g.id LIMIT 1;
        n_out := FOUND AND n.on_hand_after - n.reserved_after <= 0;
        IF is_out = p_out THEN RETURN NEW; END IF;  -- inside a run of its own kind: nothing changes
        IF is_out THEN
            IF n_out THEN  -- the stock-out that began with the next movement begins here
                UPDATE stock_outs SET started_at = NEW.created_at, start_id = NEW.id
                WHERE variant_id = NEW.variant_id AND started_at = n.created_at AND start_id = n.id;
            ELSE
                INSERT INTO stock_outs (org_id, variant_id, started_at, start_id, ended_at)
                VALUES (NEW.org_id, NEW.variant_id, NEW.created_at, NEW.id, n.created_at);
            END IF;
            RETURN NEW;
        END IF;
        -- stock again after an out: the stock-out holding the previous movement ends here
        SELECT * INTO s FROM stock_outs
        WHERE variant_id = NEW.variant_id AND (started_at, start_id) <= (p.created_at, p.id)
        ORDER BY started_at DESC, start_id DESC LIMIT 1;
        UPDATE stock_outs SET ended_at = NEW.created_at
        WHERE variant_id = s.variant_id AND started_at = s.started_at AND start_id = s.start_id;
        IF n_out THEN  -- and the next movement, out again, begins one that ends where that one did
            INSERT INTO stock_outs (org_id, variant_id, started_at, start_id, ended_at)
            VALUES (NEW.org_id, NEW.variant_id, n.created_at, n.id, s.ended_at);
        END IF;
        RETURN NEW;
    END $$""",
]

TRIGGERS = [
    """CREATE TRIGGER sales_items_lines BEFORE INSERT OR DELETE
    OR UPDATE OF order_id, variant_id, product_id, sku, quantity, unit_price
    ON order_lines FOR EACH ROW EXECUTE FUNCTION sales_items_lines_trigger()""",
    """CREATE TRIGGER sales_items_orders AFTER UPDATE OF status, placed_at, market, currency,
    channel_account_id ON orders FOR EACH ROW EXECUTE FUNCTION sales_items_orders_trigger()""",
    """CREATE TRIGGER sales_items_orders_delete BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_items_orders_trigger()""",
    """CREATE TRIGGER sales_items_variants AFTER UPDATE OF product_id ON variants FOR EACH ROW
    WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id) EXECUTE FUNCTION sales_items_variants_trigger()""",
    """CREATE TRIGGER stock_outs BEFORE INSERT ON inventory_ledger
    FOR EACH ROW EXECUTE FUNCTION stock_outs_trigger()""",
]

# The tables the backfill reads force row-level security even on their owner, as whom migrations run:
# without an organisation set they look empty, so forcing is lifted for the backfill (in this transaction).
FORCED = ("orders", "order_lines", "variants", "inventory_ledger")
BACKFILL = [
    # 0015 filled sales_daily as the owner under forced row-level security, so from no rows: again here
    "DELETE FROM sales_daily",
    f"""INSERT INTO sales_daily (org_id, day, channel_account_id, market, currency, status, orders, units,
                                 amount)
    SELECT o.org_id, (o.placed_at AT TIME ZONE ({ZONE}))::date, o.channel_account_id,
           o.market, o.currency, o.status, count(*), coalesce(sum(l.units), 0), coalesce(sum(l.amount), 0)
    FROM orders o LEFT JOIN (
        SELECT order_id, sum(quantity) AS units, sum(quantity::bigint * unit_price) AS amount
        FROM order_lines GROUP BY order_id) l ON l.order_id = o.id
    GROUP BY 1, 2, 3, 4, 5, 6""",
    """UPDATE order_lines l SET product_id = v.product_id FROM variants v WHERE v.id = l.variant_id""",
    f"""INSERT INTO sales_items_daily (org_id, day, channel_account_id, market, currency, dim, key,
                                      placed, cancelled, returned, units, amount)
    SELECT o.org_id, (o.placed_at AT TIME ZONE ({ZONE}))::date, o.channel_account_id, o.market, o.currency,
           k.dim, k.key, count(*), count(*) FILTER (WHERE o.status = 'cancelled'),
           count(*) FILTER (WHERE o.status = 'returned'),
           coalesce(sum(k.units) FILTER (WHERE o.status NOT IN ('cancelled', 'returned')), 0),
           coalesce(sum(k.amount) FILTER (WHERE o.status NOT IN ('cancelled', 'returned')), 0)
    FROM orders o JOIN (
        SELECT l.order_id, {ITEM_DIM.format(l="l")} AS dim, {ITEM_KEY.format(l="l")} AS key,
               sum(l.quantity) AS units, sum(l.quantity::bigint * l.unit_price) AS amount
        FROM order_lines l GROUP BY 1, 2, 3
        UNION ALL
        SELECT l.order_id, 'p', {PRODUCT_KEY.format(l="l")}, sum(l.quantity),
               sum(l.quantity::bigint * l.unit_price)
        FROM order_lines l GROUP BY 1, 3
    ) k ON k.order_id = o.id
    GROUP BY 1, 2, 3, 4, 5, 6, 7""",
    """INSERT INTO sales_items_monthly (org_id, month, channel_account_id, market, currency, dim, key,
                                        placed, cancelled, returned, units, amount)
    SELECT org_id, date_trunc('month', day)::date, channel_account_id, market, currency, dim, key,
           sum(placed), sum(cancelled), sum(returned), sum(units), sum(amount)
    FROM sales_items_daily GROUP BY 1, 2, 3, 4, 5, 6, 7""",
    # the movements where the out state changes; each out one begins a stock-out ended by the next
    """INSERT INTO stock_outs (org_id, variant_id, started_at, start_id, ended_at)
    SELECT org_id, variant_id, created_at, id, next_at FROM (
        SELECT b.*, lead(b.created_at) OVER (PARTITION BY b.variant_id ORDER BY b.created_at, b.id) AS next_at
        FROM (
            SELECT x.*, coalesce(lag(x.is_out) OVER (PARTITION BY x.variant_id ORDER BY x.created_at, x.id),
                                 false) AS was_out
            FROM (SELECT org_id, variant_id, created_at, id, on_hand_after - reserved_after <= 0 AS is_out
                  FROM inventory_ledger) x
        ) b WHERE b.is_out <> b.was_out
    ) c WHERE c.is_out""",
]


def _sales_items(name: str, period: str) -> None:
    op.create_table(
        name,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column(period, sa.Date(), nullable=False),
        sa.Column("channel_account_id", sa.Uuid(), nullable=False),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("dim", sa.String(1), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f(f"fk_{name}_org_id_organizations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "org_id",
            period,
            "channel_account_id",
            "market",
            "currency",
            "dim",
            "key",
            name=op.f(f"pk_{name}"),
        ),
    )
    op.create_index(f"ix_{name}_item", name, ["org_id", "dim", "key", period])
    op.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {name} USING (org_id = {CURRENT_ORG})")


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("product_id", sa.Uuid(), nullable=True))
    _sales_items("sales_items_daily", "day")
    _sales_items("sales_items_monthly", "month")
    op.create_table(
        "stock_outs",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start_id", sa.Uuid(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_stock_outs_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_stock_outs_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", "started_at", "start_id", name=op.f("pk_stock_outs")),
    )
    op.create_index("ix_stock_outs_org_id_started_at", "stock_outs", ["org_id", "started_at"])
    op.execute("ALTER TABLE stock_outs ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON stock_outs USING (org_id = {CURRENT_ORG})")
    # the operations report reads failed push items by time, not every item of every push
    op.create_index(
        "ix_sync_job_items_failed",
        "sync_job_items",
        ["org_id", "created_at"],
        postgresql_where=sa.text("result = 'failed'"),
    )
    for table in FORCED:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    for sql in BACKFILL:
        op.execute(sql)
    for table in FORCED:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for sql in FUNCTIONS + TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS stock_outs ON inventory_ledger")
    op.execute("DROP TRIGGER IF EXISTS sales_items_variants ON variants")
    op.execute("DROP TRIGGER IF EXISTS sales_items_orders_delete ON orders")
    op.execute("DROP TRIGGER IF EXISTS sales_items_orders ON orders")
    op.execute("DROP TRIGGER IF EXISTS sales_items_lines ON order_lines")
    for fn in (
        "stock_outs_trigger()",
        "sales_items_variants_trigger()",
        "sales_items_orders_trigger()",
        "sales_items_lines_trigger()",
        "sales_items_order(orders, integer)",
        "sales_items_line(orders, order_lines, integer)",
        "sales_items_put(orders, text, text, integer, bigint, bigint)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.drop_index("ix_sync_job_items_failed", table_name="sync_job_items")
    for table in ("stock_outs", "sales_items_monthly", "sales_items_daily"):
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.drop_table(table)
    op.drop_column("order_lines", "product_id")
