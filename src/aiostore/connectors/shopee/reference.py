"""Shopee's reference data (listings-and-categories.md §B, §C): the category list per language, attribute
trees, brand pages, logistics channels and media_space image upload, mapped to the connector DTOs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.reference import media_type, merge_names
from aiostore.connectors.shopee.errors import PLATFORM
from aiostore.domain.market import MarketCode
from aiostore.domain.rules.category import CategoryLimits
from aiostore.http.client import ApiRequest, JSONObject

P = "/api/v2"
Send = Callable[[ApiRequest], Awaitable[JSONObject]]
LANGUAGES = {MarketCode.ID: ("en", "id")}  # SG and MY: English (Malay and Chinese are not ours to keep)
# input_type 1 single drop-down, 2 single combo box, 3 free text, 4 multi drop-down, 5 multi combo box;
# free text is a number for input_validation_type 1 (int) or 3 (float), a date for 4.
_SELECT = {1: dtos.AttributeInput.SINGLE_SELECT, 2: dtos.AttributeInput.SINGLE_SELECT}
_MULTI = {4: dtos.AttributeInput.MULTI_SELECT, 5: dtos.AttributeInput.MULTI_SELECT}
_FREE = {1: dtos.AttributeInput.NUMBER, 3: dtos.AttributeInput.NUMBER, 4: dtos.AttributeInput.DATE}


def _get(path: str, op: str, *params: tuple[str, str]) -> ApiRequest:
    return ApiRequest("GET", f"{P}/{path}", tuple(params), op=op, safe_to_repeat=True)


async def categories(send: Send, market: MarketCode | None) -> list[dtos.CategoryDTO]:
    by_language: dict[str, list[tuple[str, str | None, str, bool]]] = {}
    for language in LANGUAGES.get(market or MarketCode.ID, ("en",)):
        answer = await send(_get("product/get_category", "product.get_category", ("language", language)))
        by_language[language] = [
            (
                str(c["category_id"]),
                str(c["parent_category_id"]) if c.get("parent_category_id") else None,
                str(c.get("display_category_name") or c.get("original_category_name") or ""),
                not c.get("has_children"),
            )
            for c in answer.get("category_list") or ()
        ]
    return merge_names(by_language)


def _input(info: dict[str, Any]) -> dtos.AttributeInput:
    kind = int(info.get("input_type") or 3)
    found = _SELECT.get(kind) or _MULTI.get(kind)
    if found is not None:
        return found
    return _FREE.get(int(info.get("input_validation_type") or 0), dtos.AttributeInput.TEXT)


def _attribute(entry: dict[str, Any], language: str) -> dtos.AttributeDTO:
    info = entry.get("attribute_info") or {}
    names = {language: str(entry.get("name") or "")}
    names |= {str(m["language"]): str(m["value"]) for m in entry.get("multi_lang") or () if m.get("value")}
    return dtos.AttributeDTO(
        attribute_id=str(entry["attribute_id"]),
        names=names,
        mandatory=bool(entry.get("mandatory")),
        input_type=_input(info),
        options=tuple(
            dtos.AttributeOption(
                str(v["value_id"]),
                {language: str(v.get("name") or "")}
                | {str(m["language"]): str(m["value"]) for m in v.get("multi_lang") or () if m.get("value")},
            )
            for v in entry.get("attribute_value_list") or ()
        ),
        units=tuple(str(u) for u in info.get("attribute_unit_list") or ()),
    )


async def category_attributes(send: Send, category_id: str) -> list[dtos.AttributeDTO]:
    answer = await send(
        _get(
            "product/get_attribute_tree",
            "product.get_attribute_tree",
            ("category_id_list", category_id),
            ("language", "en"),
        )
    )
    for entry in answer.get("list") or ():
        if str(entry.get("category_id")) == category_id:
            return [_attribute(a, "en") for a in entry.get("attribute_tree") or ()]
    raise UnexpectedResponse(f"get_attribute_tree: no entry for category {category_id}", platform=PLATFORM)


async def brands(send: Send, category_id: str) -> dtos.BrandList:
    found: list[dtos.BrandDTO] = []
    offset, required = 0, None
    while True:
        page = await send(
            _get(
                "product/get_brand_list",
                "product.get_brand_list",
                ("offset", str(offset)),
                ("page_size", "100"),
                ("category_id", category_id),
                ("status", "1"),
            )
        )
        required = bool(page.get("is_mandatory"))
        found += [
            dtos.BrandDTO(
                str(b["brand_id"]), str(b.get("display_brand_name") or b.get("original_brand_name"))
            )
            for b in page.get("brand_list") or ()
        ]
        next_offset = int(page.get("next_offset") or 0)
        if not page.get("has_next_page") or next_offset <= offset:
            return dtos.BrandList(tuple(found), required)
        offset = next_offset


async def logistics_channels(send: Send) -> list[dtos.LogisticsChannelDTO]:
    answer = await send(_get("logistics/get_channel_list", "logistics.get_channel_list"))
    return [
        dtos.LogisticsChannelDTO(
            channel_id=str(c["logistics_channel_id"]),
            name=str(c.get("logistics_channel_name") or ""),
            # a masked channel is chosen through its mask; products name only unmasked ones (§C)
            enabled=bool(c.get("enabled")) and not c.get("mask_channel_id"),
            cod_enabled=bool(c.get("cod_enabled")),
            fee_type=str(c.get("fee_type") or ""),
            max_weight_kg=_weight((c.get("weight_limit") or {}).get("item_max_weight")),
        )
        for c in answer.get("logistics_channel_list") or ()
    ]


def _weight(value: object) -> Decimal | None:
    return None if value in (None, 0) else Decimal(str(value))


def upload_request(images: Sequence[tuple[bytes, str]]) -> ApiRequest:
    """One media_space/upload_image call: an `image` part per (content, filename)."""
    return ApiRequest(
        "POST",
        f"{P}/media_space/upload_image",
        op="media_space.upload_image",
        auth="public",
        files=tuple(("image", filename, content, media_type(filename)) for content, filename in images),
    )


def _image(info: Any) -> dtos.UploadedImage:
    info = info if isinstance(info, dict) else {}
    urls = info.get("image_url_list") or ()
    if not info.get("image_id"):
        raise UnexpectedResponse("upload_image answered no image_id", platform=PLATFORM)
    return dtos.UploadedImage(str(info["image_id"]), str(urls[0]["image_url"]) if urls else "")


def uploaded(answer: JSONObject) -> dtos.UploadedImage:
    return _image(answer.get("image_info"))


def uploaded_list(answer: JSONObject, sent: int) -> list[dtos.ImageUploadResult]:
    """The `sent` images' results in the order sent: `image_info_list[{id, error, message, image_info}]`
    (`id` the image's place in the request), or `image_info` alone for one image."""
    if "image_info_list" not in answer and sent == 1:
        return [dtos.ImageUploadResult(uploaded(answer))]
    entries = answer.get("image_info_list")
    if not isinstance(entries, list) or len(entries) != sent:
        raise UnexpectedResponse(
            f"upload_image answered no result for each of {sent} images", platform=PLATFORM
        )
    by_place = {int(e.get("id", n)) if isinstance(e, dict) else n: e for n, e in enumerate(entries)}
    if sorted(by_place) != list(range(sent)):
        raise UnexpectedResponse(
            "upload_image answered ids that are not the images' places", platform=PLATFORM
        )
    results = []
    for n in range(sent):
        entry = by_place[n]
        if entry.get("error"):
            results.append(
                dtos.ImageUploadResult(None, f"{entry['error']}: {entry.get('message') or ''}".strip())
            )
        else:
            results.append(dtos.ImageUploadResult(_image(entry.get("image_info"))))
    return results


def _bounds(answer: JSONObject, key: str) -> dict[str, Any] | None:
    found = answer.get(key)
    if not isinstance(found, dict):
        return None
    low, high = found.get("min_limit"), found.get("max_limit")
    bounds = {"min": low, "max": high}
    return {k: v for k, v in bounds.items() if isinstance(v, int | float) and not isinstance(v, bool)} or None


async def item_limit(send: Send, category_id: str) -> CategoryLimits | None:
    """GET /api/v2/product/get_item_limit?category_id (listings-and-categories.md §B "category rules"):
    `{price_limit, stock_limit, item_name_length_limit, item_description_length_limit,
    item_image_count_limit, tier_variation_name_length_limit, tier_variation_option_length_limit,
    weight_limit{weight_mandatory}, dimension_limit{dimension_mandatory}}`, each `{min_limit, max_limit}`
    (prices in the shop's currency, major units); None when the answer holds none of them."""
    answer = await send(
        _get("product/get_item_limit", "product.get_item_limit", ("category_id", category_id))
    )

    def ints(key: str) -> dict[str, int] | None:
        found = _bounds(answer, key)
        return {k: int(v) for k, v in found.items()} if found else None

    price = _bounds(answer, "price_limit")
    tier_name, option = ints("tier_variation_name_length_limit"), ints("tier_variation_option_length_limit")
    weight, dimension = answer.get("weight_limit") or {}, answer.get("dimension_limit") or {}
    limits = CategoryLimits.model_validate(
        {
            "title": ints("item_name_length_limit"),
            "description": ints("item_description_length_limit"),
            "images": ints("item_image_count_limit"),
            "stock": ints("stock_limit"),
            "price": {k: Decimal(str(v)) for k, v in price.items()} if price else None,
            "tier_name_max": (tier_name or {}).get("max"),
            "option_max": (option or {}).get("max"),
            "weight_required": weight.get("weight_mandatory"),
            "dimensions_required": dimension.get("dimension_mandatory"),
        }
    )
    return limits if limits != CategoryLimits() else None
