"""How fast the dashboard's pages answer for a big seller: 40,000 listings and 100,000 orders.

Starts the embedded database and the real service (`aiostore serve --no-worker`) in a subprocess,
registers a seller through the API, then fills the organisation with SQL in bulk (as the superuser,
generate_series): 4 shops, 10,000 products with 20,000 variants and their stock, 40,000 listings
(a quarter unmatched, some failing), 100,000 orders over 180 days, 50,000 audit entries, 5,000 jobs
(the newest with 1,000 item outcomes), 200,300 ledger rows (300 of them on the first variant, whose
product page pages them).
Then it asks for every page and its main filters over HTTP with the signed-in session, each
`--repeat` times after one warm-up, and prints per page the answer time p50/p95 in ms (measured by the
client around each request over loopback: the server's time plus a loopback round trip).

The last line is one JSON object: {"pages", "p95_ms_max", "slowest_page"}.

    .venv/bin/python bench/dashboard.py [--repeat 40]
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

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from propagation_db import timed_gets  # noqa: E402
from propagation_support import log, registered_seller  # noqa: E402

HTML = {"Accept": "text/html"}
SHOPS = [("shopee", "ID"), ("tiktokshop", "ID"), ("lazada", "ID"), ("tokopedia", "ID")]
LISTINGS, ORDERS, PRODUCTS, AUDIT, JOBS = 40_000, 100_000, 10_000, 50_000, 5_000

# Parameters: the organisation's id, the shops' platforms and the counts; the rows from generate_series.
FILL = [
    """INSERT INTO channel_accounts (id, org_id, platform, market, shop_id, shop_name, status, extra)
       SELECT md5(%(org)s::text || 'c' || n)::uuid, %(org)s::uuid, (%(platforms)s::text[])[n], 'ID',
              'shop-' || n, 'Toko ' || n, 'connected', '{}'
         FROM generate_series(1, 4) n""",
    """INSERT INTO products (id, org_id, title, description, status, images, attributes)
       SELECT md5(%(org)s::text || 'p' || n)::uuid, %(org)s::uuid, 'Produk ' || n, '', 'active', '[]', '{}'
         FROM generate_series(1, %(products)s) n""",
    """INSERT INTO variants (id, org_id, product_id, sku, position, option_values, images, attributes)
       SELECT md5(%(org)s::text || 'v' || n)::uuid, %(org)s::uuid,
              md5(%(org)s::text || 'p' || ((n + 1) / 2))::uuid,
              'SKU-' || lpad(n::text, 6, '0'), n %% 2, '{}', '[]', '{}'
         FROM generate_series(1, %(variants)s) n""",
    """INSERT INTO inventory (id, org_id, variant_id, on_hand, reserved, safety_buffer)
       SELECT gen_random_uuid(), %(org)s::uuid, md5(%(org)s::text || 'v' || n)::uuid, n %% 50, n %% 3, 0
         FROM generate_series(1, %(variants)s) n""",
    """INSERT INTO listings (id, org_id, channel_account_id, variant_id, platform_item_id, platform_sku,
                             title, status, platform_state, overrides, sync_state, last_error,
                             platform_stock, created_at)
       SELECT gen_random_uuid(), %(org)s::uuid, md5(%(org)s::text || 'c' || (n %% 4 + 1))::uuid,
              CASE WHEN n %% 4 = 0 THEN NULL
                   ELSE md5(%(org)s::text || 'v' || (n %% %(variants)s + 1))::uuid END,
              n::text, 'SKU-' || lpad((n %% %(variants)s + 1)::text, 6, '0'), 'Listing ' || n, 'active',
              '{}', '{}', CASE WHEN n %% 97 = 0 THEN 'error' ELSE 'in_sync' END,
              CASE WHEN n %% 97 = 0 THEN 'stock push refused' END, n %% 50,
              now() - make_interval(secs => n)
         FROM generate_series(1, %(listings)s) n""",
    """INSERT INTO orders (id, org_id, channel_account_id, platform_order_id, market, status,
                           platform_status, currency, total_amount, placed_at, platform_updated_at,
                           oversold, raw)
       SELECT gen_random_uuid(), %(org)s::uuid, md5(%(org)s::text || 'c' || (n %% 4 + 1))::uuid,
              'INV-' || lpad(n::text, 7, '0'), 'ID',
              (ARRAY['unpaid','to_ship','shipped','completed','cancelled','returned'])[n %% 6 + 1], 'X',
              'IDR', 10000 + n, now() - make_interval(secs => n * 155), now(), n %% 500 = 0, '{}'
         FROM generate_series(1, %(orders)s) n""",
    """INSERT INTO audit_log (id, org_id, actor_type, actor_label, action, entity_type, entity_id,
                              changes, created_at)
       SELECT gen_random_uuid(), %(org)s::uuid, 'system', '',
              (ARRAY['listing.linked','order.shipped','stock.adjusted','product.updated'])[n %% 4 + 1],
              'order', 'E-' || n, '{}', now() - make_interval(secs => n * 60)
         FROM generate_series(1, %(audit)s) n""",
    """INSERT INTO sync_jobs (id, org_id, kind, status, attempts, max_attempts, progress_done, dry_run,
                              params, started_by, created_at)
       SELECT gen_random_uuid(), %(org)s::uuid,
              (ARRAY['pull_orders','push_stock','pull_products'])[n %% 3 + 1],
              (ARRAY['succeeded','failed','queued','cancelled'])[n %% 4 + 1], 1, 5, 0, false, '{}',
              'schedule', now() - make_interval(secs => n * 300)
         FROM generate_series(1, %(jobs)s) n""",
    # Ten ledger rows per variant, and 300 more on the first variant (its product page pages them).
    """INSERT INTO inventory_ledger (id, org_id, variant_id, cause, on_hand_delta, reserved_delta,
                                    on_hand_after, reserved_after, note, created_at)
       SELECT gen_random_uuid(), %(org)s::uuid,
              md5(%(org)s::text || 'v' || CASE WHEN n > %(variants)s * 10 THEN 1
                                               ELSE n %% %(variants)s + 1 END)::uuid,
              (ARRAY['order','manual','import','sync'])[n %% 4 + 1], -(n %% 3), n %% 2, n %% 50, n %% 3,
              '', now() - make_interval(secs => n)
         FROM generate_series(1, %(variants)s * 10 + 300) n""",
    # The newest job carries 1,000 per-item outcomes (its page shows them).
    """INSERT INTO sync_job_items (id, org_id, job_id, ref, result, error, dry_run, request)
       SELECT gen_random_uuid(), %(org)s::uuid,
              (SELECT id FROM sync_jobs WHERE org_id = %(org)s::uuid ORDER BY created_at DESC LIMIT 1),
              'sku:SKU-' || lpad(n::text, 6, '0'), (ARRAY['ok','failed','skipped'])[n %% 3 + 1],
              CASE WHEN n %% 3 = 1 THEN 'stock push refused' END, false, '{}'
         FROM generate_series(1, 1000) n""",
]


async def fill(conninfo: str, org_id: str) -> None:
    started = time.perf_counter()
    params = {
        "org": org_id,
        "platforms": [p for p, _ in SHOPS],
        "products": PRODUCTS,
        "variants": 2 * PRODUCTS,
        "listings": LISTINGS,
        "orders": ORDERS,
        "audit": AUDIT,
        "jobs": JOBS,
    }
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as db:
        for sql in FILL:
            await db.execute(sql, params)
        await db.execute("ANALYZE")
        first_order = await (
            await db.execute("SELECT id FROM orders ORDER BY placed_at DESC LIMIT 1")
        ).fetchone()
        newest_job = await (
            await db.execute("SELECT id FROM sync_jobs ORDER BY created_at DESC LIMIT 1")
        ).fetchone()
        first_product = await (
            await db.execute("SELECT md5(%(org)s::text || 'p' || 1)::uuid", {"org": org_id})
        ).fetchone()
    log(f"filled the organisation in {time.perf_counter() - started:.1f} s")
    assert first_order is not None and newest_job is not None and first_product is not None  # noqa: S101
    PAGES.append(("order detail", f"/orders/{first_order[0]}"))
    PAGES.append(("catalog product", f"/catalog/{first_product[0]}"))
    PAGES.append(("job detail", f"/jobs/{newest_job[0]}"))


PAGES: list[tuple[str, str]] = [
    ("overview", "/overview"),
    ("shops", "/shops"),
    ("catalog", "/catalog"),
    ("catalog search", "/catalog?q=SKU-0123"),
    ("listings", "/listings"),
    ("listings unmatched", "/listings?unmatched=true"),
    ("listings errors", "/listings?sync_state=error"),
    ("listings search", "/listings?q=Listing+3999"),
    ("orders", "/orders"),
    ("orders to ship", "/orders?status=to_ship"),
    ("orders oversold", "/orders?oversold=true"),
    ("orders search", "/orders?q=INV-0099999"),
    ("jobs", "/jobs"),
    ("jobs failed", "/jobs?status=failed"),
    ("members", "/members"),
    ("tokens", "/tokens"),
    ("audit", "/audit"),
    ("audit action", "/audit?action=stock.adjusted"),
    ("settings", "/settings"),
    ("invitations", "/invitations"),
    ("stock & prices", "/changes"),
    ("new stock change", "/changes/new/stock"),
    ("new price change", "/changes/new/price"),
    ("reports sales", "/reports?tab=sales"),
    ("reports products", "/reports?tab=products"),
    ("reports operations", "/reports?tab=operations"),
    ("notifications", "/notifications"),
]


async def shop_filters(client: httpx.AsyncClient) -> None:
    """The per-shop filters need a shop's id: read it from the API."""
    shops = (await client.get("/api/channels")).json()
    first = shops[0]["id"]
    PAGES.append(("listings by shop", f"/listings?channel_account_id={first}"))
    PAGES.append(("orders by shop", f"/orders?channel_account_id={first}"))


async def measure(client: httpx.AsyncClient, repeat: int) -> list[dict[str, Any]]:
    results = []
    for name, path in PAGES:
        p50, p95 = await timed_gets(client, path, repeat, HTML)
        results.append({"page": name, "path": path, "p50_ms": p50, "p95_ms": p95})
        print(f"{name:<22} p50 {p50:>7} ms   p95 {p95:>7} ms   {path}", flush=True)
    return results


async def run(repeat: int) -> dict[str, Any]:
    async with registered_seller("aiostore-dash-bench-") as (seller, conninfo, org_id):
        await fill(conninfo, org_id)
        await shop_filters(seller.api)
        results = await measure(seller.api, repeat)
    slowest = max(results, key=lambda r: r["p95_ms"])
    return {
        "pages": len(results),
        "p95_ms_max": slowest["p95_ms"],
        "slowest_page": slowest["page"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="requests per page after a warm-up")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        summary = asyncio.run(run(args.repeat))
        print(json.dumps(summary, separators=(",", ":")))
        return 0
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
