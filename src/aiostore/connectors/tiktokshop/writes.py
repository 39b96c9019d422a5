"""TikTok Shop writes: each is planned as the exact requests (``WritePlanner``), then sent.

- prices/update and inventory/update: one product per call, every SKU of it (``limits``); absolute values,
  so safe to repeat. inventory/update reports failed SKUs in ``data.errors``; a failed call turns into
  failed results for the SKUs it carried: a partial failure is data, not an exception.
- the warehouse of a SKU is sent when a read showed it, else TikTok's default warehouse is meant;
- ship: the order (its package) and the package's handover time slots are read, then Ship Package is
  sent (not repeated); cancel: the order is read for its status (TikTok's reason codes depend on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiostore.connectors import dtos
from aiostore.connectors.base import BatchPlan, PlannedCall, VariantKey
from aiostore.connectors.errors import InvalidRequest, Refused, UnexpectedResponse
from aiostore.connectors.planned import PlannedConnector
from aiostore.connectors.tiktokshop import edit, mapping, order_mapping, paths
from aiostore.connectors.tiktokshop.client import SHOP
from aiostore.connectors.tiktokshop.errors import PLATFORM, error_for
from aiostore.http.client import ApiRequest, JSONObject

MAX_QUANTITY = 99_999  # Update Inventory: "non-negative … and less than 99999"


class TikTokShopWrites(PlannedConnector):
    if TYPE_CHECKING:
        sku_warehouses: dict[str, str]

        async def _order_json(self, order_id: str) -> JSONObject: ...

    _warehouse_id: str | None = None

    # -- products -------------------------------------------------------------------------------

    async def _default_warehouse(self) -> str | None:
        if self._warehouse_id is None:
            data = await self._send(
                ApiRequest("GET", paths.WAREHOUSES, op="logistics.warehouses", safe_to_repeat=True)
            )
            sales = [
                w
                for w in data.get("warehouses") or ()
                if w.get("type", "SALES_WAREHOUSE") == "SALES_WAREHOUSE"
            ]
            chosen = next((w for w in sales if w.get("is_default")), sales[0] if sales else None)
            self._warehouse_id = str(chosen["id"]) if chosen else ""
        return self._warehouse_id or None

    async def plan_create_product(self, draft: dtos.ProductDraft) -> list[ApiRequest]:
        self._check_currency(draft.price.currency)
        for variant in draft.variants:
            self._check_currency(variant.price.currency)
        body = mapping.create_body(draft, await self._default_warehouse())
        return [ApiRequest("POST", paths.PRODUCTS, body=body, op="product.create")]

    async def create_product(self, draft: dtos.ProductDraft) -> dtos.WriteResult:
        (request,) = await self.plan_create_product(draft)
        data = await self._send(request)
        product_id = data.get("product_id")
        if not product_id:
            raise UnexpectedResponse("Create Product answered no product_id", platform=PLATFORM)
        return dtos.WriteResult(ok=True, external_id=str(product_id))

    async def plan_update_product(self, update: dtos.ProductUpdate) -> list[ApiRequest]:
        """Partial Edit for title, description, weight and a single SKU's seller SKU; Edit Product (the
        full product, the rest read from its detail) when the category, attributes, brand, images or
        SKUs change; then activate/deactivate for the status."""
        sku_id: str | None = None
        requests = []
        if edit.needs_edit(update):
            for variant in update.variants or ():
                self._check_currency(variant.price.currency)
            detail = await self._send(
                ApiRequest("GET", paths.product(update.item_id), op="product.get", safe_to_repeat=True)
            )
            body = edit.edit_body(update, detail, await self._default_warehouse())
            requests.append(ApiRequest("PUT", paths.product(update.item_id), body=body, op="product.edit"))
        elif update.seller_sku is not None:
            detail = await self._send(
                ApiRequest("GET", paths.product(update.item_id), op="product.get", safe_to_repeat=True)
            )
            skus = detail.get("skus") or []
            if len(skus) != 1:
                raise InvalidRequest(
                    f"product {update.item_id} has {len(skus)} SKUs: set the seller SKU on a variant",
                    platform=PLATFORM,
                )
            sku_id = str(skus[0]["id"])
        body = mapping.partial_edit_body(update, sku_id)
        if body and not requests:
            requests.append(
                ApiRequest(
                    "POST",
                    paths.partial_edit(update.item_id),
                    body=body,
                    op="product.partial_edit",
                    safe_to_repeat=True,
                )
            )
        if update.active is not None:
            path, op = (
                (paths.PRODUCTS_ACTIVATE, "activate")
                if update.active
                else (paths.PRODUCTS_DEACTIVATE, "deactivate")
            )
            requests.append(
                ApiRequest(
                    "POST",
                    path,
                    body={"product_ids": [update.item_id]},
                    op=f"product.{op}",
                    safe_to_repeat=True,
                )
            )
        return requests

    async def update_product(self, update: dtos.ProductUpdate) -> dtos.WriteResult:
        for request in await self.plan_update_product(update):
            data = await self._send(request)
            failed = [e for e in data.get("errors") or () if isinstance(e, dict)]
            if failed:  # activate/deactivate name the products they could not switch
                code = int(failed[0].get("code") or 0)
                raise error_for(code, str(failed[0].get("message") or "refused"), platform=PLATFORM)
        return dtos.WriteResult(ok=True, external_id=update.item_id)

    # -- price and stock ------------------------------------------------------------------------

    async def plan_update_prices(self, updates: Sequence[dtos.PriceUpdate]) -> BatchPlan:
        valid, rejected = self._valid_prices(updates)

        def request(product_id: str, batch: list[dtos.PriceUpdate]) -> ApiRequest:
            skus = [{"id": u.variant_id, "price": mapping.price_body(u.price)} for u in batch]
            path = paths.prices_update(product_id)
            return ApiRequest(
                "POST", path, body={"skus": skus}, op="product.prices_update", safe_to_repeat=True
            )

        return BatchPlan(self._per_item_calls(valid, self.limits.price_batch, request), tuple(rejected))

    def _inventory(self, update: dtos.StockUpdate) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"quantity": update.stock}
        warehouse = self.sku_warehouses.get(update.variant_id)
        if warehouse:
            entry["warehouse_id"] = warehouse
        return [entry]

    async def plan_update_stock(self, updates: Sequence[dtos.StockUpdate]) -> BatchPlan:
        valid, rejected = self._valid_stock(updates, MAX_QUANTITY)

        def request(product_id: str, batch: list[dtos.StockUpdate]) -> ApiRequest:
            skus = [{"id": u.variant_id, "inventory": self._inventory(u)} for u in batch]
            path = paths.inventory_update(product_id)
            return ApiRequest(
                "POST", path, body={"skus": skus}, op="product.inventory_update", safe_to_repeat=True
            )

        return BatchPlan(self._per_item_calls(valid, self.limits.stock_batch, request), tuple(rejected))

    def _batch_results(self, call: PlannedCall, answer: JSONObject) -> list[dtos.ItemResult]:
        return _item_results(call.keys, answer)

    # -- orders ---------------------------------------------------------------------------------

    async def plan_ship_order(self, order_id: str, request: dtos.ShipRequest) -> list[ApiRequest]:
        order = await self._order_json(order_id)
        package_id = request.package_id or next(
            (str(p["id"]) for p in order.get("packages") or () if p.get("id")), None
        )
        if not package_id:
            raise Refused(f"order {order_id} has no package to ship yet", platform=PLATFORM)
        slots = None
        if request.method is not dtos.ShipMethod.SELF:
            slots = await self._send(
                ApiRequest(
                    "GET",
                    paths.handover_time_slots(package_id),
                    op="fulfillment.handover_time_slots",
                    safe_to_repeat=True,
                )
            )
        body = order_mapping.ship_body(order_id, order, slots, request)
        return [
            ApiRequest(
                "POST", paths.ship_package(package_id), body=body, op="fulfillment.ship_package", auth=SHOP
            )
        ]

    async def ship_order(self, order_id: str, request: dtos.ShipRequest) -> dtos.WriteResult:
        (planned,) = await self.plan_ship_order(order_id, request)
        await self._send(planned)
        return dtos.WriteResult(ok=True, external_id=order_id, detail=planned.path.split("/")[-2])

    async def plan_cancel_order(
        self, order_id: str, reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine] = ()
    ) -> list[ApiRequest]:
        """Whole-order cancellation: TikTok cancels by order in ID/SG/MY (line-level only in US/UK), so
        ``lines`` are not sent."""
        order = await self._order_json(order_id)
        code = order_mapping.cancel_reason(order_id, str(order.get("status") or ""), reason)
        body = {"order_id": order_id, "cancel_reason": code}
        return [ApiRequest("POST", paths.CANCELLATIONS, body=body, op="return_refund.cancel_order")]

    async def cancel_order(
        self, order_id: str, reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine] = ()
    ) -> dtos.WriteResult:
        (planned,) = await self.plan_cancel_order(order_id, reason, lines)
        data = await self._send(planned)
        return dtos.WriteResult(ok=True, external_id=order_id, detail=str(data.get("cancel_status") or ""))


def _item_results(keys: Sequence[VariantKey], data: JSONObject) -> list[dtos.ItemResult]:
    """Per-SKU results of one inventory/update or prices/update answer (``data.errors`` names failures)."""
    failures: dict[str, dtos.ItemError] = {}
    for entry in data.get("errors") or ():
        detail = entry.get("detail") or {}
        sku_id = str(detail.get("sku_id") or "")
        error = dtos.ItemError(
            kind="Refused",
            message=str(entry.get("message") or "failed"),
            platform_code=str(entry.get("code") or ""),
        )
        if sku_id:
            failures[sku_id] = error
        else:
            failures.update({v: error for _, v in keys})
    return [
        dtos.ItemResult(i, v, ok=False, error=failures[v])
        if v in failures
        else dtos.ItemResult(i, v, ok=True)
        for i, v in keys
    ]
