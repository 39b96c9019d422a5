"""Pull a whole sandbox shop through a connector, push a stock update for every model, count the calls.

    bench/connector_pull.py [--platform NAME|all] [--products 10000] [--models 3]

Starts its own sandbox (in process, over httpx.ASGITransport: real HTTP requests and responses, no
socket) seeded with P products × M models, no added latency, the sandbox's rate limit off and the
connector's own limiter raised out of the way (the figure is our code's cost, not a platform quota).
It pulls every product with its variants (``list_products``), then sends one stock update per model
(``update_stock``), and checks that the calls made equal the fewest the platform's limits allow
(MARKETPLACES.md "The minimum number of calls"), computed from the connector's own ``limits``.

The last line printed is one JSON object: platform, products, models, seconds (the pull), products_per_s,
api_calls / min_api_calls (the pull), stock_calls / min_stock_calls (the push). Exit status 1 when a count
differs from its minimum, the sandbox saw other counts than the connector, or an update failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from aiostore.connectors import registry
from aiostore.connectors.dtos import StockUpdate
from aiostore.connectors.plugin import PlatformPlugin
from pull_targets import min_stock_calls, open_target

# Every platform the registry knows, in the order of their names.
PLATFORMS: dict[str, PlatformPlugin] = {plugin.name: plugin for plugin in registry.plugins()}


# -- the run ------------------------------------------------------------------------------------------


async def run(bench: PlatformPlugin, products: int, models: int) -> tuple[dict[str, object], list[str]]:
    problems: list[str] = []
    seeded = time.perf_counter()
    target = await open_target(bench, products, models)
    print(f"{bench.name}: sandbox seeded in {time.perf_counter() - seeded:.1f} s", file=sys.stderr)
    connector = target.connector
    try:
        start = time.perf_counter()
        pulled = [p async for p in connector.list_products()]
        pull_seconds = time.perf_counter() - start
        api_calls = connector.api_calls

        updates = [
            StockUpdate(v.item_id, v.variant_id, (v.stock or 0) + 1) for p in pulled for v in p.variants
        ]
        start = time.perf_counter()
        results = await connector.update_stock(updates)
        push_seconds = time.perf_counter() - start
        stock_calls = connector.api_calls - api_calls
        print(f"{bench.name}: stock push of {len(updates)} models in {push_seconds:.1f} s", file=sys.stderr)

        if len(pulled) != products or len({p.item_id for p in pulled}) != products:
            problems.append(f"pulled {len(pulled)} products, expected {products} distinct")
        failed = [r for r in results if not r.ok]
        if failed:
            problems.append(f"{len(failed)} stock updates failed, e.g. {failed[0]}")
        if target.received() != connector.api_calls:
            problems.append(
                f"the sandbox received {target.received()} calls, the connector sent {connector.api_calls}"
            )
        min_api, min_stock = (
            bench.min_pull_calls(connector.limits, pulled),
            min_stock_calls(connector.limits, updates),
        )
        if api_calls != min_api:
            problems.append(f"pull took {api_calls} calls, the minimum is {min_api}")
        if stock_calls != min_stock:
            problems.append(f"stock push took {stock_calls} calls, the minimum is {min_stock}")
        variants = sum(len(p.variants) for p in pulled if p.has_variants)
        return {
            "platform": bench.name,
            "products": len(pulled),
            "models": variants,
            "seconds": round(pull_seconds, 3),
            "products_per_s": round(len(pulled) / pull_seconds, 1) if pull_seconds else None,
            "api_calls": api_calls,
            "min_api_calls": min_api,
            "stock_calls": stock_calls,
            "min_stock_calls": min_stock,
        }, problems
    finally:
        await target.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--platform", choices=[*PLATFORMS, "all"], default="all")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--models", type=int, default=3, help="models (variants) per product")
    args = parser.parse_args(argv)
    chosen = list(PLATFORMS.values()) if args.platform == "all" else [PLATFORMS[args.platform]]
    status = 0
    for bench in chosen:
        figures, problems = asyncio.run(run(bench, args.products, args.models))
        for problem in problems:
            print(f"{bench.name}: FAIL: {problem}", file=sys.stderr)
            status = 1
        print(json.dumps(figures))
    return status


if __name__ == "__main__":
    sys.exit(main())
