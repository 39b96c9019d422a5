"""Lazada JSON → DTOs (tokens, products, times) and the XML payloads we write, read back by the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from aiostore.connectors.dtos import ListingStatus, ProductDraft, VariantDraft
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.lazada import payloads
from aiostore.connectors.lazada.client import auth_root, gateway_for, rest_url
from aiostore.connectors.lazada.mapping import iso, lazada_time, ms_time, product, token_set
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.sandbox.lazada.params import payload, product_of, skus_of

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CREATE = {
    "access_token": "50000601c30atpedfgu3LVvik87Ixlsvle3mSoB7701ceb156fPunYZ43GBg",
    "refresh_token": "500016000300bwa2WteaQyfwBMnPxurcA0mXGhQdTt18356663CfcDTYpWoi",
    "expires_in": 604800,
    "refresh_expires_in": "1209600",  # a string in the create answer (lazadago)
    "country": "sg",
    "account": "xxx@126.com",
    "account_platform": "seller_center",
    "country_user_info": [{"country": "sg", "seller_id": "1001", "user_id": "10101", "short_code": "SG1"}],
    "code": "0",
}


def test_token_set_from_create() -> None:
    tokens = token_set(CREATE, NOW, market=MarketCode.SG)
    assert (tokens.shop_id, tokens.shop_ids) == ("1001", ("1001",))
    assert tokens.access_expires_at == NOW + timedelta(
        days=7
    ) and tokens.refresh_expires_at == NOW + timedelta(days=14)
    assert tokens.external_ids == {"country": "sg", "user_id": "10101", "short_code": "SG1"}


def test_token_set_keyed_by_country_and_for_the_market_asked() -> None:
    body = {
        **CREATE,
        "country_user_info": {
            "sg": {"seller_id": "1001", "user_id": 10101},
            "my": {"seller_id": "2001", "user_id": 20101},
        },
    }
    assert token_set(body, NOW, market=MarketCode.MY).shop_id == "2001"
    assert token_set(body, NOW, market=None).shop_id == "1001"  # the token's own country
    assert (
        token_set(body, NOW, market=MarketCode.ID).shop_id == "1001"
    )  # not covered: the service refuses the mismatch
    assert set(token_set(body, NOW, market=None).shop_ids) == {"1001", "2001"}


def test_a_country_aiostore_does_not_serve_is_refused() -> None:
    body = {**CREATE, "country": "th", "country_user_info": [{"country": "th", "seller_id": "9"}]}
    with pytest.raises(InvalidRequest, match="sells in TH; AIOStore serves Lazada sellers in ID, SG and MY"):
        token_set(body, NOW, market=MarketCode.ID)


def test_a_refresh_without_entries_keeps_the_seller() -> None:
    previous = token_set(CREATE, NOW, market=None)
    body = {k: v for k, v in CREATE.items() if k != "country_user_info"}
    fresh = token_set(body, NOW + timedelta(days=1), market=MarketCode.SG, previous=previous)
    assert (fresh.shop_id, fresh.external_ids["country"], fresh.external_ids["short_code"]) == (
        "1001",
        "sg",
        "SG1",
    )
    with pytest.raises(UnexpectedResponse):
        token_set({"access_token": "a"}, NOW, market=None)


PRODUCT: dict[str, Any] = {
    "item_id": 2807246166,
    "primary_category": 8707,
    "attributes": {"name": "Watch", "description": "<p>x</p>", "brand": "NAVIFORCE"},
    "status": "Active",
    "created_time": "1645176573000",
    "updated_time": "1653463851000",
    "images": ["https://my-live.slatic.net/p/a.jpg"],
    "skus": [
        {
            "Status": "active",
            "quantity": 20,
            "SellerSku": "12333-poi",
            "SkuId": 13449296008,
            "price": 102.0,
            "package_weight": "0.3",
            "saleProp": {"color_family": "Maroon"},
        },
        {
            "Status": "inactive",
            "multiWarehouseInventories": [{"totalQuantity": 4, "quantity": 4}],
            "SellerSku": "b",
            "SkuId": 13449296009,
            "price": "99.90",
        },
    ],
}


def test_product_with_skus_inline() -> None:
    dto = product(PRODUCT, Currency.MYR)
    assert (dto.item_id, dto.name, dto.status, dto.has_variants, dto.seller_sku) == (
        "2807246166",
        "Watch",
        ListingStatus.ACTIVE,
        True,
        "",
    )
    assert dto.created_at == datetime.fromtimestamp(1645176573, UTC) and dto.weight_kg == Decimal("0.3")
    first, second = dto.variants
    assert (first.variant_id, first.seller_sku, first.option_values, first.stock) == (
        "13449296008",
        "12333-poi",
        ("Maroon",),
        20,
    )
    assert first.price == Money(10200, Currency.MYR) and second.price == Money(9990, Currency.MYR)
    assert (second.stock, second.status, second.platform_status) == (4, ListingStatus.INACTIVE, "inactive")


def test_a_product_of_one_sku_keeps_its_sku_id() -> None:
    one_sku = {**PRODUCT["skus"][0], "saleProp": {}}
    dto = product({**PRODUCT, "skus": [one_sku], "status": "Pending QC"}, Currency.MYR)
    assert (
        not dto.has_variants and dto.seller_sku == "12333-poi" and dto.variants[0].variant_id == "13449296008"
    )
    assert dto.status is ListingStatus.UNDER_REVIEW
    assert product({"item_id": 1, "skus": [], "status": "Deleted"}, None).status is ListingStatus.DELETED


def test_times() -> None:
    assert lazada_time("2018-02-10 16:00:00 +0800") == datetime(2018, 2, 10, 8, tzinfo=UTC)
    assert lazada_time("2023-11-01T00:00:00+07:00") == datetime(2023, 10, 31, 17, tzinfo=UTC)
    assert lazada_time("") is None and ms_time("0") is None
    with pytest.raises(UnexpectedResponse):
        lazada_time("2018-02-10 16:00:00")  # no offset
    assert iso(datetime(2023, 11, 1, 0, 0, 0, 999, tzinfo=UTC)) == "2023-11-01T00:00:00+00:00"


def test_gateways_and_hosts() -> None:
    assert gateway_for("", MarketCode.MY) == "https://api.lazada.com.my/rest"
    assert gateway_for("http://h:1/{country}/rest/", MarketCode.SG) == "http://h:1/sg/rest"
    assert gateway_for("http://h:1", MarketCode.ID) == "http://h:1/rest"
    assert rest_url("https://auth.lazada.com") == "https://auth.lazada.com/rest"
    assert auth_root("https://auth.lazada.com/rest/") == "https://auth.lazada.com"


def test_price_quantity_payload_reads_back() -> None:
    xml = payloads.price_quantity(
        [payloads.SkuChange("1001", "2002", price="12.90"), payloads.SkuChange("1002", "2003", quantity=0)]
    )
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Request><Product><Skus>')
    assert skus_of(product_of(payload(xml))) == [
        {"ItemId": "1001", "SkuId": "2002", "Price": "12.90"},
        {"ItemId": "1002", "SkuId": "2003", "Quantity": "0"},
    ]


def test_create_payload_escapes_and_names_variations() -> None:
    price = Money(1990, Currency.SGD)
    draft = ProductDraft(
        name="Tea & <Cups>",
        description='"Fine" cups',
        category_id="42",
        price=price,
        stock=1,
        weight_kg=Decimal("0.25"),
        image_ids=("https://i/a.jpg?x=1&y=2",),
        option_names=("Colour Family", "Size"),
        variants=(
            VariantDraft(("Red", "M"), "C-R-M", price, 3),
            VariantDraft(("Blue", "M"), "C-B-M", price, 0),
        ),
    )
    tree = product_of(payload(payloads.create_product(draft)))
    assert tree["Attributes"] == {"name": "Tea & <Cups>", "description": '"Fine" cups', "brand": "No Brand"}
    assert tree["Images"] == {"Image": "https://i/a.jpg?x=1&y=2"} and tree["PrimaryCategory"] == "42"
    assert tree["variation"]["Variation1"]["options"] == {"option": ["Red", "Blue"]}
    skus = skus_of(tree)
    assert [s["saleProp"] for s in skus] == [
        {"colour_family": "Red", "size": "M"},
        {"colour_family": "Blue", "size": "M"},
    ]
    assert [(s["SellerSku"], s["price"], s["quantity"], s["package_weight"]) for s in skus] == [
        ("C-R-M", "19.90", "3", "0.25"),
        ("C-B-M", "19.90", "0", "0.25"),
    ]


def test_update_payload_sends_only_what_changes() -> None:
    xml = payloads.update_product(
        "7", payloads.ProductEdit(description="d"), [payloads.SkuEdit("8", status="inactive")]
    )
    assert product_of(payload(xml)) == {
        "ItemId": "7",
        "Attributes": {"description": "d"},
        "Skus": {"Sku": {"SkuId": "8", "Status": "inactive"}},
    }
