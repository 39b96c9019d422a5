"""The update bodies of a live listing's structural changes: Shopee's update_item and variant calls,
TikTok Shop's Edit Product (the full product, what the update leaves alone carried over)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiostore.connectors.dtos import AttributeValue, ProductUpdate, VariantEdit
from aiostore.connectors.shopee import mapping as shopee
from aiostore.connectors.tiktokshop import edit
from aiostore.domain.money import Currency, Money


def _variants(*rows: tuple[str, str, str]) -> tuple[VariantEdit, ...]:
    return tuple(
        VariantEdit(vid, (option,), sku, Money(150000, Currency.IDR), 4) for vid, option, sku in rows
    )


def test_shopee_update_item_carries_category_attributes_brand_images_and_dimension() -> None:
    update = ProductUpdate(
        "42",
        category_id="100",
        attributes=(AttributeValue("7", ("70",)), AttributeValue("8", texts=("12",), unit="cm")),
        brand_id="5",
        image_ids=("img-a", "img-b"),
        dimensions_cm=(30, 20, 2),
    )
    assert shopee.update_item_body(update) == {
        "item_id": 42,
        "category_id": 100,
        "attribute_list": [
            {"attribute_id": 7, "attribute_value_list": [{"value_id": 70}]},
            {
                "attribute_id": 8,
                "attribute_value_list": [{"value_id": 0, "original_value_name": "12", "value_unit": "cm"}],
            },
        ],
        "brand": {"brand_id": 5},
        "image": {"image_id_list": ["img-a", "img-b"]},
        "dimension": {"package_length": 30, "package_width": 20, "package_height": 2},
    }
    assert shopee.update_item_body(ProductUpdate("42", attributes=())) == {
        "item_id": 42,
        "attribute_list": [],
    }


def test_shopee_variants_of_an_item_with_models_keep_their_ids_and_add_the_new() -> None:
    variants = _variants(("901", "M", "A-M"), ("902", "XL", "A-L"), ("", "S", "A-S"))
    calls = shopee.model_bodies(ProductUpdate("42", option_names=("option 1",), variants=variants))
    assert [op for op, _ in calls] == ["update_tier_variation", "add_model"]
    tiers, add = calls[0][1], calls[1][1]
    assert tiers["tier_variation"] == [
        {"name": "option 1", "option_list": [{"option": "M"}, {"option": "XL"}, {"option": "S"}]}
    ]
    assert tiers["model_list"] == [{"tier_index": [0], "model_id": 901}, {"tier_index": [1], "model_id": 902}]
    assert add["model_list"] == [
        {"tier_index": [2], "original_price": 150000, "model_sku": "A-S", "seller_stock": [{"stock": 4}]}
    ]
    # nothing new: no add_model
    kept = shopee.model_bodies(ProductUpdate("42", option_names=("option 1",), variants=variants[:2]))
    assert [op for op, _ in kept] == ["update_tier_variation"]


def test_shopee_an_item_without_models_gets_its_tiers_initialised() -> None:
    variants = _variants(("0", "M", "A-M"), ("", "L", "A-L"))
    [(op, body)] = shopee.model_bodies(ProductUpdate("42", option_names=("option 1",), variants=variants))
    assert op == "init_tier_variation" and body["item_id"] == 42
    assert [m["model_sku"] for m in body["model"]] == ["A-M", "A-L"]


def test_shopee_variants_with_options_but_no_tier_names_are_one_tier_of_skus() -> None:
    """The tiers and each model's index come from one choice: with no tier names, the SKUs (a model's
    own option is not looked up in a tier of SKUs: that raised ValueError)."""
    [(op, body)] = shopee.model_bodies(ProductUpdate("42", variants=_variants(("0", "M", "A-M"))))
    assert op == "init_tier_variation"
    assert body["tier_variation"] == [{"name": "option 1", "option_list": [{"option": "A-M"}]}]
    assert [m["tier_index"] for m in body["model"]] == [[0]]
    [(_, kept)] = shopee.model_bodies(ProductUpdate("42", variants=_variants(("901", "M", "A-M"))))
    assert kept["model_list"] == [{"tier_index": [0], "model_id": 901}]


DETAIL: dict[str, Any] = {
    "title": "Old title",
    "description": "Old description",
    "category_chains": [{"id": "600001"}, {"id": "600123"}],
    "brand": {"id": "77"},
    "main_images": [{"uri": "tos-old"}],
    "package_weight": {"value": "0.25", "unit": "KILOGRAM"},
    "product_attributes": [{"id": "100000", "values": [{"id": "1000"}]}],
    "skus": [
        {
            "id": "5001",
            "seller_sku": "A-M",
            "price": {"amount": "150000", "currency": "IDR", "sale_price": "150000"},
            "inventory": [{"warehouse_id": "W1", "quantity": 3}],
            "sales_attributes": [{"id": "1", "name": "option 1", "value_name": "M"}],
        }
    ],
}


def test_tiktok_edit_carries_over_what_the_update_leaves_alone() -> None:
    update = ProductUpdate("9", category_id="600200", attributes=(AttributeValue("100001", ("1100",)),))
    assert edit.needs_edit(update) and not edit.needs_edit(ProductUpdate("9", name="x", active=True))
    body = edit.edit_body(update, DETAIL, "W1")
    assert body["category_id"] == "600200"
    assert body["product_attributes"] == [{"id": "100001", "values": [{"id": "1100"}]}]
    assert (body["title"], body["description"], body["brand_id"]) == ("Old title", "Old description", "77")
    assert body["main_images"] == [{"uri": "tos-old"}]
    assert body["package_weight"] == {"value": "0.25", "unit": "KILOGRAM"}
    assert body["skus"] == [
        {
            "id": "5001",
            "seller_sku": "A-M",
            "price": {"amount": "150000", "currency": "IDR"},
            "inventory": [{"warehouse_id": "W1", "quantity": 3}],
            "sales_attributes": [{"name": "option 1", "value_name": "M"}],
        }
    ]


def test_tiktok_edit_names_kept_skus_by_id_and_adds_the_new() -> None:
    variants = _variants(("5001", "XL", "A-M"), ("", "S", "A-S"))
    update = ProductUpdate(
        "9", image_ids=("tos-new",), weight_kg=Decimal("0.3"), option_names=("option 1",), variants=variants
    )
    body = edit.edit_body(update, DETAIL, "W1")
    assert body["main_images"] == [{"uri": "tos-new"}]
    assert body["package_weight"] == {"value": "0.3", "unit": "KILOGRAM"}
    assert [(s.get("id"), s["seller_sku"], s["sales_attributes"]) for s in body["skus"]] == [
        ("5001", "A-M", [{"name": "option 1", "value_name": "XL"}]),
        (None, "A-S", [{"name": "option 1", "value_name": "S"}]),
    ]
    assert body["skus"][1]["inventory"] == [{"quantity": 4, "warehouse_id": "W1"}]
    assert body["product_attributes"] == [{"id": "100000", "values": [{"id": "1000"}]}]
