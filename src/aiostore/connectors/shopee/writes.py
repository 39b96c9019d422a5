"""Shopee writes: each is planned as the exact requests (``WritePlanner``), then sent.

- update_price / update_stock: one item per call, at most 50 models each (``limits``); absolute values,
  so safe to repeat. Per-model outcomes come from ``success_list`` / ``failure_list``; a failed call
  turns into failed results for the models it carried: a partial failure is data, not an exception.
- ship: get_shipping_parameter (a read, made even in a dry run) then ship_order (not repeated).
- cancel: OUT_OF_STOCK needs the lines; when none are given every line of the order is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.base import BatchPlan, PlannedCall, VariantKey
from aiostore.connectors.errors import ConnectorError, UnexpectedResponse
from aiostore.connectors.planned import PlannedConnector
from aiostore.connectors.shopee import mapping, order_mapping
from aiostore.connectors.shopee.errors import PLATFORM
from aiostore.http.client import ApiRequest, JSONObject

P = "/api/v2"


class ShopeeWrites(PlannedConnector):
    # -- products -------------------------------------------------------------------------------

    async def plan_create_product(self, draft: dtos.ProductDraft) -> list[ApiRequest]:
        self._check_currency(draft.price.currency)
        requests = [
            ApiRequest(
                "POST", f"{P}/product/add_item", body=mapping.add_item_body(draft), op="product.add_item"
            )
        ]
        if draft.variants:
            requests.append(self._init_tier_variation(None, draft))
        return requests

    def _init_tier_variation(self, item_id: str | None, draft: dtos.ProductDraft) -> ApiRequest:
        return ApiRequest(
            "POST",
            f"{P}/product/init_tier_variation",
            body=mapping.init_tier_variation_body(item_id, draft.option_names, draft.variants),
            op="product.init_tier_variation",
        )

    async def create_product(self, draft: dtos.ProductDraft) -> dtos.WriteResult:
        add_item, *_ = await self.plan_create_product(draft)
        answer = await self._send(add_item)
        item_id = answer.get("item_id")
        if not item_id:
            raise UnexpectedResponse("add_item answered no item_id", platform=PLATFORM)
        if draft.variants:
            try:
                await self._send(self._init_tier_variation(str(item_id), draft))
            except ConnectorError as exc:
                # the item exists without its models: say so, with its id, rather than lose it
                return dtos.WriteResult(
                    ok=False, external_id=str(item_id), detail=f"models not created: {exc}"
                )
        return dtos.WriteResult(ok=True, external_id=str(item_id))

    async def plan_update_product(self, update: dtos.ProductUpdate) -> list[ApiRequest]:
        """update_item with the item's own fields (category, attributes, brand, images, dimension
        included), then the variant calls (init_tier_variation, or update_tier_variation + add_model)."""
        for variant in update.variants or ():
            self._check_currency(variant.price.currency)
        body = mapping.update_item_body(update)
        requests = []
        if len(body) > 1:
            requests.append(
                ApiRequest(
                    "POST",
                    f"{P}/product/update_item",
                    body=body,
                    op="product.update_item",
                    safe_to_repeat=True,
                )
            )
        if update.variants is not None:
            requests += [
                ApiRequest("POST", f"{P}/product/{op}", body=call, op=f"product.{op}")
                for op, call in mapping.model_bodies(update)
            ]
        return requests

    # -- price and stock ------------------------------------------------------------------------

    async def plan_update_prices(self, updates: Sequence[dtos.PriceUpdate]) -> BatchPlan:
        valid, rejected = self._valid_prices(updates)

        def request(item_id: str, batch: list[dtos.PriceUpdate]) -> ApiRequest:
            prices = [
                {"model_id": int(u.variant_id), "original_price": mapping.money_to_shopee(u.price)}
                for u in batch
            ]
            body = {"item_id": int(item_id), "price_list": prices}
            return ApiRequest(
                "POST", f"{P}/product/update_price", body=body, op="product.update_price", safe_to_repeat=True
            )

        return BatchPlan(self._per_item_calls(valid, self.limits.price_batch, request), tuple(rejected))

    async def plan_update_stock(self, updates: Sequence[dtos.StockUpdate]) -> BatchPlan:
        valid, rejected = self._valid_stock(updates)

        def request(item_id: str, batch: list[dtos.StockUpdate]) -> ApiRequest:
            stock = [{"model_id": int(u.variant_id), "seller_stock": [{"stock": u.stock}]} for u in batch]
            body = {"item_id": int(item_id), "stock_list": stock}
            return ApiRequest(
                "POST", f"{P}/product/update_stock", body=body, op="product.update_stock", safe_to_repeat=True
            )

        return BatchPlan(self._per_item_calls(valid, self.limits.stock_batch, request), tuple(rejected))

    def _batch_results(self, call: PlannedCall, answer: JSONObject) -> list[dtos.ItemResult]:
        return _item_results(call.keys, answer)

    # -- orders ---------------------------------------------------------------------------------

    async def plan_ship_order(self, order_id: str, request: dtos.ShipRequest) -> list[ApiRequest]:
        params: list[tuple[str, str]] = [("order_sn", order_id)]
        if request.package_id:
            params.append(("package_number", request.package_id))
        shipping = await self._send(
            ApiRequest(
                "GET",
                f"{P}/logistics/get_shipping_parameter",
                tuple(params),
                op="logistics.get_shipping_parameter",
                safe_to_repeat=True,
            )
        )
        body = order_mapping.ship_order_body(order_id, shipping, request)
        return [ApiRequest("POST", f"{P}/logistics/ship_order", body=body, op="logistics.ship_order")]

    async def plan_cancel_order(
        self, order_id: str, reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine] = ()
    ) -> list[ApiRequest]:
        lines = await self._lines_to_cancel(order_id, reason, lines)
        body = order_mapping.cancel_body(order_id, reason, lines)
        return [ApiRequest("POST", f"{P}/order/cancel_order", body=body, op="order.cancel_order")]


def _item_results(keys: Sequence[VariantKey], answer: JSONObject) -> list[dtos.ItemResult]:
    """Per-model results of one update_price/update_stock answer (one item per call)."""
    failures: dict[str, Any] = {
        str(f.get("model_id", 0)): f.get("failed_reason") or "failed"
        for f in answer.get("failure_list") or ()
    }
    listed = answer.get("success_list")
    succeeded = {str(s.get("model_id", 0)) for s in listed or ()}
    results = []
    for item_id, variant_id in keys:
        if variant_id in failures:
            reason = str(failures[variant_id])
            error = dtos.ItemError(kind="Refused", message=reason, platform_code="failure_list")
            results.append(dtos.ItemResult(item_id, variant_id, ok=False, error=error))
        elif listed is not None and variant_id not in succeeded:
            error = dtos.ItemError(
                kind="UnexpectedResponse", message="neither in success_list nor failure_list"
            )
            results.append(dtos.ItemResult(item_id, variant_id, ok=False, error=error))
        else:
            results.append(dtos.ItemResult(item_id, variant_id, ok=True))
    return results
