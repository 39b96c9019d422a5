"""TikTok Shop's reference data (listings-and-categories.md §B, §C): categories per locale, a category's
product attributes, brand pages and images/upload, mapped to the connector DTOs. TikTok publishes no
brand requirement (`BrandList.required` None) and no per-product logistics channel list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.reference import media_type, merge_names
from aiostore.domain.market import MarketCode
from aiostore.domain.rules.category import CategoryLimits
from aiostore.http.client import ApiRequest, JSONObject

Send = Callable[[ApiRequest], Awaitable[JSONObject]]
LOCALES = {MarketCode.ID: (("en", "en-US"), ("id", "id-ID"))}
CATEGORIES = "/product/202309/categories"


def _get(path: str, op: str, *params: tuple[str, str]) -> ApiRequest:
    return ApiRequest("GET", path, tuple(params), op=op, safe_to_repeat=True)


async def categories(send: Send, market: MarketCode | None) -> list[dtos.CategoryDTO]:
    by_language: dict[str, list[tuple[str, str | None, str, bool]]] = {}
    for language, locale in LOCALES.get(market or MarketCode.ID, (("en", "en-US"),)):
        answer = await send(_get(CATEGORIES, "product.get_categories", ("locale", locale)))
        by_language[language] = [
            (
                str(c["id"]),
                None if str(c.get("parent_id") or "0") == "0" else str(c["parent_id"]),
                str(c.get("local_name") or ""),
                # only a leaf the shop may use takes listings
                bool(c.get("is_leaf")) and "AVAILABLE" in (c.get("permission_statuses") or ("AVAILABLE",)),
            )
            for c in answer.get("categories") or ()
        ]
    return merge_names(by_language)


def _input(entry: dict[str, Any]) -> dtos.AttributeInput:
    if entry.get("values") and not entry.get("is_customizable"):
        multiple = entry.get("is_multiple_selection")
        return dtos.AttributeInput.MULTI_SELECT if multiple else dtos.AttributeInput.SINGLE_SELECT
    if str(entry.get("value_data_format") or "").startswith("POSITIVE_INT"):
        return dtos.AttributeInput.NUMBER
    return dtos.AttributeInput.TEXT


async def category_attributes(send: Send, category_id: str) -> list[dtos.AttributeDTO]:
    answer = await send(
        _get(f"{CATEGORIES}/{category_id}/attributes", "product.get_attributes", ("locale", "en-US"))
    )
    return [
        dtos.AttributeDTO(
            attribute_id=str(a["id"]),
            names={"en": str(a.get("name") or "")},
            mandatory=bool(a.get("is_requried", a.get("is_required"))),  # "is_requried" (sic) is TikTok's
            input_type=_input(a),
            options=tuple(
                dtos.AttributeOption(str(v["id"]), {"en": str(v.get("name") or "")})
                for v in a.get("values") or ()
            ),
        )
        for a in answer.get("attributes") or ()
        if a.get("type", "PRODUCT_PROPERTY") == "PRODUCT_PROPERTY"
    ]


async def brands(send: Send, category_id: str) -> dtos.BrandList:
    found: list[dtos.BrandDTO] = []
    token = ""
    while True:
        params = [("page_size", "100"), ("category_id", category_id)]
        if token:
            params.append(("page_token", token))
        page = await send(_get("/product/202309/brands", "product.get_brands", *params))
        found += [dtos.BrandDTO(str(b["id"]), str(b.get("name") or "")) for b in page.get("brands") or ()]
        next_token = str(page.get("next_page_token") or "")
        if not next_token or next_token == token:
            return dtos.BrandList(tuple(found), None)
        token = next_token


def upload_request(content: bytes, filename: str) -> ApiRequest:
    return ApiRequest(
        "POST",
        "/product/202309/images/upload",
        op="product.upload_image",
        auth="seller",  # images/upload refuses shop_cipher
        files=(("data", filename, content, media_type(filename)),),
        form=(("use_case", "MAIN_IMAGE"),),
    )


def uploaded(answer: JSONObject) -> dtos.UploadedImage:
    if not answer.get("uri"):
        raise UnexpectedResponse("images/upload answered no uri", platform="tiktokshop")
    return dtos.UploadedImage(
        str(answer["uri"]), str(answer.get("url") or ""), answer.get("width"), answer.get("height")
    )


def delivery_options(data: JSONObject) -> list[dtos.LogisticsChannelDTO]:
    """A warehouse's delivery options (listings-and-categories.md §C): a create names them in
    `delivery_option_ids`. Weight limits are read in grams or kilograms."""
    channels = []
    for option in data.get("delivery_options") or ():
        limit = option.get("item_weight_limit") or {}
        top = limit.get("max_weight")
        unit = str(limit.get("unit") or "GRAM").upper()
        max_kg = None if top in (None, 0) else Decimal(str(top)) / (1000 if unit == "GRAM" else 1)
        channels.append(
            dtos.LogisticsChannelDTO(
                channel_id=str(option["id"]),
                name=str(option.get("name") or ""),
                enabled=True,  # the warehouse offers it
                cod_enabled=False,  # not in the answer
                fee_type=str(option.get("type") or ""),
                max_weight_kg=max_kg,
            )
        )
    return channels


async def category_rules(send: Send, category_id: str) -> CategoryLimits | None:
    """GET /product/202309/categories/{id}/rules (listings-and-categories.md §B "category rules"):
    `package_dimension.is_required`, `size_chart.is_required` and the `product_certifications` whose
    `is_required` is true (by name); None when the category requires none of them."""
    answer = await send(_get(f"{CATEGORIES}/{category_id}/rules", "product.get_category_rules"))
    required = [
        str(c.get("name") or c.get("id") or "")
        for c in answer.get("product_certifications") or ()
        if isinstance(c, dict) and c.get("is_required")
    ]
    limits = CategoryLimits(
        dimensions_required=bool((answer.get("package_dimension") or {}).get("is_required")) or None,
        size_chart_required=bool((answer.get("size_chart") or {}).get("is_required")) or None,
        certifications=tuple(name for name in required if name),
    )
    return limits if limits != CategoryLimits() else None
