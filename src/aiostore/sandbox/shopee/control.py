"""Sandbox control API under `/_sandbox/` (a prefix Shopee does not use), so a separately running sandbox can
be driven over HTTP by a benchmark or a demo (DESIGN.md "Marketplace sandboxes"). Unsigned, plain JSON;
errors are {"detail": "..."}. Not part of Shopee's contract.

GET /_sandbox/state · GET|DELETE /_sandbox/calls · GET|POST /_sandbox/faults · POST /_sandbox/seed ·
POST /_sandbox/orders · GET /_sandbox/orders/{order_sn} · POST /_sandbox/orders/{order_sn}/status ·
POST /_sandbox/orders/{order_sn}/advance · GET /_sandbox/items/{item_id} · POST /_sandbox/tokens ·
POST /_sandbox/tokens/expire · GET /_sandbox/pushes · POST /_sandbox/pushes/drain
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common.control import PREFIX, common_routes, json_endpoint, read_json
from aiostore.sandbox.shopee.models import Item, Order
from aiostore.sandbox.shopee.state import ShopeeSandbox


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineIn(_In):
    item_id: int
    model_id: int = 0
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(_In):
    shop_id: int | None = None
    lines: list[OrderLineIn] | None = None  # None: random lines with free stock
    count: int = Field(1, ge=1, le=10_000)
    status: Literal["UNPAID", "READY_TO_SHIP"] = "UNPAID"


class StatusIn(_In):
    status: str
    cancel_by: str = ""
    cancel_reason: str = ""
    force: bool = False


class SeedIn(_In):
    products: int = Field(0, ge=0)
    orders: int = Field(0, ge=0)
    models_per_product: int = Field(3, ge=0, le=50)
    seed: int | None = None
    shop_id: int | None = None


class TokenIn(_In):
    shop_id: int | None = None
    partner_id: int | None = None
    access_token: str | None = None
    refresh_token: str | None = None


class ExpireIn(_In):
    shop_id: int | None = None
    refresh: bool = False


def order_summary(order: Order) -> dict[str, Any]:
    return {
        "order_sn": order.order_sn,
        "shop_id": order.shop_id,
        "order_status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "lines": [
            {"item_id": x.item_id, "model_id": x.model_id, "quantity": x.quantity} for x in order.lines
        ],
        "package_number": order.package.package_number,
        "tracking_number": order.package.tracking_number,
        "stock_state": order.stock_state,
    }


def item_summary(item: Item) -> dict[str, Any]:
    holders = [(m.model_id, m.model_sku, m.price, m.stock, m.reserved) for m in item.models.values()]
    if not item.has_model:
        holders = [(0, item.item_sku, item.price, item.stock, item.reserved)]
    return {
        "item_id": item.item_id,
        "shop_id": item.shop_id,
        "item_sku": item.item_sku,
        "item_status": item.item_status,
        "update_time": item.update_time,
        "models": [
            {"model_id": i, "sku": sku, "price_minor": price, "stock": stock, "reserved": reserved}
            for i, sku, price, stock, reserved in holders
        ],
    }


def control_routes(sandbox: ShopeeSandbox) -> list[Route]:
    async def seed(request: Request) -> Any:
        body = SeedIn.model_validate(await read_json(request))
        result = sandbox.seed(
            body.products, body.orders, body.models_per_product, body.seed, shop_id=body.shop_id
        )
        return {"item_ids": result.item_ids, "order_sns": result.order_sns}

    async def place_orders(request: Request) -> Any:
        body = PlaceOrderIn.model_validate(await read_json(request))
        lines = [(x.item_id, x.model_id, x.quantity) for x in body.lines] if body.lines is not None else None
        placed = [
            sandbox.place_order(lines, shop_id=body.shop_id, status=body.status) for _ in range(body.count)
        ]
        return {"orders": [order_summary(o) for o in placed]}

    async def get_order(request: Request) -> Any:
        return order_summary(sandbox.order(request.path_params["order_sn"]))

    async def set_status(request: Request) -> Any:
        body = StatusIn.model_validate(await read_json(request))
        order = sandbox.set_order_status(
            request.path_params["order_sn"],
            body.status,
            cancel_by=body.cancel_by,
            cancel_reason=body.cancel_reason,
            force=body.force,
        )
        return order_summary(order)

    async def advance(request: Request) -> Any:
        return order_summary(sandbox.advance_order(request.path_params["order_sn"]))

    async def get_item(request: Request) -> Any:
        return item_summary(sandbox.item(request.path_params["item_id"]))

    async def tokens(request: Request) -> Any:
        body = TokenIn.model_validate(await read_json(request))
        pair = sandbox.grant_access_token(
            body.shop_id, body.access_token, partner_id=body.partner_id, refresh_token=body.refresh_token
        )
        return {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expire_in": pair.expire_in,
            "shop_id": pair.shop_id,
            "partner_id": pair.partner_id,
        }

    async def expire(request: Request) -> Any:
        body = ExpireIn.model_validate(await read_json(request))
        ended = (
            sandbox.expire_refresh_tokens(body.shop_id)
            if body.refresh
            else sandbox.expire_access_tokens(body.shop_id)
        )
        return {"expired": ended}

    return [
        *common_routes(sandbox),
        Route(f"{PREFIX}/seed", json_endpoint(seed), methods=["POST"]),
        Route(f"{PREFIX}/orders", json_endpoint(place_orders), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_sn}}", json_endpoint(get_order), methods=["GET"]),
        Route(f"{PREFIX}/orders/{{order_sn}}/status", json_endpoint(set_status), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_sn}}/advance", json_endpoint(advance), methods=["POST"]),
        Route(f"{PREFIX}/items/{{item_id:int}}", json_endpoint(get_item), methods=["GET"]),
        Route(f"{PREFIX}/tokens", json_endpoint(tokens), methods=["POST"]),
        Route(f"{PREFIX}/tokens/expire", json_endpoint(expire), methods=["POST"]),
    ]
