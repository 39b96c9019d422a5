"""A listing draft that passes every rule of every platform, to change one thing at a time."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from aiostore.domain.market import MARKETS, MarketCode
from aiostore.domain.rules import (
    AttributeDefinition,
    Dimensions,
    Finding,
    Image,
    ListingDraft,
    OrgOverrides,
    Tier,
    VariantDraft,
    check,
    effective_rules,
)

DESCRIPTION = (
    "Kaos polos berbahan katun combed 30s yang lembut, adem dan menyerap keringat. Jahitan rapi, "
    "warna tidak luntur setelah dicuci. Cocok untuk kegiatan sehari-hari, kuliah maupun kerja."
)


def variant(ref: str = "V1", market: MarketCode = MarketCode.ID, **changes: Any) -> VariantDraft:
    price = {
        MarketCode.ID: Decimal("150000"),
        MarketCode.SG: Decimal("25.90"),
        MarketCode.MY: Decimal("49.90"),
    }
    base = VariantDraft(ref, f"KAOS-{ref}", price[market], MARKETS[market].currency, 10, ("M",))
    return dataclasses.replace(base, **changes)


def draft(market: MarketCode = MarketCode.ID, **changes: Any) -> ListingDraft:
    base = ListingDraft(
        ref="L1",
        title="Kaos Polos Katun Combed 30s Pria Wanita Lengan Pendek",
        description=DESCRIPTION,
        images=(Image("https://img.example/1.jpg", 1000, 1000, "jpeg", 300_000),),
        sku="KAOS-POLOS",
        tiers=(Tier("Ukuran", ("M", "L")),),
        variants=(variant("V1", market), variant("V2", market, options=("L",))),
        brand="Toko Maju",
        attributes={"Bahan": "Katun"},
        category_attributes=(AttributeDefinition("Bahan", mandatory=True),),
        weight_g=250,
        dimensions=Dimensions(30, 20, 3),
    )
    return dataclasses.replace(base, **changes)


def findings(
    d: ListingDraft, platform: str = "shopee", market: str = "ID", overrides: OrgOverrides | None = None
) -> list[Finding]:
    return check(d, platform, market, effective_rules(platform, market, overrides))


def rules_of(found: list[Finding]) -> list[str]:
    return [f.rule for f in found]
