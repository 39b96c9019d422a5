"""Check 40,000 listing drafts against one platform's content rules and time the checking.

    bench/rules.py [--listings 40000] [--platform shopee] [--market ID]

The drafts are built first (not timed): titles of 40-90 characters, descriptions of 300-900 characters
in Indonesian and English (one in five with non-ASCII text: bullets, emoji, accents), 5 images, 3
variants each; one in twenty carries a phone number, a link or a forbidden term. Then `check_shop` runs
over all of them once to warm the rule set's compiled regexes, and again timed.

The last line printed is one JSON object: listings, seconds and us_per_listing (wall clock), cpu_seconds
(this process's CPU time: on a shared machine the wall clock also counts the time others had the CPU) and
findings (a check that the rules fired).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from decimal import Decimal

from aiostore.domain.market import MARKETS, MarketCode
from aiostore.domain.rules import (
    AttributeDefinition,
    Image,
    ListingDraft,
    Tier,
    VariantDraft,
    check_shop,
    effective_rules,
)

WORDS = [
    "kaos",
    "polos",
    "katun",
    "premium",
    "pria",
    "wanita",
    "lengan",
    "pendek",
    "baju",
    "atasan",
    "casual",
    "murah",
    "berkualitas",
    "nyaman",
    "adem",
    "bahan",
    "lembut",
    "jahitan",
    "rapi",
    "ukuran",
    "lengkap",
    "warna",
    "hitam",
    "putih",
    "navy",
    "abu",
    "cotton",
    "combed",
    "shirt",
]
EXTRAS = (" • ", " ✨ ", " café ", " größe ", " ＬＩＭＩＴＥＤ ")
BAD = (" hubungi WA 0812-3456-7890", " kunjungi www.tokoku.id", " bisa juga di tokopedia", " obat kuat")


def _text(rng: random.Random, low: int, high: int, unusual: bool, bad: bool) -> str:
    target = rng.randint(low, high)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(rng.choice(WORDS))
        if unusual and rng.random() < 0.05:
            parts.append(rng.choice(EXTRAS).strip())
    text = " ".join(parts)[:target]
    return text + rng.choice(BAD) if bad else text


def drafts(count: int, market: MarketCode, seed: int = 7) -> list[ListingDraft]:
    rng = random.Random(seed)
    currency = MARKETS[market].currency
    out = []
    for i in range(count):
        unusual, bad = i % 5 == 0, i % 20 == 0
        variants = tuple(
            VariantDraft(
                f"V{i}-{k}",
                f"SKU-{i}-{k}",
                Decimal(rng.randint(50, 500) * 1000),
                currency,
                rng.randint(0, 99),
            )
            for k in range(3)
        )
        out.append(
            ListingDraft(
                ref=f"L{i}",
                title=_text(rng, 40, 90, unusual, bad and i % 40 == 0),
                description=_text(rng, 300, 900, unusual, bad),
                images=tuple(Image(f"https://img/{i}/{k}.jpg", 800, 800, "jpeg", 200_000) for k in range(5)),
                tiers=(Tier("Ukuran", ("S", "M", "L")),),
                variants=variants,
                brand="Toko Maju" if i % 3 else None,
                attributes={"Bahan": "Katun"},
                category_attributes=(AttributeDefinition("Bahan", mandatory=True),),
                weight_g=250,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=40_000)
    parser.add_argument("--platform", default="shopee")
    parser.add_argument("--market", default="ID", choices=[m.value for m in MarketCode])
    args = parser.parse_args()
    market = MarketCode(args.market)
    listings = drafts(args.listings, market)
    rules = effective_rules(args.platform, market.value)
    check_shop(listings[:100], args.platform, market.value, rules)  # warm up
    started, cpu = time.perf_counter(), time.process_time()
    found = check_shop(listings, args.platform, market.value, rules)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    findings = sum(len(f) for f in found.values())
    print(
        json.dumps(
            {
                "listings": len(listings),
                "seconds": round(seconds, 3),
                "us_per_listing": round(seconds / len(listings) * 1e6, 1),
                "cpu_seconds": round(cpu_seconds, 3),
                "findings": findings,
            }
        )
    )


if __name__ == "__main__":
    main()
