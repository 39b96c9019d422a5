"""Tokopedia writes: each is planned as the exact requests (``WritePlanner``), then sent.

- Stock and price: ``POST /inventory/v1/fs/{fs_id}/{stock|price}/update?shop_id=`` with a JSON array of
  up to 100 rows, any products mixed, each row naming its ``product_id`` (a variant is a product of its
  own). Absolute values, so safe to repeat. Row failures come back inside an HTTP 200 as
  ``failed_rows_data``; a failed call fails the rows it carried: a partial failure is data, not an error.
- Create and edit are asynchronous on Tokopedia: the answer is an ``upload_id`` whose result is read from
  ``/v2/products/fs/{fs_id}/status/{upload_id}``. Activation goes through ``/v1/products/fs/{fs_id}/active``
  and ``/inactive``.
- Ship: accept the order first when it is still new (ACK, 220 → 400), then request a pickup (→ 450) or,
  with the seller's own courier, confirm shipping with the AWB (→ 500). Cancel: reject (NACK).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from aiostore.connectors import batching, dtos, planned
from aiostore.connectors.base import BatchPlan, PlannedCall, VariantKey
from aiostore.connectors.errors import (
    ConnectorError,
    InvalidRequest,
    NotFound,
    PlatformUnavailable,
    UnexpectedResponse,
)
from aiostore.connectors.planned import PlannedConnector
from aiostore.connectors.tokopedia import mapping, order_mapping
from aiostore.connectors.tokopedia.errors import PLATFORM
from aiostore.http.client import ApiRequest, JSONObject

UPLOAD_POLLS = 6
ACCEPT_FIRST = frozenset({220, 221})


class TokopediaWrites(PlannedConnector):
    if TYPE_CHECKING:
        fs_id: str
        _sleep: Callable[[float], Awaitable[None]]

        def _shop_param(self) -> tuple[str, str]: ...

        async def _data(self, request: ApiRequest) -> Any: ...

        async def _order_detail(self, order_id: str) -> dict[str, Any] | None: ...

    # -- price and stock ------------------------------------------------------------------------

    def _batch_call(self, kind: str, rows: list[tuple[VariantKey, dict[str, Any]]]) -> PlannedCall:
        return PlannedCall(
            ApiRequest(
                "POST",
                f"/inventory/v1/fs/{self.fs_id}/{kind}/update",
                (self._shop_param(),),
                body=[row for _, row in rows],
                op=f"product.{kind}_update",
                safe_to_repeat=True,
            ),
            tuple(key for key, _ in rows),
        )

    async def plan_update_stock(self, updates: Sequence[dtos.StockUpdate]) -> BatchPlan:
        valid, rejected = self._valid_stock(updates)
        rows = [
            ((u.item_id, u.variant_id), {"product_id": self._product_id(u), "new_stock": u.stock})
            for u in valid
        ]
        calls = tuple(
            self._batch_call("stock", chunk) for chunk in batching.chunks(rows, self.limits.stock_batch)
        )
        return BatchPlan(calls, tuple(rejected))

    async def plan_update_prices(self, updates: Sequence[dtos.PriceUpdate]) -> BatchPlan:
        rejected: list[dtos.ItemResult] = []
        rows: list[tuple[VariantKey, dict[str, Any]]] = []
        for u in batching.last_wins(updates, lambda u: (u.item_id, u.variant_id)):
            problem = mapping.price_problem(u.price)
            if problem:
                rejected.append(planned.rejected(u.item_id, u.variant_id, problem))
            else:
                rows.append(
                    (
                        (u.item_id, u.variant_id),
                        {"product_id": self._product_id(u), "new_price": u.price.amount},
                    )
                )
        calls = tuple(
            self._batch_call("price", chunk) for chunk in batching.chunks(rows, self.limits.price_batch)
        )
        return BatchPlan(calls, tuple(rejected))

    @staticmethod
    def _product_id(update: dtos.StockUpdate | dtos.PriceUpdate) -> int:
        return order_mapping.product_id_of(update.item_id, update.variant_id)

    def _batch_results(self, call: PlannedCall, answer: JSONObject) -> list[dtos.ItemResult]:
        return _row_results(call, answer.get("data"))

    # -- products -------------------------------------------------------------------------------

    def _status_request(self, active: bool, item_id: str | None) -> ApiRequest:
        return ApiRequest(
            "POST",
            f"/v1/products/fs/{self.fs_id}/{'active' if active else 'inactive'}",
            (self._shop_param(),),
            body={"product_id": [int(item_id) if item_id else 0]},
            op=f"product.{'active' if active else 'inactive'}",
            safe_to_repeat=True,
        )

    async def plan_create_product(self, draft: dtos.ProductDraft) -> list[ApiRequest]:
        create = ApiRequest(
            "POST",
            f"/v3/products/fs/{self.fs_id}/create",
            (self._shop_param(),),
            body=mapping.create_body(draft),
            op="product.create",
        )
        return [create] if draft.active else [create, self._status_request(False, None)]

    async def create_product(self, draft: dtos.ProductDraft) -> dtos.WriteResult:
        create, *_ = await self.plan_create_product(draft)
        result = await self._upload_result(await self._data(create))
        created = result.get("success_rows_data") or []
        if not created:
            raise _upload_error(result, "create")
        item_id = str(created[0].get("product_id") or "")
        if not item_id:
            raise UnexpectedResponse("the upload succeeded without a product_id", platform=PLATFORM)
        if not draft.active:
            try:
                await self._status_answer(self._status_request(False, item_id))
            except ConnectorError as exc:
                return dtos.WriteResult(
                    ok=False, external_id=item_id, detail=f"created but still active: {exc}"
                )
        return dtos.WriteResult(ok=True, external_id=item_id)

    async def plan_update_product(self, update: dtos.ProductUpdate) -> list[ApiRequest]:
        requests: list[ApiRequest] = []
        body = mapping.edit_body(update)
        if body is not None:
            requests.append(
                ApiRequest(
                    "PATCH",
                    f"/v3/products/fs/{self.fs_id}/edit",
                    (self._shop_param(),),
                    body=body,
                    op="product.edit",
                    safe_to_repeat=True,
                )
            )
        if update.active is not None:
            requests.append(self._status_request(update.active, update.item_id))
        return requests

    async def update_product(self, update: dtos.ProductUpdate) -> dtos.WriteResult:
        for request in await self.plan_update_product(update):
            if request.op == "product.edit":
                result = await self._upload_result(await self._data(request))
                if not result.get("success_rows_data"):
                    raise _upload_error(result, "edit")
            else:
                await self._status_answer(request)
        return dtos.WriteResult(ok=True, external_id=update.item_id)

    async def _status_answer(self, request: ApiRequest) -> None:
        data = await self._data(request) or {}
        failed = data.get("failed_rows_data") or []
        if int(data.get("failed_rows") or 0) or failed:
            text = "; ".join(str(f) for f in failed) or "the product status was not changed"
            raise (NotFound if "product info" in text or "not found" in text.lower() else InvalidRequest)(
                text, platform=PLATFORM
            )

    async def _upload_result(self, answer: Any) -> dict[str, Any]:
        """Poll ``/status/{upload_id}`` until every row of the upload is processed."""
        upload_id = (answer or {}).get("upload_id")
        if not upload_id:
            raise UnexpectedResponse("the upload answered no upload_id", platform=PLATFORM)
        request = ApiRequest(
            "GET",
            f"/v2/products/fs/{self.fs_id}/status/{upload_id}",
            (self._shop_param(),),
            op="product.upload_status",
            safe_to_repeat=True,
        )
        for attempt in range(UPLOAD_POLLS):
            result = await self._data(request) or {}
            done = int(result.get("success_data") or 0) + int(result.get("fail_data") or 0)
            if done >= int(result.get("total_data") or 0) > 0:
                return dict(result)
            await self._sleep(min(2.0**attempt, 10.0))
        raise PlatformUnavailable(f"upload {upload_id} is still being processed", platform=PLATFORM)

    # -- orders ---------------------------------------------------------------------------------

    def _order_path(self, order_id: str, action: str) -> str:
        return f"/v1/order/{int(order_id)}/fs/{self.fs_id}/{action}"

    async def plan_ship_order(self, order_id: str, request: dtos.ShipRequest) -> list[ApiRequest]:
        detail = await self._order_detail(order_id)
        if detail is None:
            raise NotFound(f"order {order_id} not found", platform=PLATFORM)
        requests: list[ApiRequest] = []
        if order_mapping.status_code(detail.get("order_status")) in ACCEPT_FIRST:
            requests.append(ApiRequest("POST", self._order_path(order_id, "ack"), op="order.ack"))
        own_courier = request.method in (dtos.ShipMethod.SELF, dtos.ShipMethod.DROPOFF) or (
            request.method is dtos.ShipMethod.AUTO and request.tracking_number
        )
        if own_courier:
            if not request.tracking_number:
                raise InvalidRequest(
                    f"order {order_id}: shipping without a Tokopedia pickup needs the AWB (tracking number)",
                    platform=PLATFORM,
                )
            body: dict[str, Any] = {"order_status": 500, "shipping_ref_num": request.tracking_number}
            requests.append(
                ApiRequest(
                    "POST", self._order_path(order_id, "status"), body=body, op="order.confirm_shipping"
                )
            )
        else:
            shop = int(self._shop_param()[1])
            requests.append(
                ApiRequest(
                    "POST",
                    f"/inventory/v1/fs/{self.fs_id}/pick-up",
                    body={"order_id": int(order_id), "shop_id": shop},
                    op="logistic.request_pickup",
                )
            )
        return requests

    async def plan_cancel_order(
        self, order_id: str, reason: dtos.CancelReason, lines: Sequence[dtos.CancelLine] = ()
    ) -> list[ApiRequest]:
        lines = await self._lines_to_cancel(order_id, reason, lines)
        body = order_mapping.nack_body(reason, lines)
        return [ApiRequest("POST", self._order_path(order_id, "nack"), body=body, op="order.nack")]


def _row_results(call: PlannedCall, data: Any) -> list[dtos.ItemResult]:
    """Per-row outcome of a stock/price update: rows in ``failed_rows_data`` failed, the rest succeeded."""
    if not isinstance(data, dict):
        error = dtos.ItemError(kind="UnexpectedResponse", message="the update answered no data")
        return [dtos.ItemResult(i, v, ok=False, error=error) for i, v in call.keys]
    failures: dict[str, str] = {}
    for row in data.get("failed_rows_data") or ():
        if isinstance(row, dict) and row.get("product_id") not in (None, "", 0):
            failures[str(row["product_id"])] = str(row.get("message") or "failed")
    sent = call.request.body if isinstance(call.request.body, list) else []
    results = []
    for (item_id, variant_id), row in zip(call.keys, sent, strict=True):
        reason = failures.get(str(row["product_id"]))
        if reason is None:
            results.append(dtos.ItemResult(item_id, variant_id, ok=True))
        else:
            kind = "NotFound" if "invalid product" in reason.lower() else "Refused"
            error = dtos.ItemError(kind=kind, message=reason, platform_code="failed_rows_data")
            results.append(dtos.ItemResult(item_id, variant_id, ok=False, error=error))
    if not failures and int(data.get("failed_rows") or 0):
        error = dtos.ItemError(
            kind="UnexpectedResponse", message="failed rows reported without their product ids"
        )
        return [dtos.ItemResult(i, v, ok=False, error=error) for i, v in call.keys]
    return results


def _upload_error(result: dict[str, Any], what: str) -> ConnectorError:
    failed = result.get("failed_rows_data") or []
    messages = [
        str(err)
        for row in failed
        if isinstance(row, dict)
        for err in row.get("error") or [row.get("message") or ""]
    ]
    text = f"product {what} failed: {'; '.join(m for m in messages if m) or 'no row succeeded'}"
    cls = NotFound if any("not found" in m.lower() for m in messages) else InvalidRequest
    return cls(text, platform=PLATFORM, platform_code="failed_rows_data")
