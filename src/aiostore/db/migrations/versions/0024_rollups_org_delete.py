"""Deleting an organisation no longer trips the sales roll-ups' triggers.

An order deleted takes its figures out of `sales_daily` and the item roll-ups (BEFORE DELETE triggers of
0015 and 0018). When the order goes because its organisation is deleted (ON DELETE CASCADE, e.g. the
demo's reset), the roll-up rows of that organisation may already be gone, and taking the order out again
inserted a row naming the organisation being deleted: a foreign-key violation, so the organisation could
not be deleted. The delete triggers now leave the roll-ups alone when the order's organisation no longer
exists (its own rows go with it). Row-level security makes the organisation visible exactly when its
orders are: both are keyed on `app.org_id`.

Revision ID: 0024_rollups_org_delete
Revises: 0023_price_sync_state
Create Date: 2026-12-06 10:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024_rollups_org_delete"
down_revision: str | None = "0023_price_sync_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (trigger, the function it ran, the new function, what the new one performs)
TRIGGERS = (
    (
        "sales_daily_orders_delete",
        "sales_daily_orders_trigger",
        "sales_daily_order_deleted",
        "sales_daily_order",
    ),
    (
        "sales_items_orders_delete",
        "sales_items_orders_trigger",
        "sales_items_order_deleted",
        "sales_items_order",
    ),
)


def upgrade() -> None:
    for trigger, _old, new, perform in TRIGGERS:
        op.execute(
            f"""CREATE FUNCTION {new}() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = public AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM organizations WHERE id = OLD.org_id) THEN
                    PERFORM {perform}(OLD, -1);
                END IF;
                RETURN OLD;
            END $$"""
        )
        op.execute(f"DROP TRIGGER {trigger} ON orders")
        op.execute(f"CREATE TRIGGER {trigger} BEFORE DELETE ON orders FOR EACH ROW EXECUTE FUNCTION {new}()")


def downgrade() -> None:
    for trigger, old, new, _perform in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON orders")
        op.execute(f"CREATE TRIGGER {trigger} BEFORE DELETE ON orders FOR EACH ROW EXECUTE FUNCTION {old}()")
        op.execute(f"DROP FUNCTION {new}()")
