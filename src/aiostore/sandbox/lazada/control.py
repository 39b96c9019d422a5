"""Lazada's ``/_sandbox/`` control routes (sandbox/common/control.py: unsigned JSON, not part of Lazada's
contract): the shared state, calls, faults, pushes, seed (``skus_per_product``) and orders/{order_id}
routes, plus POST sellers, GET products/{item_id}, POST tokens, POST tokens/expire and POST
authorizations/alert (run the daily authorisation expiry alert, message type 8, now).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common import control
from aiostore.sandbox.lazada.models import Order, Product
from aiostore.sandbox.lazada.state import LazadaSandbox


class OrderLineIn(control.ControlIn):
    item_id: int
    sku_id: int
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(control.PlaceOrdersIn):
    seller_id: str | None = None
    lines: list[OrderLineIn] | None = None  # None: random lines with sellable stock
    paid: bool = False


class StatusIn(control.ControlIn):
    status: str
    order_item_ids: list[int] | None = None
    reason: str = ""
    initiator: str = ""
    force: bool = False


class SeedIn(control.SeedInBase):
    skus_per_product: int = Field(3, ge=1, le=50)
    seller_id: str | None = None


class SellerIn(control.ControlIn):
    seller_id: str
    country: Literal["ID", "SG", "MY"] = "ID"
    name: str | None = None


class TokenIn(control.ControlIn):
    seller_id: str | None = None
    app_key: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None


class ExpireIn(control.ControlIn):
    seller_id: str | None = None
    refresh: bool = False


def order_summary(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "seller_id": order.seller_id,
        "statuses": order.statuses,
        "created": order.created,
        "updated": order.updated,
        "items": [
            {
                "order_item_id": i.order_item_id,
                "item_id": i.item_id,
                "sku_id": i.sku_id,
                "status": i.status,
                "package_id": i.package_id,
                "stock_state": i.stock_state,
            }
            for i in order.items
        ],
    }


def product_summary(product: Product) -> dict[str, Any]:
    return {
        "item_id": product.item_id,
        "seller_id": product.seller_id,
        "status": product.status,
        "updated_ms": product.updated_ms,
        "skus": [
            {
                "sku_id": s.sku_id,
                "seller_sku": s.seller_sku,
                "price_minor": s.price,
                "quantity": s.quantity,
                "withhold": s.withhold,
                "occupy": s.occupy,
                "sellable": s.sellable,
            }
            for s in product.skus.values()
        ],
    }


def control_routes(sandbox: LazadaSandbox) -> list[Route]:
    def seed(body: SeedIn, request: Request) -> Any:
        done = sandbox.seed(
            body.products, body.orders, body.skus_per_product, body.seed, shop_id=body.seller_id
        )
        return {"item_ids": done.item_ids, "order_ids": done.order_ids}

    def sellers(body: SellerIn, request: Request) -> Any:
        seller = sandbox.add_seller(body.seller_id, body.country, body.name)
        return {"seller_id": seller.seller_id, "country": seller.country, "name": seller.name}

    def place(body: PlaceOrderIn) -> Order:
        lines = [(x.item_id, x.sku_id, x.quantity) for x in body.lines] if body.lines is not None else None
        return sandbox.place_order(lines, seller_id=body.seller_id, paid=body.paid)

    def set_status(order_id: int, body: StatusIn) -> object:
        return sandbox.set_order_status(
            order_id,
            body.status,
            items=body.order_item_ids,
            force=body.force,
            reason=body.reason,
            initiator=body.initiator,
        )

    def tokens(body: TokenIn, request: Request) -> Any:
        pair = sandbox.grant_access_token(
            body.seller_id, body.access_token, app_key=body.app_key, refresh_token=body.refresh_token
        )
        return {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": pair.expires_in,
            "seller_id": pair.owner,
            "app_key": pair.app,
        }

    def expire(body: ExpireIn, request: Request) -> Any:
        if body.refresh:
            return {"expired": sandbox.expire_refresh_tokens(body.seller_id)}
        return {"expired": sandbox.expire_access_tokens(body.seller_id)}

    orders = control.OrderControl(
        "order_id:int", sandbox, order_summary, place, PlaceOrderIn, set_status, StatusIn
    )
    return [
        *control.common_routes(sandbox),
        control.post("seed", SeedIn, seed),
        control.post("sellers", SellerIn, sellers),
        *orders.routes(),
        control.route(
            "products/{item_id:int}",
            lambda request: product_summary(sandbox.product(request.path_params["item_id"])),
        ),
        control.post("tokens", TokenIn, tokens),
        control.post("tokens/expire", ExpireIn, expire),
        control.post(
            "authorizations/alert",
            control.ControlIn,
            lambda body, request: {"sent": sandbox.alert_expiring_authorizations()},
        ),
    ]
