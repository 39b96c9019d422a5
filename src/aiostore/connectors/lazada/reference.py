"""Lazada's reference data (listings-and-categories.md §B, §C): the nested category tree per language, a
category's attributes (payload key in `name`, `brand`'s `is_mandatory` says whether a brand is required),
the country's brand pages and image/upload, mapped to the connector DTOs. Lazada has no per-product
logistics channel list. A create names select values by their English option name (`en_name`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.reference import media_type, merge_names
from aiostore.domain.market import MarketCode
from aiostore.http.client import ApiRequest, JSONObject

Send = Callable[[ApiRequest], Awaitable[Any]]  # the answer's ``data``
LANGUAGES = {MarketCode.ID: (("en", "en_US"), ("id", "id_ID"))}
_INPUT = {
    "singleSelect": dtos.AttributeInput.SINGLE_SELECT,
    "enumInput": dtos.AttributeInput.SINGLE_SELECT,
    "multiSelect": dtos.AttributeInput.MULTI_SELECT,
    "multiEnumInput": dtos.AttributeInput.MULTI_SELECT,
    "numeric": dtos.AttributeInput.NUMBER,
    "date": dtos.AttributeInput.DATE,
}
_LISTING_FIELDS = frozenset({"name", "description", "brand"})  # the draft's own fields


def _get(path: str, op: str, *params: tuple[str, str]) -> ApiRequest:
    return ApiRequest("GET", path, tuple(params), op=op, safe_to_repeat=True)


def _flatten(nodes: Iterable[Any], parent: str | None) -> list[tuple[str, str | None, str, bool]]:
    rows: list[tuple[str, str | None, str, bool]] = []
    for node in nodes:
        cid = str(node["category_id"])
        rows.append((cid, parent, str(node.get("name") or ""), bool(node.get("leaf"))))
        rows += _flatten(node.get("children") or (), cid)
    return rows


async def categories(send: Send, market: MarketCode | None) -> list[dtos.CategoryDTO]:
    by_language = {}
    for language, code in LANGUAGES.get(market or MarketCode.ID, (("en", "en_US"),)):
        tree = await send(_get("/category/tree/get", "category.tree_get", ("language_code", code)))
        by_language[language] = _flatten(tree if isinstance(tree, list) else (), None)
    return merge_names(by_language)


async def _attribute_rows(send: Send, category_id: str) -> list[Any]:
    rows = await send(
        _get(
            "/category/attributes/get",
            "category.attributes_get",
            ("primary_category_id", category_id),
            ("language_code", "en_US"),
        )
    )
    return rows if isinstance(rows, list) else []


async def category_attributes(send: Send, category_id: str) -> list[dtos.AttributeDTO]:
    return [
        dtos.AttributeDTO(
            attribute_id=str(a["id"]),
            names={"en": str(a.get("label") or a.get("name") or "")},
            mandatory=bool(int(a.get("is_mandatory") or 0)),
            input_type=_INPUT.get(str(a.get("input_type")), dtos.AttributeInput.TEXT),
            options=tuple(
                # a create names an option by its English name
                dtos.AttributeOption(str(o.get("en_name") or o.get("name")), {"en": str(o.get("name") or "")})
                for o in a.get("options") or ()
            ),
            key=str(a.get("name") or ""),
        )
        for a in await _attribute_rows(send, category_id)
        if a.get("attribute_type", "normal") == "normal" and a.get("name") not in _LISTING_FIELDS
    ]


async def brands(send: Send, category_id: str) -> dtos.BrandList:
    required = any(
        a.get("name") == "brand" and int(a.get("is_mandatory") or 0)
        for a in await _attribute_rows(send, category_id)
    )
    found: list[dtos.BrandDTO] = []
    start, size = 0, 200
    while True:
        page = await send(
            _get(
                "/category/brands/query",
                "category.brands_query",
                ("startRow", str(start)),
                ("pageSize", str(size)),
            )
        )
        module = (page or {}).get("module") or ()
        found += [dtos.BrandDTO(str(b["brand_id"]), str(b.get("name_en") or b.get("name"))) for b in module]
        start += len(module)
        if not module or start >= int((page or {}).get("total_record") or 0):
            return dtos.BrandList(tuple(found), required)


def upload_request(content: bytes, filename: str) -> ApiRequest:
    return ApiRequest(
        "POST",
        "/image/upload",
        op="image.upload",
        files=(("image", filename, content, media_type(filename)),),
    )


def uploaded(data: JSONObject) -> dtos.UploadedImage:
    image = data.get("image") or {}
    if not image.get("url"):
        raise UnexpectedResponse("image/upload answered no url", platform="lazada")
    return dtos.UploadedImage(str(image["url"]), str(image["url"]))  # a create names Lazada URLs
