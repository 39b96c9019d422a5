"""Shopee JSON → DTOs: products with and without models, tokens, shop info."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from aiostore.connectors.dtos import ListingStatus, ProductDraft, ProductUpdate, VariantDraft
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.shopee import mapping
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money

NOW = datetime(2025, 1, 1, tzinfo=UTC)

BASE_NO_MODEL = {
    "item_id": 800001,
    "category_id": 100644,
    "item_name": "Batik Shirt",
    "description": "Hand made",
    "item_sku": "BATIK-1",
    "create_time": 1700000000,
    "update_time": 1700000500,
    "item_status": "NORMAL",
    "price_info": [{"currency": "IDR", "original_price": 150000.0, "current_price": 135000.0}],
    "stock_info_v2": {
        "summary_info": {"total_available_stock": 7},
        "seller_stock": [{"stock": 5}, {"stock": 2}],
    },
    "image": {"image_url_list": ["https://cf.shopee/x.jpg"], "image_id_list": ["x"]},
    "weight": 0.3,
    "has_model": False,
}

BASE_WITH_MODELS = {**BASE_NO_MODEL, "item_id": 800002, "item_status": "UNLIST", "has_model": True}
for key in ("price_info", "stock_info_v2"):
    BASE_WITH_MODELS.pop(key)

MODELS = {
    "tier_variation": [
        {"name": "Colour", "option_list": [{"option": "Red"}, {"option": "Blue"}]},
        {"name": "Size", "option_list": [{"option": "M"}, {"option": "L"}]},
    ],
    "model": [
        {
            "model_id": 9001,
            "model_sku": "B-RED-L",
            "tier_index": [0, 1],
            "model_status": "MODEL_NORMAL",
            "price_info": [{"currency": "IDR", "original_price": 99000, "current_price": 99000}],
            "stock_info_v2": {"summary_info": {"total_available_stock": 3}},
        },
        {
            "model_id": 9002,
            "model_sku": "B-BLUE-M",
            "tier_index": [1, 0],
            "model_status": "MODEL_UNAVAILABLE",
            "price_info": [{"currency": "IDR", "original_price": 101000}],
            "stock_info_v2": {"seller_stock": [{"location_id": "IDZ", "stock": 0}]},
        },
    ],
}


def test_item_without_models_is_one_variant_zero() -> None:
    p = mapping.product(BASE_NO_MODEL, None, Currency.IDR)
    assert (p.item_id, p.name, p.seller_sku, p.status, p.platform_status) == (
        "800001",
        "Batik Shirt",
        "BATIK-1",
        ListingStatus.ACTIVE,
        "NORMAL",
    )
    assert not p.has_variants
    assert p.weight_kg == Decimal("0.3")
    assert p.updated_at == datetime.fromtimestamp(1700000500, UTC)
    (v,) = p.variants
    assert (v.variant_id, v.seller_sku, v.price, v.stock) == ("0", "BATIK-1", Money(150000, Currency.IDR), 7)


def test_item_with_models() -> None:
    p = mapping.product(BASE_WITH_MODELS, MODELS, Currency.IDR)
    assert p.status is ListingStatus.INACTIVE and p.has_variants
    red, blue = p.variants
    assert (red.variant_id, red.seller_sku, red.option_values, red.name) == (
        "9001",
        "B-RED-L",
        ("Red", "L"),
        "Red,L",
    )
    assert (red.price, red.stock, red.status) == (Money(99000, Currency.IDR), 3, ListingStatus.ACTIVE)
    assert (blue.option_values, blue.stock, blue.status) == (("Blue", "M"), 0, ListingStatus.INACTIVE)
    assert blue.platform_status == "MODEL_UNAVAILABLE"


@pytest.mark.parametrize(
    ("platform", "ours"),
    [
        ("NORMAL", ListingStatus.ACTIVE),
        ("UNLIST", ListingStatus.INACTIVE),
        ("REVIEWING", ListingStatus.UNDER_REVIEW),
        ("BANNED", ListingStatus.BANNED),
        ("SELLER_DELETE", ListingStatus.DELETED),
        ("SHOPEE_DELETE", ListingStatus.DELETED),
        ("SOMETHING_NEW", ListingStatus.UNKNOWN),
    ],
)
def test_item_status_table(platform: str, ours: ListingStatus) -> None:
    assert mapping.product({**BASE_NO_MODEL, "item_status": platform}, None, Currency.IDR).status is ours


def test_every_item_status_is_mapped() -> None:
    assert set(mapping.ITEM_STATUSES) == set(mapping.LISTING_STATUS)


def test_sgd_price_with_cents() -> None:
    base = {**BASE_NO_MODEL, "price_info": [{"currency": "SGD", "original_price": 12.9}]}
    assert mapping.product(base, None, None).variants[0].price == Money(1290, Currency.SGD)


def test_unknown_currency_is_refused() -> None:
    base = {**BASE_NO_MODEL, "price_info": [{"currency": "BRL", "original_price": 12.9}]}
    with pytest.raises(UnexpectedResponse, match="BRL"):
        mapping.product(base, None, None)


def test_token_get_answer() -> None:
    body = {
        "request_id": "r",
        "error": "",
        "message": "",
        "access_token": "tok-secret-1",
        "refresh_token": "tok-secret-2",
        "expire_in": 14400,
        "shop_id_list": [200001],
        "merchant_id_list": [],
    }
    t = mapping.token_set(body, NOW)
    assert (t.access_token, t.refresh_token, t.shop_id, t.shop_ids) == (
        "tok-secret-1",
        "tok-secret-2",
        "200001",
        ("200001",),
    )
    assert t.access_expires_at == NOW + timedelta(hours=4)
    assert t.refresh_expires_at == NOW + timedelta(days=30)
    assert "tok-secret" not in repr(t)


def test_refresh_answer_names_its_shop() -> None:
    body = {
        "access_token": "a2",
        "refresh_token": "r2",
        "expire_in": 14400,
        "shop_id": 322300222,
        "partner_id": 1,
    }
    assert mapping.token_set(body, NOW).shop_id == "322300222"


def test_token_answer_without_token_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponse):
        mapping.token_set({"error": "", "refresh_token": "r", "expire_in": 1}, NOW)


def test_shop_info_is_top_level() -> None:
    info = mapping.shop_info(
        {"shop_name": "Toko", "region": "SG", "status": "NORMAL", "expire_time": 1760000000, "error": ""}, "5"
    )
    assert (info.name, info.market, info.active) == ("Toko", MarketCode.SG, True)
    assert info.authorization_expires_at == datetime.fromtimestamp(1760000000, UTC)
    assert mapping.shop_info({"region": "BR", "status": "BANNED"}, "5").market is None


def test_write_bodies() -> None:
    draft = ProductDraft(
        name="Mug",
        description="A mug",
        category_id="100",
        price=Money(1290, Currency.SGD),
        stock=4,
        weight_kg=Decimal("0.5"),
        image_ids=("img1",),
        logistics_ids=("18025",),
        seller_sku="MUG",
        option_names=("Colour",),
        variants=(
            VariantDraft(("Red",), "MUG-R", Money(1290, Currency.SGD), 2),
            VariantDraft(("Blue",), "MUG-B", Money(1390, Currency.SGD), 2),
        ),
    )
    body = mapping.add_item_body(draft)
    assert body["original_price"] == 12.9 and body["item_sku"] == "MUG" and body["category_id"] == 100
    assert body["logistic_info"] == [{"logistic_id": 18025, "enabled": True}]
    tiers = mapping.init_tier_variation_body("77", draft.option_names, draft.variants)
    assert tiers["item_id"] == 77
    assert tiers["tier_variation"] == [
        {"name": "Colour", "option_list": [{"option": "Red"}, {"option": "Blue"}]}
    ]
    assert [m["tier_index"] for m in tiers["model"]] == [[0], [1]]
    assert mapping.update_item_body(ProductUpdate("5", name="N", active=False)) == {
        "item_id": 5,
        "item_name": "N",
        "item_status": "UNLIST",
    }
