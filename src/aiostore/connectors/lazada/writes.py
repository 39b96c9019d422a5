"""Lazada writes: each is planned as the exact requests (``WritePlanner``), then sent.

- price and stock: /product/price_quantity/update with ≤ 50 SKUs of any products per call (XML
  ``payload``); absolute values, so safe to repeat. Code 501 with ``detail`` names the SKUs refused; the
  others of that call were applied: a partial failure is data, not an exception.
- ship: /order/items/get and /order/shipment/providers/get are read (even in a dry run), then
  /order/fulfill/pack for the items still pending and /order/package/rts for their packages.
- cancel: /order/items/get and /order/reverse/cancel/validate are read (the reasons Lazada offers for
  this order), then /order/reverse/cancel/create for the chosen items in one call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiostore.connectors import batching, dtos
from aiostore.connectors.base import BatchPlan, PlannedCall, VariantKey
from aiostore.connectors.errors import ConnectorError, InvalidRequest, Refused, UnexpectedResponse
from aiostore.connectors.lazada import order_mapping, payloads
from aiostore.connectors.lazada.errors import PLATFORM, PartialFailure
from aiostore.connectors.lazada.mapping import money_to_lazada
from aiostore.connectors.planned import PlannedConnector
from aiostore.http.client import ApiRequest, JSONObject

PRICE_QUANTITY = "/product/price_quantity/update"
PACKAGE_FROM_PACK = "<package id from /order/fulfill/pack>"  # a dry run cannot know it


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# The product's own fields among Lazada's `attributes` (never a category attribute to clear).
_OWN = frozenset(
    {"name", "description", "short_description", "brand", "brand_id", "name_en", "description_en"}
)


class LazadaWrites(PlannedConnector):
    if TYPE_CHECKING:

        def api(
            self,
            method: str,
            path: str,
            params: Sequence[tuple[str, str]] = (),
            *,
            op: str,
            body: Mapping[str, str] | None = None,
            safe_to_repeat: bool = False,
        ) -> ApiRequest: ...

        async def _data(self, request: ApiRequest) -> JSONObject: ...

    # -- products -------------------------------------------------------------------------------

    async def plan_create_product(self, draft: dtos.ProductDraft) -> list[ApiRequest]:
        for price in [draft.price, *(v.price for v in draft.variants)]:
            self._check_currency(price.currency)
        if draft.variants and any(len(v.option_values) != len(draft.option_names) for v in draft.variants):
            raise InvalidRequest("every variant needs one value per option name", platform=PLATFORM)
        if not draft.image_ids:
            raise InvalidRequest("Lazada needs at least one product image (URL)", platform=PLATFORM)
        payload = payloads.create_product(draft)
        return [self.api("POST", "/product/create", op="product.create", body={"payload": payload})]

    async def create_product(self, draft: dtos.ProductDraft) -> dtos.WriteResult:
        (request,) = await self.plan_create_product(draft)
        data = await self._data(request)
        if not data.get("item_id"):
            raise UnexpectedResponse("product/create answered no item_id", platform=PLATFORM)
        return dtos.WriteResult(
            ok=True, external_id=str(data["item_id"]), detail=str(data.get("item_status") or "")
        )

    async def _product(self, item_id: str) -> JSONObject:
        request = self.api(
            "GET", "/product/item/get", [("item_id", item_id)], op="product.item_get", safe_to_repeat=True
        )
        return await self._data(request)

    async def plan_update_product(self, update: dtos.ProductUpdate) -> list[ApiRequest]:
        """/product/update with the product's fields, its SKUs' changes and new SKUs, then /product/remove
        for the SKUs left out (by seller SKU, read from the product)."""
        edits: list[payloads.SkuEdit] = []
        removed: list[str] = []
        attributes = update.attributes
        fields = (update.attributes, update.seller_sku, update.active, update.weight_kg)
        reads = bool(update.removed_variant_ids) or any(v is not None for v in fields)
        detail = await self._product(update.item_id) if reads else {}
        if attributes is not None:  # a value Lazada holds and the update leaves out is cleared (empty)
            held = detail.get("attributes") or {}
            given = {a.key or a.attribute_id for a in attributes}
            cleared = (dtos.AttributeValue(k, key=k) for k in held if k not in _OWN | given)
            attributes = (*attributes, *cleared)
        if (
            update.seller_sku is not None
            or update.active is not None
            or update.weight_kg is not None
            or update.removed_variant_ids
        ):
            skus = [s for s in detail.get("skus") or () if isinstance(s, dict)]
            if update.seller_sku is not None and len(skus) != 1:
                raise InvalidRequest(
                    f"a seller SKU names one SKU; product {update.item_id} has {len(skus)}", platform=PLATFORM
                )
            status = None if update.active is None else ("active" if update.active else "inactive")
            weight = None if update.weight_kg is None else str(update.weight_kg)
            gone = set(update.removed_variant_ids)
            removed = [str(s.get("SellerSku") or "") for s in skus if str(s["SkuId"]) in gone]
            if status is not None or weight is not None or update.seller_sku is not None:
                edits = [
                    payloads.SkuEdit(str(s["SkuId"]), update.seller_sku, status, weight)
                    for s in skus
                    if str(s["SkuId"]) not in gone
                ]
        for variant in update.variants or ():
            self._check_currency(variant.price.currency)
            props = tuple(zip(update.option_names, variant.option_values, strict=False)) or None
            if variant.variant_id in ("", "0"):
                edits.append(
                    payloads.SkuEdit(
                        "",
                        variant.seller_sku,
                        sale_props=props,
                        price=money_to_lazada(variant.price),
                        quantity=variant.stock,
                    )
                )
            elif props:
                edits.append(payloads.SkuEdit(variant.variant_id, sale_props=props))
        edit = payloads.ProductEdit(
            update.name,
            update.description,
            update.category_id,
            update.image_ids,
            attributes,
            update.brand_id,
        )
        payload = payloads.update_product(update.item_id, edit, edits, update.option_names)
        requests = [
            self.api(
                "POST", "/product/update", op="product.update", body={"payload": payload}, safe_to_repeat=True
            )
        ]
        if removed:
            names = json.dumps(removed)
            requests.append(
                self.api("POST", "/product/remove", op="product.remove", body={"seller_sku_list": names})
            )
        return requests

    # -- price and stock ------------------------------------------------------------------------

    def _batch_plan(
        self, changes: list[tuple[VariantKey, payloads.SkuChange]], size: int
    ) -> tuple[PlannedCall, ...]:
        return tuple(
            PlannedCall(
                self.api(
                    "POST",
                    PRICE_QUANTITY,
                    op="product.price_quantity_update",
                    body={"payload": payloads.price_quantity([c for _, c in batch])},
                    safe_to_repeat=True,
                ),
                tuple(key for key, _ in batch),
            )
            for batch in batching.chunks(changes, size)
        )

    async def plan_update_prices(self, updates: Sequence[dtos.PriceUpdate]) -> BatchPlan:
        valid, rejected = self._valid_prices(updates)
        changes = [
            (
                (u.item_id, u.variant_id),
                payloads.SkuChange(u.item_id, u.variant_id, price=money_to_lazada(u.price)),
            )
            for u in valid
        ]
        return BatchPlan(self._batch_plan(changes, self.limits.price_batch), tuple(rejected))

    async def plan_update_stock(self, updates: Sequence[dtos.StockUpdate]) -> BatchPlan:
        valid, rejected = self._valid_stock(updates)
        changes = [
            ((u.item_id, u.variant_id), payloads.SkuChange(u.item_id, u.variant_id, quantity=u.stock))
            for u in valid
        ]
        return BatchPlan(self._batch_plan(changes, self.limits.stock_batch), tuple(rejected))

    def _failed_batch(self, call: PlannedCall, exc: ConnectorError) -> list[dtos.ItemResult]:
        if isinstance(exc, PartialFailure):
            return partial_results(call.keys, exc)
        return super()._failed_batch(call, exc)

    # -- orders ---------------------------------------------------------------------------------

    async def _order_items(self, order_id: str) -> list[JSONObject]:
        request = self.api(
            "GET", "/order/items/get", [("order_id", order_id)], op="order.items_get", safe_to_repeat=True
        )
        data = (await self._send(request)).get("data")
        return [i for i in data or () if isinstance(i, dict)]

    async def plan_ship_order(self, order_id: str, request: dtos.ShipRequest) -> list[ApiRequest]:
        if request.method is dtos.ShipMethod.SELF:
            raise InvalidRequest(
                "Lazada ships through its own logistics: no seller courier", platform=PLATFORM
            )
        items = await self._order_items(order_id)
        packable = [i for i in items if str(i.get("status")) in order_mapping.PACKABLE]
        packed = list(
            dict.fromkeys(
                str(i["package_id"])
                for i in items
                if str(i.get("status")) == "packed" and i.get("package_id")
            )
        )
        if request.package_id:
            packable, packed = [], [request.package_id]
        if not packable and not packed:
            statuses = ",".join(sorted({str(i.get("status")) for i in items})) or "no items"
            raise Refused(f"order {order_id} has nothing to ship ({statuses})", platform=PLATFORM)
        planned = []
        if packable:
            ids = [int(i["order_item_id"]) for i in packable]
            pack = {
                "pack_order_list": [{"order_item_list": ids, "order_id": int(order_id)}],
                "delivery_type": "dropship",
            }
            pack.update(await self._allocation(order_id, ids))
            planned.append(
                self.api(
                    "POST", "/order/fulfill/pack", op="order.fulfill_pack", body={"packReq": compact(pack)}
                )
            )
            packed.append(PACKAGE_FROM_PACK)
        planned.append(self._rts(packed))
        return planned

    async def _allocation(self, order_id: str, item_ids: list[int]) -> dict[str, str]:
        """shipping_allocate_type (TFS/NTFS) and, when the seller must choose, a provider code."""
        req = {"orders": [{"order_id": int(order_id), "order_item_ids": item_ids}]}
        answer = await self._send(
            self.api(
                "GET",
                "/order/shipment/providers/get",
                [("getShipmentProvidersReq", compact(req))],
                op="order.shipment_providers_get",
                safe_to_repeat=True,
            )
        )
        data = _result_data(answer, "shipment providers")
        chosen = {"shipping_allocate_type": str(data.get("shipping_allocate_type") or "TFS")}
        providers = [p for p in data.get("shipment_providers") or () if isinstance(p, dict)]
        if str(data.get("platform_default")) == "0" and providers:
            chosen["shipment_provider_code"] = str(providers[0].get("provider_code"))
        return chosen

    def _rts(self, packages: list[str]) -> ApiRequest:
        body = compact({"packages": [{"package_id": p} for p in packages]})
        return self.api("POST", "/order/package/rts", op="order.package_rts", body={"readyToShipReq": body})

    async def ship_order(self, order_id: str, request: dtos.ShipRequest) -> dtos.WriteResult:
        planned = await self.plan_ship_order(order_id, request)
        packages: list[str] = []
        if len(planned) == 2:
            answer = await self._send(planned[0])
            for entry in _result_data(answer, "pack").get("pack_order_list") or ():
                for item in entry.get("order_item_list") or ():
                    if str(item.get("item_err_code")) != "0":
                        raise Refused(
                            f"pack: {item.get('msg')}",
                            platform=PLATFORM,
                            platform_code=str(item.get("item_err_code")),
                        )
                    packages.append(str(item["package_id"]))
        rts = planned[-1]
        known = [
            p
            for p in json.loads(rts.body["readyToShipReq"])["packages"]
            if p["package_id"] != PACKAGE_FROM_PACK
        ]
        packages = list(dict.fromkeys([p["package_id"] for p in known] + packages))
        answer = await self._send(self._rts(packages))
        for package in _result_data(answer, "rts").get("packages") or ():
            if str(package.get("item_err_code")) != "0":
                raise Refused(
                    f"rts: {package.get('msg')}",
                    platform=PLATFORM,
                    platform_code=str(package.get("item_err_code")),
                )
        return dtos.WriteResult(ok=True, external_id=order_id, detail=",".join(packages))

    async def plan_cancel_order(
        self, order_id: str, reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine] = ()
    ) -> list[ApiRequest]:
        items = [
            i
            for i in await self._order_items(order_id)
            if str(i.get("status")) not in ("canceled", "cancelled")
        ]
        if lines:
            wanted = {(line.item_id, line.variant_id) for line in lines}
            items = [i for i in items if order_mapping.item_ids(i) in wanted]
        if not items:
            raise Refused(f"order {order_id} has no item left to cancel", platform=PLATFORM)
        id_list = f"[{','.join(str(i['order_item_id']) for i in items)}]"
        check = await self._data(
            self.api(
                "GET",
                "/order/reverse/cancel/validate",
                [("order_id", order_id), ("order_item_id_list", id_list)],
                op="order.reverse_cancel_validate",
                safe_to_repeat=True,
            )
        )
        if str(check.get("tip_type") or "").lower() == "error":
            raise Refused(
                f"order {order_id}: {check.get('tip_content') or 'cannot be cancelled'}", platform=PLATFORM
            )
        reason_id = order_mapping.cancel_reason_id(reason, check.get("reason_options") or [])
        body = {"order_id": order_id, "order_item_id_list": id_list, "reason_id": reason_id}
        return [self.api("POST", "/order/reverse/cancel/create", op="order.reverse_cancel_create", body=body)]


def _result_data(answer: JSONObject, what: str) -> JSONObject:
    """The fulfilment APIs answer ``{"result": {"success", "data", "error_code", "error_msg"}}``."""
    result = answer.get("result")
    if not isinstance(result, dict):
        raise UnexpectedResponse(f"{what}: no result", platform=PLATFORM)
    if result.get("success") is False:
        code = str(result.get("error_code") or result.get("errorCode") or "")
        message = str(result.get("error_msg") or result.get("errorMsg") or code)
        raise Refused(f"{what}: {message}", platform=PLATFORM, platform_code=code)
    data = result.get("data")
    return data if isinstance(data, dict) else {}


def partial_results(keys: Sequence[VariantKey], exc: PartialFailure) -> list[dtos.ItemResult]:
    """Per-SKU outcome of a 501 answer: the SKUs its ``detail`` names failed, the others were applied.
    A detail entry we cannot tie to a SKU of the call fails the whole call (re-sending is safe)."""
    failed: dict[VariantKey, str] = {}
    in_call = set(keys)
    for entry in exc.detail:
        sku_id, item_id = (
            str(entry.get("sku_id") or entry.get("SkuId") or ""),
            str(entry.get("item_id") or ""),
        )
        message = str(entry.get("message") or exc.message)
        matched = [k for k in keys if k[1] == sku_id and (not item_id or k[0] == item_id)]
        if not matched:
            error = dtos.ItemError(
                kind="UnexpectedResponse", message=f"unattributable failure: {message}", retryable=True
            )
            return [dtos.ItemResult(i, v, ok=False, error=error) for i, v in keys]
        failed.update({k: message for k in matched if k in in_call})
    results = []
    for item_id, variant_id in keys:
        reason = failed.get((item_id, variant_id))
        if reason is None:
            results.append(dtos.ItemResult(item_id, variant_id, ok=True))
        else:
            error = dtos.ItemError(kind="Refused", message=reason, platform_code=exc.platform_code)
            results.append(dtos.ItemResult(item_id, variant_id, ok=False, error=error))
    return results
