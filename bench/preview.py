"""How fast a catalog publish preview is for a big seller: 10,000 products × 1-4 variants on four shops.

Starts the embedded database and the real service (`aiostore serve --no-worker`) in a subprocess,
registers a seller through the API, then fills the organisation with SQL in bulk (generate_series):
four shops (one per platform), 10,000 products with 1-4 variants each (25,000 variants), their
prices, stock and platform mappings, and every variant's listing on every shop as last pulled (100,000
listing rows, their platform state equal to the master's). Then 10% of the products change: half a
new title, half new prices. It asks for one preview of every product on every shop (40,000 targets)
over HTTP and prints the time (client-side, around the request), microseconds per target, the
service's peak memory during the preview (VmHWM reset before it, as bench/stock_price.py does), and
the publish calls the commit would make beside the minimum the platforms' batch limits allow.

The last line is one JSON object:
{"listings", "seconds", "us_per_listing", "peak_mib", "publish_calls", "min_publish_calls"}.

    .venv/bin/python bench/preview.py [--products 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from propagation_support import log, registered_seller  # noqa: E402
from stock_price import Phase  # noqa: E402

PLATFORMS = ["shopee", "tiktokshop", "lazada", "tokopedia"]
DESCRIPTION = (
    "Kaos polos dari katun combed yang lembut dan adem, jahitan rapi, untuk dipakai sehari-hari "
    "maupun bersantai bersama keluarga."
)

# Parameters: the organisation's id, the platforms and the product count; rows from generate_series.
# Product p has (p % 4) + 1 variants; variant (p, v) costs 10,000 + p rupiah and has 10 + v on hand.
FILL = [
    """INSERT INTO channel_accounts (id, org_id, platform, market, shop_id, shop_name, status, extra)
       SELECT md5(%(org)s::text || 'c' || n)::uuid, %(org)s::uuid, (%(platforms)s::text[])[n], 'ID',
              'shop-' || n, 'Toko ' || n, 'connected', '{}'
         FROM generate_series(1, 4) n""",
    """INSERT INTO products (id, org_id, title, brand, description, status, images, attributes)
       SELECT md5(%(org)s::text || 'p' || p)::uuid, %(org)s::uuid, 'Kaos Polos Katun Premium ' || p, 'Maju',
              %(description)s, 'active', jsonb_build_array('https://img.example/p-' || p || '.jpg'), '{}'
         FROM generate_series(1, %(products)s) p""",
    """INSERT INTO variants (id, org_id, product_id, sku, position, option_values, images, attributes,
                             weight_grams, length_mm, width_mm, height_mm)
       SELECT md5(%(org)s::text || 'v' || p || '-' || v)::uuid, %(org)s::uuid,
              md5(%(org)s::text || 'p' || p)::uuid, 'SKU-' || lpad(p::text, 6, '0') || '-' || v, v,
              jsonb_build_object('size', v::text), '[]', '{}', 250, 300, 200, 20
         FROM generate_series(1, %(products)s) p, generate_series(1, p %% 4 + 1) v""",
    """INSERT INTO variant_prices (id, org_id, variant_id, market, currency, amount)
       SELECT gen_random_uuid(), %(org)s::uuid, id, 'ID', 'IDR', 10000 + split_part(sku, '-', 2)::int
         FROM variants WHERE org_id = %(org)s::uuid""",
    """INSERT INTO inventory (id, org_id, variant_id, on_hand, reserved, safety_buffer)
       SELECT gen_random_uuid(), %(org)s::uuid, id, 10 + position, 0, 0
         FROM variants WHERE org_id = %(org)s::uuid""",
    """INSERT INTO product_platform_mappings (id, org_id, product_id, platform, market, category_id,
                                              attributes)
       SELECT gen_random_uuid(), %(org)s::uuid, p.id, c.platform, 'ID', '100', '[]'
         FROM products p CROSS JOIN channel_accounts c WHERE p.org_id = %(org)s::uuid
          AND c.org_id = %(org)s::uuid""",
    # every variant on every shop, its platform state what the master says (as pulled after a publish)
    """INSERT INTO listings (id, org_id, channel_account_id, variant_id, platform_item_id,
                             platform_model_id, platform_sku, title, status, platform_state, overrides,
                             sync_state, platform_stock)
       SELECT gen_random_uuid(), %(org)s::uuid, c.id, v.id, split_part(v.sku, '-', 2), v.position::text,
              v.sku, p.title, 'active',
              jsonb_build_object('name', p.title, 'description', p.description, 'images', p.images,
                                 'attributes', '[]'::jsonb, 'category', '100', 'brand', NULL,
                                 'options', jsonb_build_array(v.position::text),
                                 'price', (10000 + split_part(v.sku, '-', 2)::int)::text),
              '{}', 'in_sync', 10 + v.position
         FROM variants v JOIN products p ON p.id = v.product_id
        CROSS JOIN channel_accounts c WHERE v.org_id = %(org)s::uuid AND c.org_id = %(org)s::uuid""",
    # the change: 5% of the products get a new title, 5% new prices
    """UPDATE products SET title = title || ' Baru'
        WHERE org_id = %(org)s::uuid AND split_part(title, ' ', 5)::int %% 20 = 0""",
    """UPDATE variant_prices SET amount = amount + 500
        WHERE org_id = %(org)s::uuid AND variant_id IN (
              SELECT id FROM variants WHERE split_part(sku, '-', 2)::int %% 20 = 10)""",
]


async def fill(conninfo: str, org_id: str, products: int) -> tuple[list[str], int]:
    started = time.perf_counter()
    params = {"org": org_id, "platforms": PLATFORMS, "products": products, "description": DESCRIPTION}
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as db:
        for sql in FILL:
            await db.execute(sql, params)
        await db.execute("ANALYZE")
        shops = [str(r[0]) for r in await (await db.execute(
            "SELECT id FROM channel_accounts WHERE org_id = %(org)s::uuid ORDER BY platform", params
        )).fetchall()]  # fmt: skip
        rows = await (
            await db.execute("SELECT count(*) FROM listings WHERE org_id = %(org)s::uuid", params)
        ).fetchone()
    log(f"filled the organisation in {time.perf_counter() - started:.1f} s")
    return shops, int(rows[0]) if rows else 0


async def run(products: int) -> dict[str, Any]:
    async with registered_seller("aiostore-preview-bench-") as (seller, conninfo, org_id):
        shops, rows = await fill(conninfo, org_id, products)
        assert seller.pid is not None  # noqa: S101
        body = {"filter": {}, "channel_account_ids": shops, "reason": "bench"}
        seller.api.timeout = 600  # type: ignore[assignment]
        async with Phase(seller.pid) as phase:
            started = time.perf_counter()
            preview = await seller.call("POST", "/api/catalog/preview", json=body)
            seconds = time.perf_counter() - started
    summary = preview["summary"]
    targets = summary["targets"]
    log(f"{targets} targets (product × shop) over {rows} listing rows: {summary['actions']}")
    for shop, calls in summary["calls"].items():
        log(f"  {calls['platform']:<11} {shop[:8]}: {calls}")
    return {
        "listings": targets,
        "seconds": round(seconds, 3),
        "us_per_listing": round(seconds * 1e6 / max(targets, 1), 1),
        "peak_mib": phase.peak,
        "publish_calls": summary["publish_calls"],
        "min_publish_calls": summary["min_publish_calls"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000, help="master products (each on 4 shops)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        print(json.dumps(asyncio.run(run(args.products)), separators=(",", ":")))
        return 0
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
