"""Tokopedia's reference data (listings-and-categories.md §B): the nested category tree (Bahasa Indonesia
only) and a category's annotations, mapped to the connector DTOs. Tokopedia publishes no mandatory flag
(`mandatory` None), no brand list and no image upload (a create takes picture URLs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.reference import merge_names
from aiostore.http.client import ApiRequest

Send = Callable[[ApiRequest], Awaitable[Any]]  # the answer's ``data``


def _flatten(nodes: Iterable[Any], parent: str | None) -> list[tuple[str, str | None, str, bool]]:
    rows: list[tuple[str, str | None, str, bool]] = []
    for node in nodes:
        cid, children = str(node["id"]), node.get("child") or ()
        rows.append((cid, parent, str(node.get("name") or node.get("Name") or ""), not children))
        rows += _flatten(children, cid)
    return rows


async def categories(send: Send, fs_id: str) -> list[dtos.CategoryDTO]:
    path = f"/inventory/v1/fs/{fs_id}/product/category"
    data = await send(ApiRequest("GET", path, op="product.category", safe_to_repeat=True))
    return merge_names({"id": _flatten((data or {}).get("categories") or (), None)})


async def category_attributes(send: Send, fs_id: str, category_id: str) -> list[dtos.AttributeDTO]:
    path = f"/v1/fs/{fs_id}/product/annotation"
    rows = await send(
        ApiRequest("GET", path, (("cat_id", category_id),), op="product.annotation", safe_to_repeat=True)
    )
    return [
        dtos.AttributeDTO(
            attribute_id=str(row.get("variant") or ""),  # annotations are named, not numbered
            names={"id": str(row.get("variant") or "")},
            mandatory=None,
            input_type=dtos.AttributeInput.SINGLE_SELECT,
            options=tuple(
                dtos.AttributeOption(
                    str(v["id"]),
                    {"id": str(v.get("name") or v.get("Name") or "")}
                    | ({"en": str(v["data"])} if v.get("data") else {}),
                )
                for v in row.get("values") or ()
            ),
        )
        for row in rows or ()
    ]


async def logistics_channels(send: Send, fs_id: str, shop_id: str) -> list[dtos.LogisticsChannelDTO]:
    """The shop's shipping products (listings-and-categories.md §C): GET /v1/logistic/fs/{fs_id}/active-info
    → `Shops[{ShipmentInfos[{ShipmentName, ShipmentPackages[{IsAvailable, ProductName,
    ShippingProductID}]}]}]`; a create names them in `custom_product_logistics`."""
    path = f"/v1/logistic/fs/{fs_id}/active-info"
    data = await send(
        ApiRequest("GET", path, (("shop_id", shop_id),), op="logistic.active_info", safe_to_repeat=True)
    )
    channels = []
    for shop in (data or {}).get("Shops") or ():
        for shipment in shop.get("ShipmentInfos") or ():
            for package in shipment.get("ShipmentPackages") or ():
                name = f"{shipment.get('ShipmentName') or ''} {package.get('ProductName') or ''}".strip()
                channels.append(
                    dtos.LogisticsChannelDTO(
                        channel_id=str(package["ShippingProductID"]),
                        name=name,
                        enabled=bool(package.get("IsAvailable")),
                        cod_enabled=False,  # not in the answer
                        fee_type="",
                    )
                )
    return channels
