"""TikTok Shop JSON ⇄ DTOs: money at the boundary, tokens, shops, products."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.connectors.dtos import ListingStatus, ProductDraft, ProductUpdate, VariantDraft
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.tiktokshop import mapping
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money

amounts = st.integers(min_value=0, max_value=10**12)


@given(amounts, st.sampled_from(list(Currency)))
def test_money_round_trips_through_json(amount: int, currency: Currency) -> None:
    money = Money(amount, currency)
    wire = json.loads(json.dumps(mapping.price_body(money)))
    assert isinstance(wire["amount"], str) and wire["currency"] == currency.value
    assert mapping.money_from_tiktok(wire["amount"], currency) == money


@given(amounts)
def test_idr_is_whole_and_sgd_has_two_decimals(amount: int) -> None:
    assert "." not in mapping.money_to_tiktok(Money(amount, Currency.IDR))
    assert len(mapping.money_to_tiktok(Money(amount, Currency.SGD)).split(".")[1]) == 2


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("150000", Currency.IDR, 150000),
        ("150000.00", Currency.IDR, 150000),
        ("12.9", Currency.SGD, 1290),
        ("29.90", Currency.MYR, 2990),
        (" 19.99 ", Currency.SGD, 1999),
        (5, Currency.IDR, 5),
    ],
)
def test_reads_tiktok_amounts(value: object, currency: Currency, minor: int) -> None:
    assert mapping.money_from_tiktok(value, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("150000.5", Currency.IDR),
        ("12.345", Currency.SGD),
        (None, Currency.SGD),
        (True, Currency.IDR),
        ("x", Currency.MYR),
        (12.9, Currency.SGD),
        ("", Currency.IDR),
        ("NaN", Currency.SGD),
    ],
)
def test_refuses_what_is_not_an_amount(value: object, currency: Currency) -> None:
    with pytest.raises(UnexpectedResponse):
        mapping.money_from_tiktok(value, currency)


def test_token_expiries_are_absolute_times() -> None:
    tokens = mapping.token_set(
        {
            "access_token": "ROW_a",
            "access_token_expire_in": 1660556783,
            "refresh_token": "ROW_r",
            "refresh_token_expire_in": 1691487031,
            "open_id": "o-1",
            "seller_name": "Toko",
            "seller_base_region": "ID",
        }
    )
    assert tokens.access_expires_at == datetime.fromtimestamp(1660556783, UTC)
    assert tokens.refresh_expires_at == datetime.fromtimestamp(1691487031, UTC)
    assert tokens.external_ids == {"open_id": "o-1", "seller_name": "Toko", "seller_base_region": "ID"}
    with pytest.raises(UnexpectedResponse):
        mapping.token_set({"access_token": "x", "refresh_token": "y"})


def test_choose_shop() -> None:
    shops = [{"id": "1", "region": "MY", "cipher": "c1"}, {"id": "2", "region": "ID", "cipher": "c2"}]
    assert mapping.choose_shop(shops, "2", None) == shops[1]
    assert mapping.choose_shop(shops, "3", MarketCode.MY) is None
    assert mapping.choose_shop(shops, None, MarketCode.ID) == shops[1]
    assert mapping.choose_shop(shops, None, MarketCode.SG) == shops[0]
    assert mapping.choose_shop([], None, None) is None
    assert mapping.ciphers(shops) == {"cipher:1": "c1", "cipher:2": "c2"}


SEARCHED = {
    "id": "1729380000000000001",
    "title": "Tee",
    "status": "ACTIVATE",
    "skus": [
        {
            "id": "11",
            "seller_sku": "TEE-M",
            "price": {"currency": "SGD", "tax_exclusive_price": "12.90", "sale_price": "12.90"},
            "inventory": [{"warehouse_id": "w", "quantity": 4}],
        },
        {
            "id": "12",
            "seller_sku": "TEE-L",
            "price": {"currency": "SGD", "tax_exclusive_price": "13.90", "sale_price": "13.90"},
            "inventory": [{"warehouse_id": "w", "quantity": 0}],
        },
    ],
    "create_time": 1700000000,
    "update_time": 1700000100,
}


def test_product_from_search() -> None:
    product = mapping.product(SEARCHED, Currency.SGD)
    assert (product.item_id, product.name, product.status, product.has_variants) == (
        "1729380000000000001",
        "Tee",
        ListingStatus.ACTIVE,
        True,
    )
    assert [(v.variant_id, v.seller_sku, v.price, v.stock) for v in product.variants] == [
        ("11", "TEE-M", Money(1290, Currency.SGD), 4),
        ("12", "TEE-L", Money(1390, Currency.SGD), 0),
    ]
    assert product.seller_sku == "" and product.updated_at == datetime.fromtimestamp(1700000100, UTC)


def test_product_from_detail() -> None:
    detail = {
        "id": "9",
        "title": "Mug",
        "status": "SELLER_DEACTIVATED",
        "description": "<p>A mug</p>",
        "category_chains": [{"id": "1"}, {"id": "601226"}],
        "main_images": [{"uri": "u1", "urls": ["https://i/u1"]}],
        "package_weight": {"value": "400", "unit": "GRAM"},
        "skus": [
            {
                "id": "91",
                "seller_sku": "MUG",
                "price": {"amount": "45000", "currency": "IDR"},
                "inventory": [{"quantity": 3}, {"quantity": 2}],
                "sales_attributes": [],
            }
        ],
    }
    product = mapping.product(detail, None)
    assert (product.status, product.platform_status, product.has_variants) == (
        ListingStatus.INACTIVE,
        "SELLER_DEACTIVATED",
        False,
    )
    assert (product.seller_sku, product.category_id, product.image_urls) == (
        "MUG",
        "601226",
        ("https://i/u1",),
    )
    assert product.weight_kg == Decimal("0.4") and product.variants[0].stock == 5
    assert product.variants[0].price == Money(45000, Currency.IDR)


@pytest.mark.parametrize(
    ("status", "listing"),
    [
        ("ACTIVATE", ListingStatus.ACTIVE),
        ("DRAFT", ListingStatus.INACTIVE),
        ("PENDING", ListingStatus.UNDER_REVIEW),
        ("PLATFORM_DEACTIVATED", ListingStatus.BANNED),
        ("FREEZE", ListingStatus.BANNED),
        ("DELETED", ListingStatus.DELETED),
        ("SOMETHING_NEW", ListingStatus.UNKNOWN),
    ],
)
def test_listing_statuses(status: str, listing: ListingStatus) -> None:
    assert mapping.product({**SEARCHED, "status": status}, Currency.SGD).status is listing


def test_create_and_edit_bodies() -> None:
    draft = ProductDraft(
        name="Tee",
        description="<p>Tee</p>",
        category_id="600001",
        price=Money(99000, Currency.IDR),
        stock=0,
        weight_kg=Decimal("0.2"),
        image_ids=("img-1",),
        option_names=("Size",),
        active=False,
        variants=(VariantDraft(("M",), "TEE-M", Money(99000, Currency.IDR), 3),),
    )
    body = mapping.create_body(draft, "wh-1")
    assert body["save_mode"] == "AS_DRAFT" and body["main_images"] == [{"uri": "img-1"}]
    assert body["skus"] == [
        {
            "seller_sku": "TEE-M",
            "price": {"amount": "99000", "currency": "IDR"},
            "inventory": [{"quantity": 3, "warehouse_id": "wh-1"}],
            "sales_attributes": [{"name": "Size", "value_name": "M"}],
        }
    ]
    assert body["package_weight"] == {"value": "0.2", "unit": "KILOGRAM"}
    assert "package_dimensions" not in body  # none given: none sent
    boxed = mapping.create_body(dataclasses.replace(draft, dimensions_cm=(30, 20, 2)), "wh-1")
    assert boxed["package_dimensions"] == {"length": "30", "width": "20", "height": "2", "unit": "CENTIMETER"}
    edit = mapping.partial_edit_body(
        ProductUpdate("9", name="N", seller_sku="S", weight_kg=Decimal("1")), "91"
    )
    assert edit == {
        "title": "N",
        "package_weight": {"value": "1", "unit": "KILOGRAM"},
        "skus": [{"id": "91", "seller_sku": "S"}],
    }
