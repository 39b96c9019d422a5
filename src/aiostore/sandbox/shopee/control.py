"""Shopee's `/_sandbox/` control routes (sandbox/common/control.py: unsigned JSON, not part of Shopee's
contract): the shared state, calls, faults, pushes, seed (`models_per_product`) and orders/{order_sn}
routes, plus GET items/{item_id}, POST tokens and POST tokens/expire.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common import control
from aiostore.sandbox.shopee.models import Item, Order
from aiostore.sandbox.shopee.state import ShopeeSandbox


class OrderLineIn(control.ControlIn):
    item_id: int
    model_id: int = 0
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(control.PlaceOrdersIn):
    shop_id: int | None = None
    lines: list[OrderLineIn] | None = None  # None: random lines with free stock
    status: Literal["UNPAID", "READY_TO_SHIP"] = "UNPAID"


class StatusIn(control.ControlIn):
    status: str
    cancel_by: str = ""
    cancel_reason: str = ""
    force: bool = False


class SeedIn(control.SeedInBase):
    models_per_product: int = Field(3, ge=0, le=50)
    shop_id: int | None = None


class TokenIn(control.ControlIn):
    shop_id: int | None = None
    partner_id: int | None = None
    access_token: str | None = None
    refresh_token: str | None = None


class ExpireIn(control.ControlIn):
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
    def seed(body: SeedIn, request: Request) -> Any:
        done = sandbox.seed(
            body.products, body.orders, body.models_per_product, body.seed, shop_id=body.shop_id
        )
        return {"item_ids": done.item_ids, "order_sns": done.order_sns}

    def place(body: PlaceOrderIn) -> Order:
        lines = [(x.item_id, x.model_id, x.quantity) for x in body.lines] if body.lines is not None else None
        return sandbox.place_order(lines, shop_id=body.shop_id, status=body.status)

    def set_status(order_sn: str, body: StatusIn) -> Order:
        return sandbox.set_order_status(
            order_sn,
            body.status,
            cancel_by=body.cancel_by,
            cancel_reason=body.cancel_reason,
            force=body.force,
        )

    def tokens(body: TokenIn, request: Request) -> Any:
        pair = sandbox.grant_access_token(
            body.shop_id, body.access_token, partner_id=body.partner_id, refresh_token=body.refresh_token
        )
        return {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expire_in": pair.expires_in,
            "shop_id": pair.owner,
            "partner_id": pair.app,
        }

    def expire(body: ExpireIn, request: Request) -> Any:
        if body.refresh:
            return {"expired": sandbox.expire_refresh_tokens(body.shop_id)}
        return {"expired": sandbox.expire_access_tokens(body.shop_id)}

    orders = control.OrderControl(
        "order_sn", sandbox, order_summary, place, PlaceOrderIn, set_status, StatusIn
    )
    return [
        *control.common_routes(sandbox),
        control.post("seed", SeedIn, seed),
        *orders.routes(),
        control.route(
            "items/{item_id:int}", lambda request: item_summary(sandbox.item(request.path_params["item_id"]))
        ),
        control.post("tokens", TokenIn, tokens),
        control.post("tokens/expire", ExpireIn, expire),
    ]
