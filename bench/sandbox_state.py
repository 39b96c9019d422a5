"""Seed a big Tokopedia sandbox shop in memory and time it (the sandbox's own cost, no HTTP).

    bench/sandbox_state.py [--products 10000] [--variants 3]

Builds a `TokopediaSandbox` seeded with P parent products of V variants each (P × (V + 1) product rows),
then lists one page by Tokopedia's slices to check the catalogue answers. The last line printed is one
JSON object: products, variants, rows, seed_seconds, rows_per_s. Exit status 1 when the row count is not
P × (V + 1).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tokopedia import TokopediaSandbox, TokopediaSandboxConfig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    sandbox = TokopediaSandbox(
        TokopediaSandboxConfig(
            clock=ManualClock(1_700_000_000), products=args.products, variants_per_product=args.variants
        )
    )
    seconds = time.perf_counter() - started
    shop_id = sandbox.config.shop_id
    rows = sandbox.catalog.count(shop_id)
    expected = args.products * (args.variants + 1) if args.variants else args.products
    sandbox.catalog.page(shop_id, 1, 50)
    figures = {
        "products": args.products,
        "variants": args.variants,
        "rows": rows,
        "seed_seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
    }
    if rows != expected:
        print(f"FAIL: {rows} product rows, expected {expected}", file=sys.stderr)
    print(json.dumps(figures))
    return 0 if rows == expected else 1


if __name__ == "__main__":
    sys.exit(main())
