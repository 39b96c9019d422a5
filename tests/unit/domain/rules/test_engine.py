"""The engine, rule kind by rule kind, on every platform's rules files."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.rules import (
    AttributeDefinition,
    Image,
    Severity,
    Tier,
    blocking,
    check,
    check_shop,
    effective_rules,
)
from tests.unit.domain.rules.helpers import draft, findings, rules_of, variant

PLATFORMS = ["shopee", "tiktokshop", "lazada", "tokopedia"]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("market", [m for m in MarketCode])
def test_a_good_listing_passes_everywhere(platform: str, market: MarketCode) -> None:
    assert findings(draft(market), platform, market.value) == []


def test_rules_of_another_platform_are_refused() -> None:
    with pytest.raises(ValueError, match="rules are for shopee ID"):
        check(draft(), "lazada", "ID", effective_rules("shopee", "ID"))


def test_title_length_in_characters_with_the_offending_span() -> None:
    long = "Kaos " * 25  # 125 characters; Shopee's default maximum is 100
    (finding,) = [f for f in findings(draft(title=long)) if f.rule == "title.too_long"]
    assert finding.severity is Severity.ERROR and finding.field == "title" and finding.span == (100, 125)
    assert finding.params["length"] == 125 and finding.params["limit"] == 100
    assert finding.message() == "The title has 125 characters; Shopee allows at most 100."
    assert rules_of(findings(draft(title="Kaos"))) == ["title.too_short", "seo.short_title"]
    # TikTok Shop: 25 to 255, no Chinese characters
    assert "title.too_short" in rules_of(findings(draft(title="Kaos Polos Katun"), "tiktokshop"))
    chinese = [f for f in findings(draft(title="Kaos Polos Katun Combed 棉 Pria Wanita"), "tiktokshop")]
    assert [(f.rule, f.value, f.span) for f in chinese] == [("title.chinese", "棉", (24, 25))]


def test_description_length_and_the_recommended_length() -> None:
    found = findings(draft(description="Bagus"))
    assert rules_of(found) == ["description.too_short", "seo.short_description"]
    assert [f.severity for f in found] == [Severity.ERROR, Severity.WARNING]
    assert rules_of(findings(draft(description="x" * 2001))) == ["description.too_long"]
    assert rules_of(findings(draft(description="x" * 2001), "tiktokshop")) == []


def test_images_count_format_size_and_pixels() -> None:
    assert rules_of(findings(draft(images=()))) == ["images.too_few"]
    ten = tuple(Image(f"u{i}", 800, 800, "png", 1000) for i in range(10))
    assert rules_of(findings(draft(images=ten))) == ["images.too_many"]
    odd = (Image("u", 200, 150, "gif", 20_000_000),)
    found = findings(draft(images=odd), "tiktokshop")
    assert [(f.rule, f.field, f.value) for f in found] == [
        ("images.format", "images[0].format", "gif"),
        ("images.too_large", "images[0].bytes", "20000000"),
        ("images.too_small", "images[0]", "200×150"),
    ]
    assert "accepts only JPEG, PNG images" in found[0].message()
    assert rules_of(findings(draft(images=(Image("u", 6000, 6000, "jpeg"),)), "lazada")) == ["images.too_big"]
    (ratio,) = findings(draft(images=(Image("u", 800, 600, "jpeg"),)))
    assert ratio.rule == "images.aspect_ratio" and ratio.severity is Severity.WARNING


def test_sku_format_length_missing_and_duplicates() -> None:
    assert rules_of(findings(draft(variants=(variant(sku="A" * 51),)), "tiktokshop")) == ["sku.too_long"]
    assert rules_of(findings(draft(variants=(variant(sku="KAOS  M"),)))) == ["sku.format"]
    assert rules_of(findings(draft(variants=(variant(sku="衣服-1"),)), "tiktokshop")) == ["sku.format"]
    assert rules_of(findings(draft(variants=(variant(sku=None),)), "lazada")) == ["sku.missing"]
    assert rules_of(findings(draft(variants=(), sku=" A1"), "lazada")) == ["sku.format"]
    twice = (variant("V1"), variant("V2", sku="KAOS-V1", options=("L",)))
    found = findings(draft(variants=twice))
    assert [(f.rule, f.ref, f.field) for f in found] == [
        ("sku.duplicate", "V1", "variants[0].sku"),
        ("sku.duplicate", "V2", "variants[1].sku"),
    ]


def test_variant_and_tier_limits() -> None:
    many = tuple(variant(f"V{i}", options=(str(i),)) for i in range(51))
    assert "variants.too_many" in rules_of(findings(draft(variants=many)))
    tiers = (Tier("Warna", ("Merah",)), Tier("Ukuran", ("M",)), Tier("Bahan", ("Katun",)))
    assert rules_of(findings(draft(tiers=tiers))) == ["variants.too_many_tiers"]
    assert rules_of(findings(draft(tiers=tiers), "tiktokshop")) == []
    options = tuple(f"Warna {i}" for i in range(21))
    assert rules_of(findings(draft(tiers=(Tier("Warna", options),)))) == ["variants.too_many_options"]
    long = (Tier("Pilihan Warna Kaos", ("Merah Marun Tua Sekali Banget",)),)
    assert rules_of(findings(draft(tiers=long))) == ["variants.name_too_long", "variants.option_too_long"]
    duplicated = findings(draft(tiers=(Tier("Ukuran", ("M", "m")),)))
    assert [(f.rule, f.field) for f in duplicated] == [("variants.duplicate_option", "tiers[0].options[1]")]


def test_mandatory_attributes_and_brand() -> None:
    category = (
        AttributeDefinition("Bahan", mandatory=True),
        AttributeDefinition(
            "Negara Asal", mandatory=True, options=("Indonesia", "China"), custom_allowed=False
        ),
        AttributeDefinition("Motif", options=("Polos", "Garis")),  # custom values allowed
        AttributeDefinition("Catatan", max_length=10),
        AttributeDefinition("Garansi"),  # optional, not given
    )
    found = findings(draft(attributes={"Bahan": " "}, category_attributes=category))
    assert [(f.rule, f.field) for f in found] == [
        ("attributes.missing", "attributes.Bahan"),
        ("attributes.missing", "attributes.Negara Asal"),
    ]
    given = {"Bahan": "Katun", "Negara Asal": "Jepang", "Motif": "Batik", "Catatan": "x" * 11}
    found = findings(draft(attributes=given, category_attributes=category))
    assert [(f.rule, f.field, f.value) for f in found] == [
        ("attributes.invalid_value", "attributes.Negara Asal", "Jepang"),
        ("attributes.too_long", "attributes.Catatan", "x" * 11),
    ]
    assert found[0].message() == "Jepang is not one of the values Shopee offers for Negara Asal."
    fine = {**given, "Negara Asal": " INDONESIA ", "Catatan": "Adem"}
    assert findings(draft(attributes=fine, category_attributes=category)) == []
    assert rules_of(findings(draft(brand=None))) == ["seo.missing_brand"]
    assert rules_of(findings(draft(brand=None, brand_required=True))) == ["brand.missing"]
    assert rules_of(findings(draft(brand=""), "lazada")) == ["brand.missing"]


def test_weight_and_dimensions() -> None:
    assert rules_of(findings(draft(weight_g=None))) == ["logistics.weight_missing"]
    assert rules_of(findings(draft(weight_g=0))) == ["logistics.weight_range"]
    from aiostore.domain.rules import Dimensions

    partial = Dimensions(30, None, 3)
    assert rules_of(findings(draft(dimensions=partial))) == []  # Shopee: optional
    assert rules_of(findings(draft(dimensions=partial), "tokopedia")) == ["logistics.dimensions_partial"]
    assert rules_of(findings(draft(dimensions=partial), "tiktokshop", "ID")) == [
        "logistics.dimensions_partial"
    ]
    assert rules_of(findings(draft(MarketCode.MY, dimensions=Dimensions()), "tiktokshop", "MY")) == [
        "logistics.dimensions_missing"
    ]
    assert rules_of(findings(draft(dimensions=Dimensions()), "tiktokshop", "ID")) == []


def test_price_precision_bounds_currency_and_ratio() -> None:
    found = findings(draft(variants=(variant(price=Decimal("150000.5")),)))
    assert [(f.rule, f.value, f.params["limit"]) for f in found] == [("price.precision", "150000.5", 0)]
    assert rules_of(findings(draft(variants=(variant(price=Decimal("150000.00")),)))) == []
    sg = variant(market=MarketCode.SG, price=Decimal("25.901"))
    assert rules_of(findings(draft(MarketCode.SG, variants=(sg,)), "shopee", "SG")) == ["price.precision"]
    assert rules_of(findings(draft(variants=(variant(price=Decimal("50")),)))) == ["price.below_min"]
    assert rules_of(findings(draft(variants=(variant(price=Decimal("200000000")),)), "tiktokshop")) == [
        "price.above_max"
    ]
    assert rules_of(findings(draft(variants=(variant(price=Decimal("NaN")),)))) == ["price.precision"]
    assert rules_of(findings(draft(variants=(variant(currency=Currency.SGD),)))) == ["price.currency"]
    ratio = (variant("V1", price=Decimal("10000")), variant("V2", price=Decimal("80000"), options=("L",)))
    assert rules_of(findings(draft(variants=ratio))) == ["price.ratio"]  # ID: at most 7 times
    sg_ratio = (
        variant("V1", MarketCode.SG, price=Decimal("10")),
        variant("V2", MarketCode.SG, price=Decimal("60"), options=("L",)),
    )
    assert rules_of(findings(draft(MarketCode.SG, variants=sg_ratio), "shopee", "SG")) == ["price.ratio"]
    assert rules_of(findings(draft(MarketCode.MY, variants=sg_ratio[:1]), "shopee", "MY")) == [
        "price.currency"
    ]


def test_stock_bounds() -> None:
    assert rules_of(findings(draft(variants=(variant(stock=-1),)))) == ["stock.below_min"]
    assert rules_of(findings(draft(variants=(variant(stock=100_000),)), "tiktokshop")) == ["stock.above_max"]
    assert rules_of(findings(draft(variants=(variant(stock=1001),)), "tokopedia")) == ["stock.above_max"]


def test_seo_warnings() -> None:
    stuffed = findings(draft(title="Kaos Murah Kaos Polos Kaos Pria Kaos Wanita"))
    assert [(f.rule, f.value, f.params["count"]) for f in stuffed] == [("seo.keyword_stuffing", "kaos", 4)]
    assert rules_of(findings(draft(title="KAOS POLOS KATUN COMBED PRIA WANITA"))) == ["seo.capitals"]
    assert rules_of(findings(draft(title="KAOS polos"))) == ["seo.short_title"]  # too few letters to judge
    symbols = findings(draft(title="Kaos Polos 🔥 Katun Combed ★ Pria Wanita"))
    assert [(f.rule, f.value, f.span) for f in symbols] == [
        ("seo.title_symbols", "🔥", (11, 12)),
        ("seo.title_symbols", "★", (26, 27)),
    ]
    assert all(f.severity is Severity.WARNING for f in [*stuffed, *symbols])


def test_duplicate_titles_within_one_shop() -> None:
    a, b, c = (
        draft(),
        draft(ref="L2", title=draft().title.upper()),
        draft(ref="L3", title="Kaos Lain Katun Combed"),
    )
    found = check_shop([a, b, c], "shopee", "ID", effective_rules("shopee", "ID"))
    assert "seo.duplicate_title" in rules_of(found["L1"]) and "seo.duplicate_title" in rules_of(found["L2"])
    assert "seo.duplicate_title" not in rules_of(found["L3"])
    again = check_shop(
        [c], "shopee", "ID", effective_rules("shopee", "ID"), existing_titles=["kaos lain  katun combed"]
    )
    assert rules_of(again["L3"]) == ["seo.duplicate_title"]


def test_blocking_keeps_errors_only() -> None:
    found = findings(draft(brand=None, weight_g=None))
    assert [f.rule for f in blocking(found)] == ["logistics.weight_missing"]
