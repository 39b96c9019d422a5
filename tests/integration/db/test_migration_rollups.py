"""0018 fills the report roll-ups from the rows a database already holds (migrations run as the owner,
under forced row-level security), and the triggers keep them from then on."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from aiostore.db import migrate
from aiostore.db.engine import DatabaseURLs, create_engine
from aiostore.settings import Settings

ORG, SHOP, PRODUCT, V1, V2 = (uuid.uuid4() for _ in range(5))
O1, O2 = uuid.uuid4(), uuid.uuid4()
BEFORE = [
    "INSERT INTO organizations (id, name) VALUES (:org, 'Toko')",
    """INSERT INTO channel_accounts (id, org_id, platform, market, shop_id, shop_name, status, extra)
       VALUES (:shop, :org, 'shopee', 'ID', 's', 'S', 'connected', '{}')""",
    """INSERT INTO products (id, org_id, title, description, status, images, attributes)
       VALUES (:product, :org, 'P', '', 'active', '[]', '{}')""",
    """INSERT INTO variants (id, org_id, product_id, sku, position, option_values, images, attributes)
       VALUES (:v1, :org, :product, 'A', 0, '{}', '[]', '{}'),
              (:v2, :org, :product, 'B', 1, '{}', '[]', '{}')""",
    """INSERT INTO orders (id, org_id, channel_account_id, platform_order_id, market, status, platform_status,
                           currency, total_amount, placed_at, platform_updated_at, oversold, raw)
       VALUES (:o1, :org, :shop, '1', 'ID', 'completed', 'X', 'IDR', 0, '2026-05-01 03:00Z', now(), false,
               '{}'),
              (:o2, :org, :shop, '2', 'ID', 'cancelled', 'X', 'IDR', 0, '2026-05-31 18:00Z', now(), false,
               '{}')""",
    # order 1: two variants of the one product (one order for the product); order 2 on 1 June in Jakarta
    """INSERT INTO order_lines (id, org_id, order_id, variant_id, sku, title, quantity, unit_price, currency)
       VALUES (gen_random_uuid(), :org, :o1, :v1, 'A', 't', 2, 100, 'IDR'),
              (gen_random_uuid(), :org, :o1, :v2, 'B', 't', 1, 50, 'IDR'),
              (gen_random_uuid(), :org, :o2, NULL, 'Z', 't', 3, 10, 'IDR')""",
    """INSERT INTO inventory_ledger (id, org_id, variant_id, cause, on_hand_delta, reserved_delta,
                                    on_hand_after, reserved_after, note, created_at)
       VALUES (gen_random_uuid(), :org, :v1, 'manual', 0, 0, 0, 0, '', '2026-05-02Z'),
              (gen_random_uuid(), :org, :v1, 'manual', 0, 0, 5, 0, '', '2026-05-03Z')""",
]
ITEMS = """SELECT day, dim, key, placed, cancelled, returned, units, amount FROM sales_items_daily
           WHERE org_id = :org ORDER BY day, dim, key"""


async def test_the_rollups_start_from_the_existing_rows(fresh: DatabaseURLs, test_settings: Settings) -> None:
    await migrate.upgrade(fresh, test_settings, "0017_order_gaps")
    ids = {"org": ORG, "shop": SHOP, "product": PRODUCT, "v1": V1, "v2": V2, "o1": O1, "o2": O2}
    engine = create_engine(fresh.owner, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'SET LOCAL ROLE "{test_settings.db_owner_role}"'))
            await conn.execute(text("SELECT set_config('app.org_id', :org, true)"), {"org": str(ORG)})
            for sql in BEFORE:
                await conn.execute(text(sql), ids)
        await migrate.upgrade(fresh, test_settings)
        async with engine.begin() as conn:  # the server's superuser: no row-level security
            items = (await conn.execute(text(ITEMS), ids)).all()
            months = (
                await conn.execute(
                    text(
                        "SELECT month, dim, sum(placed), sum(units) FROM sales_items_monthly"
                        " WHERE org_id = :org GROUP BY 1, 2 ORDER BY 1, 2"
                    ),
                    ids,
                )
            ).all()
            daily = (
                await conn.execute(
                    text(
                        "SELECT day, status, orders, units, amount FROM sales_daily"
                        " WHERE org_id = :org ORDER BY 1"
                    ),
                    ids,
                )
            ).all()
            outs = (await conn.execute(text("SELECT variant_id, ended_at IS NOT NULL FROM stock_outs"))).all()
            products = set((await conn.execute(text("SELECT product_id FROM order_lines"))).scalars().all())
    finally:
        await engine.dispose()
    may, june = [r[0] for r in daily]
    assert {(r[1], r[2]): (r[0], *r[3:]) for r in items} == {
        ("p", str(PRODUCT)): (may, 1, 0, 0, 3, 250),  # one order, both variants' units and amount
        ("v", str(V1)): (may, 1, 0, 0, 2, 200),
        ("v", str(V2)): (may, 1, 0, 0, 1, 50),
        ("p", ""): (june, 1, 1, 0, 0, 0),  # the cancelled order's line of no variant: counted, not sold
        ("s", "Z"): (june, 1, 1, 0, 0, 0),
    }
    assert [(str(m), d, p, u) for m, d, p, u in months] == [
        ("2026-05-01", "p", 1, 3),
        ("2026-05-01", "v", 2, 3),
        ("2026-06-01", "p", 1, 0),
        ("2026-06-01", "s", 1, 0),
    ]
    assert [(str(d), s, o, u, a) for d, s, o, u, a in daily] == [
        ("2026-05-01", "completed", 1, 3, 250),
        ("2026-06-01", "cancelled", 1, 3, 30),
    ]
    assert outs == [(V1, True)]
    assert products == {PRODUCT, None}
