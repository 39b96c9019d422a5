"""Reference data (listings-and-categories.md §B, §C): get_category (flat list, `language` en or id, the
display name in it, the original name in English), get_attribute_tree (1-20 category ids; input_type
1 single drop-down, 3 free text, 4 multi drop-down; input_validation_type 0 none, 2 string, 3 float,
4 date; format_type 2 = a unit from attribute_unit_list is needed), get_brand_list (offset pages of
1-100, `is_mandatory`), get_item_limit, logistics get_channel_list and media_space upload_image
(multipart `image`, a Public API: partner_id, timestamp and sign only). add_item's checks of category,
attributes and brand (`check_listing`) live here too.
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.common.taxonomy import (
    Attribute,
    Brand,
    Category,
    IdScheme,
    PlatformTaxonomy,
    check,
)
from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.dispatch import Ctx, Endpoint, Reply
from aiostore.sandbox.shopee.errors import ShopeeError
from aiostore.sandbox.shopee.models import CARRIERS, Item
from aiostore.sandbox.shopee.params import Body

# The seeds' category ids stay valid: they are pinned on plain leaves.
TAXONOMY = PlatformTaxonomy(
    IdScheme(
        102000,
        (100017, 100011, 100636, 100630, 101220),
        attribute_base=100000,
        value_base=1000,
        brand_base=1100000,
    )
)
_LANGUAGES = {"ID": ("en", "id"), "SG": ("en",), "MY": ("en", "ms-my", "zh-hans")}
_INPUT = {"single_select": (1, 0), "multi_select": (4, 0), "text": (3, 2), "numeric": (3, 3), "date": (3, 4)}
_IMAGE_HOST = {"ID": "cf.shopee.co.id", "SG": "cf.shopee.sg", "MY": "cf.shopee.com.my"}


def _language(ctx: Ctx) -> int:
    """0 for English names, 1 for Bahasa Indonesia (Shopee serves Malay and Chinese names in English here)."""
    language = ctx.query.text("language") or "en"
    if language not in _LANGUAGES[ctx.shop.region]:
        raise errors.param(f"language {language} is not supported in {ctx.shop.region}")
    return 1 if language == "id" else 0


def get_category(ctx: Ctx) -> Reply:
    lang = _language(ctx)
    return Reply(
        {
            "category_list": [
                {
                    "category_id": TAXONOMY.id_of(c),
                    "parent_category_id": TAXONOMY.parent_id(c) or 0,
                    "original_category_name": c.name[0],
                    "display_category_name": c.name[lang],
                    "has_children": not c.leaf,
                }
                for c in TAXONOMY.tree.categories
            ]
        }
    )


def _attribute(attribute: Attribute, mandatory: bool, lang: int) -> dict[str, Any]:
    input_type, validation = _INPUT[attribute.input_type]
    return {
        "attribute_id": TAXONOMY.attribute_id(attribute),
        "mandatory": mandatory,
        "name": attribute.name[lang],
        "attribute_value_list": [
            {
                "value_id": TAXONOMY.value_id(attribute, i),
                "name": value[lang],
                "multi_lang": [{"language": "id", "value": value[1]}],
            }
            for i, value in enumerate(attribute.values)
        ],
        "attribute_info": {
            "input_type": input_type,
            "input_validation_type": validation,
            "format_type": 2 if attribute.units else 1,
            "date_format_type": 1 if attribute.input_type == "date" else 0,
            "attribute_unit_list": list(attribute.units),
            "max_value_count": len(attribute.values) if attribute.input_type == "multi_select" else 1,
        },
        "multi_lang": [{"language": "id", "value": attribute.name[1]}],
    }


def get_attribute_tree(ctx: Ctx) -> Reply:
    lang = _language(ctx)
    ids = ctx.query.csv_ints("category_id_list", limit=20)
    found = []
    for category_id in dict.fromkeys(ids):
        category = TAXONOMY.leaf(category_id)
        if category is None:
            raise invalid_category(category_id)
        found.append(
            {
                "category_id": category_id,
                "attribute_tree": [_attribute(r.attribute, r.mandatory, lang) for r in category.rules],
            }
        )
    return Reply({"list": found})


def get_brand_list(ctx: Ctx) -> Reply:
    query = ctx.query
    offset = query.required_int("offset", low=0)
    page_size = query.required_int("page_size", low=1, high=100)
    status = query.required_int("status", low=1, high=2)
    category = TAXONOMY.leaf(query.required_int("category_id"))
    if category is None:
        raise invalid_category(query.text("category_id"))
    brands = TAXONOMY.tree.brands_of(category) if status == 1 else []
    page = brands[offset : offset + page_size]
    return Reply(
        {
            "brand_list": [
                {
                    "brand_id": TAXONOMY.brand_id(b),
                    "original_brand_name": b.name,
                    "display_brand_name": b.name,
                }
                for b in page
            ],
            "has_next_page": offset + len(page) < len(brands),
            "next_offset": offset + len(page),
            "is_mandatory": category.brand_required,
            "input_type": "DROP_DOWN",
        }
    )


def get_item_limit(ctx: Ctx) -> Reply:
    category_id = ctx.query.integer("category_id")
    category = None if category_id is None else TAXONOMY.leaf(category_id)
    if category_id is not None and category is None:
        raise invalid_category(category_id)
    exponent = ctx.shop.market.exponent
    return Reply(
        {
            "price_limit": {
                "min_limit": 100 if exponent == 0 else 0.1,
                "max_limit": 1.5e8 if exponent == 0 else 1e5,
            },
            "stock_limit": {"min_limit": 0, "max_limit": 999999},
            "item_name_length_limit": {"min_limit": 5, "max_limit": 255 if ctx.shop.region == "ID" else 120},
            "item_description_length_limit": {"min_limit": 10, "max_limit": 3000},
            "item_image_count_limit": {"min_limit": 1, "max_limit": 9},
            "tier_variation_name_length_limit": {"min_limit": 1, "max_limit": 14},
            "tier_variation_option_length_limit": {"min_limit": 1, "max_limit": 20},
            "weight_limit": {"weight_mandatory": True},
            "dimension_limit": {"dimension_mandatory": bool(category and category.brand_required)},
        }
    )


def get_channel_list(ctx: Ctx) -> Reply:
    return Reply(
        {
            "logistics_channel_list": [
                {
                    "logistics_channel_id": channel_id,
                    "logistics_channel_name": name,
                    "enabled": True,
                    "cod_enabled": ctx.shop.region != "SG",
                    "fee_type": "SIZE_INPUT" if n == 0 else "FIXED_DEFAULT_PRICE",
                    "size_list": [],
                    "weight_limit": {"item_min_weight": 0.01, "item_max_weight": 50.0 if n == 0 else 30.0},
                    "item_max_dimension": {
                        "height": 100,
                        "width": 100,
                        "length": 100,
                        "unit": "cm",
                        "dimension_sum": 0,
                    },
                    "volume_limit": {"item_min_volume": 0, "item_max_volume": 0},
                    "mask_channel_id": 0,
                    "force_enable": False,
                    "logistics_description": "",
                    "logistics_capability": {"seller_logistics": False},
                    "preferred": n == 0,
                }
                for n, (channel_id, name) in enumerate(CARRIERS[ctx.shop.region])
            ]
        }
    )


# media_space/upload_image takes "< 9" images a call (listings-and-categories.md §C): at most 8, our
# reading (docs/marketplaces/shopee.md); the connector's limits.image_upload_batch is the same number.
UPLOAD_LIMIT = 8


def upload_image(ctx: Ctx) -> Reply:
    """Each `image` part stored; one answers `image_info`, several `image_info_list` in the parts' order
    (`id` the part's place), an image refused there with its error and the others uploaded."""
    files = [data for name, data in ctx.uploads or () if name == "image"]
    if not files:
        raise errors.param("image is required")
    if len(files) > UPLOAD_LIMIT:
        raise errors.param(f"upload less than {UPLOAD_LIMIT + 1} images at a time")
    region = ctx.shop.region if ctx.shop_or_none else "ID"
    infos: list[dict[str, Any]] = []
    for n, data in enumerate(files):
        image = ctx.sandbox.images.add(data, "sg-11134201-7r98o-") if len(data) <= 10 * 2**20 else None
        if image is None:
            infos.append(
                {"id": n, "error": "error_invalid_image", "message": "Only JPG, JPEG or PNG under 10 MB."}
            )
            continue
        url = f"https://{_IMAGE_HOST[region]}/file/{image.image_id}"
        infos.append(
            {
                "id": n,
                "error": "",
                "message": "",
                "image_info": {
                    "image_id": image.image_id,
                    "image_url_list": [{"image_url_region": region, "image_url": url}],
                },
            }
        )
    if len(infos) == 1:
        if infos[0]["error"]:
            raise ShopeeError(infos[0]["error"], infos[0]["message"])
        return Reply({"image_info": infos[0]["image_info"]})
    return Reply({"image_info_list": infos})


# -- add_item's checks --------------------------------------------------------------------------------


def invalid_category(category_id: object) -> ShopeeError:
    return ShopeeError("error_invalid_category", f"Invalid category: {category_id}.")


def _values(entry: Body, attribute: Attribute) -> list[str]:
    values: list[str] = []
    for value in entry.objects("attribute_value_list", low=1):
        value_id = value.integer("value_id", required=False, low=0) or 0
        if attribute.selects:
            words = TAXONOMY.value(attribute, value_id)
            values.append(words[0] if words else f"#{value_id}")
            continue
        text = value.text("original_value_name", required=False) or ""
        if attribute.units and (value.text("value_unit", required=False) or "") not in attribute.units:
            raise ShopeeError(
                "error_invalid_attribute",
                f"Attribute {attribute.name[0]} needs a unit: {list(attribute.units)}",
            )
        values.append(text)
    return values


def check_listing(body: Body, item: Item | None = None) -> Category:
    """The category of an add_item body, after its attributes and brand pass the category's rules; for
    update_item, the item as it would be (each of category, attribute_list and brand the body leaves out
    taken from the item)."""
    if item is not None:
        merged = {
            "category_id": body.data.get("category_id", item.category_id),
            "attribute_list": body.data.get("attribute_list", item.attribute_list),
            "brand": body.data.get("brand", {"brand_id": item.brand_id}),
        }
        body = body.nested(merged, body.prefix)
    category = TAXONOMY.leaf(body.data.get("category_id"))
    if category is None:
        raise invalid_category(body.data.get("category_id"))
    given: dict[Attribute, list[str]] = {}
    for entry in body.objects("attribute_list", required=False, low=0):
        attribute = TAXONOMY.attribute(entry.data.get("attribute_id"))
        if attribute is None or all(r.attribute != attribute for r in category.rules):
            raise ShopeeError(
                "error_invalid_attribute", f"Invalid attribute_id {entry.data.get('attribute_id')}"
            )
        given[attribute] = _values(entry, attribute)
    brand: Brand | None = None
    brand_body = body.object("brand", required=False)
    if brand_body is not None and (brand_body.integer("brand_id", required=False, low=0) or 0) != 0:
        brand = TAXONOMY.brand(brand_body.data["brand_id"])
        if brand is None:
            raise ShopeeError("error_invalid_brand", f"Invalid brand_id {brand_body.data['brand_id']}.")
    problem = check(TAXONOMY.tree, category, given, brand)
    if problem is None:
        return category
    if problem.kind == "attribute_missing":
        assert problem.attribute is not None  # noqa: S101 - set for this kind
        raise ShopeeError(
            "error_invalid_attribute",
            f"Mandatory attribute information required: {problem.attribute.name[0]}",
        )
    if problem.kind == "attribute_value":
        assert problem.attribute is not None  # noqa: S101 - set for this kind
        raise ShopeeError(
            "error_invalid_attribute", f"Invalid value of attribute {problem.attribute.name[0]}"
        )
    if problem.kind == "brand_missing":
        raise ShopeeError("error_invalid_brand", "Brand is mandatory for this category.")
    raise ShopeeError("error_invalid_brand", f"Brand {problem.value} is not available in this category.")


ENDPOINTS = [
    Endpoint("GET", "/api/v2/product/get_category", get_category),
    Endpoint("GET", "/api/v2/product/get_attribute_tree", get_attribute_tree),
    Endpoint("GET", "/api/v2/product/get_brand_list", get_brand_list),
    Endpoint("GET", "/api/v2/product/get_item_limit", get_item_limit),
    Endpoint("GET", "/api/v2/logistics/get_channel_list", get_channel_list),
    Endpoint("POST", "/api/v2/media_space/upload_image", upload_image, api_type="public", multipart=True),
]
