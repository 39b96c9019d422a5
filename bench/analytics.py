"""How fast the reports answer for a seller with four shops over three markets and 1,000,000 order lines
across two years.

Starts the embedded database and the real service (`aiostore serve --no-worker`) in a subprocess,
registers a seller through the API, then fills the organisation with SQL in bulk (as the superuser,
generate_series, row triggers off, then the report roll-ups built in bulk as migrations 0018 and
0025 build them): 4 shops (Shopee and Tokopedia in Indonesia, Lazada in Malaysia, Shopee in Singapore),
500 products with 1,000 variants and their stock, 333,334 orders with 1,000,000 lines over 730 days (a
sixth cancelled, a sixth returned), one ledger movement per line (some leaving nothing available), a
stock push per shop per hour (one in fifty failed, with its item's reason) and a pull per shop per day.
Then it asks for every report over the last 365 days with its common filters over HTTP, each `--repeat`
times after one warm-up, and prints per report the answer time p50/p95 in ms (measured by the client
around each request over loopback).

A report that does not answer within `--timeout` seconds (or fails) is recorded with that time and its
error, and the run goes on: the last line is always one JSON object, {"order_lines", "reports",
"p95_ms_max", "slowest_report"} (with "timed_out": [names] when some report did not answer in time).
`--lines` makes a smaller organisation while iterating (orders, days and products stay in proportion:
three lines an order, the same two years).

    .venv/bin/python bench/analytics.py [--repeat 20] [--lines 1000000] [--timeout 30]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from propagation_db import timed_gets  # noqa: E402
from propagation_support import log, registered_seller  # noqa: E402

SHOPS = [
    ("shopee", "ID", "IDR"),
    ("tokopedia", "ID", "IDR"),
    ("lazada", "MY", "MYR"),
    ("shopee", "SG", "SGD"),
]
LINES, PER_ORDER, PRODUCTS, DAYS = 1_000_000, 3, 500, 730

FILL = [
    """INSERT INTO channel_accounts (id, org_id, platform, market, shop_id, shop_name, status, extra,
                                     refresh_expires_at)
       SELECT md5(%(org)s::text || 'c' || n)::uuid, %(org)s::uuid, (%(platforms)s::text[])[n],
              (%(markets)s::text[])[n], 'shop-' || n, 'Toko ' || n, 'connected', '{}',
              now() + interval '20 days'
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
       SELECT gen_random_uuid(), %(org)s::uuid, md5(%(org)s::text || 'v' || n)::uuid, n %% 400, n %% 3, 0
         FROM generate_series(1, %(variants)s) n""",
    """INSERT INTO listings (id, org_id, channel_account_id, variant_id, platform_item_id, title, status,
                             platform_state, overrides, sync_state)
       SELECT gen_random_uuid(), %(org)s::uuid, md5(%(org)s::text || 'c' || (n %% 4 + 1))::uuid,
              md5(%(org)s::text || 'v' || ((n - 1) / 4 + 1))::uuid, n::text, 'Listing ' || n, 'active',
              '{}', '{}', 'in_sync'
         FROM generate_series(1, %(variants)s * 4) n""",
    """INSERT INTO orders (id, org_id, channel_account_id, platform_order_id, market, status,
                           platform_status, currency, total_amount, placed_at, platform_updated_at,
                           oversold, raw)
       SELECT md5(%(org)s::text || 'o' || n)::uuid, %(org)s::uuid,
              md5(%(org)s::text || 'c' || (n %% 4 + 1))::uuid, 'INV-' || lpad(n::text, 7, '0'),
              (%(markets)s::text[])[n %% 4 + 1],
              (ARRAY['unpaid','to_ship','shipped','completed','cancelled','returned'])[n %% 6 + 1], 'X',
              (%(currencies)s::text[])[n %% 4 + 1], 0,
              now() - make_interval(secs => n * %(spacing)s), now(), n %% 700 = 0, '{}'
         FROM generate_series(1, %(orders)s) n""",
    """INSERT INTO order_lines (id, org_id, order_id, variant_id, sku, title, quantity, unit_price, currency)
       SELECT gen_random_uuid(), %(org)s::uuid, md5(%(org)s::text || 'o' || ((n - 1) / 3 + 1))::uuid,
              md5(%(org)s::text || 'v' || ((n::bigint * 7919) %% %(variants)s + 1))::uuid,
              'SKU-' || lpad(((n::bigint * 7919) %% %(variants)s + 1)::text, 6, '0'), 'Item', 1 + n %% 3,
              CASE WHEN ((n - 1) / 3 + 1) %% 4 + 1 <= 2 THEN 10000 + n %% 90000 ELSE 100 + n %% 9000 END,
              (%(currencies)s::text[])[((n - 1) / 3 + 1) %% 4 + 1]
         FROM generate_series(1, %(lines)s) n""",
    # One sale movement per line, a second after its order; one in 97 leaves nothing available.
    """INSERT INTO inventory_ledger (id, org_id, variant_id, cause, on_hand_delta, reserved_delta,
                                    on_hand_after, reserved_after, order_id, note, created_at)
       SELECT gen_random_uuid(), %(org)s::uuid,
              md5(%(org)s::text || 'v' || ((n::bigint * 7919) %% %(variants)s + 1))::uuid, 'order', 0, 1,
              CASE WHEN n %% 97 = 0 THEN 0 ELSE 50 END, 0,
              md5(%(org)s::text || 'o' || ((n - 1) / 3 + 1))::uuid, '',
              now() - make_interval(secs => ((n - 1) / 3 + 1) * %(spacing)s) + interval '1 second'
         FROM generate_series(1, %(lines)s) n""",
    # A stock push per shop per hour (one in fifty failed), a pull per shop per day. Each successful push
    # carried sales from other shops, the oldest 0.1-4 s before the platform took it.
    """INSERT INTO sync_jobs (id, org_id, kind, channel_account_id, status, attempts, max_attempts,
                              progress_done, dry_run, params, started_by, created_at, finished_at,
                              sale_at, sales_carried, pushed_at)
       SELECT gen_random_uuid(), %(org)s::uuid, 'push_stock', md5(%(org)s::text || 'c' || (n %% 4 + 1))::uuid,
              CASE WHEN n %% 50 = 0 THEN 'failed' ELSE 'succeeded' END, 1, 5, 0, false, '{}', 'system',
              now() - make_interval(secs => (n / 4) * 3600 + 5),
              now() - make_interval(secs => (n / 4) * 3600),
              CASE WHEN n %% 50 <> 0
                   THEN now() - make_interval(secs => (n / 4) * 3600 + 0.1 + (n %% 40) / 10.0) END,
              CASE WHEN n %% 50 <> 0 THEN 1 + n %% 3 END,
              CASE WHEN n %% 50 <> 0 THEN now() - make_interval(secs => (n / 4) * 3600) END
         FROM generate_series(0, %(days)s * 24 * 4 - 1) n""",
    """INSERT INTO sync_jobs (id, org_id, kind, channel_account_id, status, attempts, max_attempts,
                              progress_done, dry_run, params, started_by, created_at, finished_at)
       SELECT gen_random_uuid(), %(org)s::uuid, 'pull_orders',
              md5(%(org)s::text || 'c' || (n %% 4 + 1))::uuid,
              'succeeded', 1, 5, 0, false, '{}', 'schedule',
              now() - make_interval(days => n / 4), now() - make_interval(days => n / 4)
         FROM generate_series(0, %(days)s * 4 - 1) n""",
    """INSERT INTO sync_job_items (id, org_id, job_id, ref, result, error, dry_run, request)
       SELECT gen_random_uuid(), %(org)s::uuid, j.id, 'sku', 'failed',
              (ARRAY['stock exceeds limit','item banned','rate limited'])
                  [(extract(epoch FROM j.created_at)::bigint %% 3) + 1],
              false, '{}'
         FROM sync_jobs j WHERE j.org_id = %(org)s::uuid AND j.status = 'failed'""",
]


def _rollups(name: str) -> Any:
    """A migration's module (its backfill statements)."""
    import importlib.util

    from aiostore.db.migrate import MIGRATIONS

    path = MIGRATIONS / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def fill(conninfo: str, org_id: str, lines: int) -> None:
    started = time.perf_counter()
    orders = -(-lines // PER_ORDER)
    params = {
        "org": org_id,
        "platforms": [p for p, _, _ in SHOPS],
        "markets": [m for _, m, _ in SHOPS],
        "currencies": [c for _, _, c in SHOPS],
        "products": PRODUCTS,
        "variants": 2 * PRODUCTS,
        "orders": orders,
        "lines": lines,
        "days": DAYS,
        "spacing": DAYS * 86400 / orders,
    }
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as db:
        # in bulk: row triggers off (the superuser's replica mode), then the report roll-ups built from
        # the rows at once by the statements migration 0018 fills them with (triggers still off: they
        # would redo each row's share)
        await db.execute("SET session_replication_role = replica")
        for sql in FILL:
            await db.execute(sql, params)
        for sql in _rollups("0018_report_rollups").BACKFILL + _rollups("0025_item_day_totals").BACKFILL:
            await db.execute(sql)
        await db.execute("SET session_replication_role = DEFAULT")
        await db.execute("VACUUM ANALYZE")
        found = await (await db.execute("SELECT count(*) FROM order_lines")).fetchone()
    assert found is not None and found[0] == lines  # noqa: S101
    log(f"filled the organisation in {time.perf_counter() - started:.1f} s")


def reports(shop: str, product: str) -> list[tuple[str, str]]:
    today = datetime.now(UTC).date()
    year = f"from={(today - timedelta(days=364)).isoformat()}&to={today.isoformat()}"
    return [
        ("sales by day", f"/api/reports/sales?{year}"),
        ("sales by day vs previous", f"/api/reports/sales?{year}&compare=true"),
        ("sales by week and shop", f"/api/reports/sales?{year}&period=week&group=shop"),
        ("sales by month and platform", f"/api/reports/sales?{year}&period=month&group=platform"),
        ("sales by month and market", f"/api/reports/sales?{year}&period=month&group=market"),
        ("sales by month and product", f"/api/reports/sales?{year}&period=month&group=product"),
        ("sales by month and sku", f"/api/reports/sales?{year}&period=month&group=sku"),
        ("sales by month, sku page 3", f"/api/reports/sales?{year}&period=month&group=sku&offset=100"),
        ("sales by week and product", f"/api/reports/sales?{year}&period=week&group=product"),
        ("sales sku csv export", f"/api/reports/sales?{year}&period=month&group=sku&format=csv"),
        ("sales one shop", f"/api/reports/sales?{year}&shop={shop}"),
        ("sales one market", f"/api/reports/sales?{year}&market=MY"),
        ("sales one product", f"/api/reports/sales?{year}&product={product}"),
        ("sales csv export", f"/api/reports/sales?{year}&period=week&group=shop&format=csv"),
        ("products", f"/api/reports/products?{year}"),
        ("products one market", f"/api/reports/products?{year}&market=ID"),
        ("products xlsx export", f"/api/reports/products?{year}&format=xlsx"),
        ("operations", f"/api/reports/operations?{year}"),
        ("operations one shop", f"/api/reports/operations?{year}&shop={shop}"),
    ]


async def timed_report(
    client: httpx.AsyncClient, name: str, path: str, repeat: int, limit_s: float
) -> dict[str, Any]:
    """The report's p50/p95; one that fails or outlasts `limit_s` seconds (all its requests together)
    is recorded at that time with its error instead of stopping the run."""
    started = time.perf_counter()
    try:
        p50, p95 = await asyncio.wait_for(timed_gets(client, path, repeat), limit_s)
    except (TimeoutError, httpx.HTTPError, RuntimeError) as exc:
        spent = round((time.perf_counter() - started) * 1000, 1)
        error = "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"[:200]
        print(f"{name:<28} {error} after {spent} ms", flush=True)
        return {"report": name, "p50_ms": spent, "p95_ms": spent, "error": error}
    print(f"{name:<28} p50 {p50:>7} ms   p95 {p95:>7} ms", flush=True)
    return {"report": name, "p50_ms": p50, "p95_ms": p95}


async def measure(client: httpx.AsyncClient, repeat: int, limit_s: float) -> list[dict[str, Any]]:
    shop = (await client.get("/api/channels")).json()[0]["id"]
    products = (await client.get("/api/products?limit=1")).json()
    product = products["items"][0]["id"]
    return [await timed_report(client, name, path, repeat, limit_s) for name, path in reports(shop, product)]


async def run(repeat: int, lines: int, limit_s: float) -> dict[str, Any]:
    async with registered_seller("aiostore-analytics-bench-") as (seller, conninfo, org_id):
        await fill(conninfo, org_id, lines)
        # no single request outlasts the report's timeout either
        seller.api.timeout = httpx.Timeout(limit_s)
        results = await measure(seller.api, repeat, limit_s)
    slowest = max(results, key=lambda r: r["p95_ms"] or 0.0)
    summary: dict[str, Any] = {
        "order_lines": lines,
        "reports": len(results),
        "p95_ms_max": slowest["p95_ms"],
        "slowest_report": slowest["report"],
    }
    timed_out = [r["report"] for r in results if "error" in r]
    if timed_out:
        summary["timed_out"] = timed_out
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per report after a warm-up")
    parser.add_argument("--lines", type=int, default=LINES, help="order lines to generate")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a report may take in all")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        summary = asyncio.run(run(args.repeat, args.lines, args.timeout))
        print(json.dumps(summary, separators=(",", ":")))
        return 0
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
