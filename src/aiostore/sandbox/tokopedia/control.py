"""Tokopedia's ``/_sandbox/`` control routes (sandbox/common/control.py: unsigned JSON, not part of
Tokopedia's contract): the shared state, calls, faults, pushes, seed (``variants_per_product``) and
orders/{order_id} routes, plus GET products/{product_id}, POST tokens, POST tokens/expire,
POST shops/link and POST webhooks.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common import control
from aiostore.sandbox.tokopedia.models import Order, Product
from aiostore.sandbox.tokopedia.state import TokopediaSandbox


class LineIn(control.ControlIn):
    product_id: int
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(control.PlaceOrdersIn):
    shop_id: int | None = None
    lines: list[LineIn] | None = None  # None: random lines with free stock
    paid: bool = True


class StatusIn(control.ControlIn):
    status: int
    message: str = ""
    force: bool = False


class SeedIn(control.SeedInBase):
    variants_per_product: int = Field(3, ge=0, le=50)
    shop_id: int | None = None


class TokenIn(control.ControlIn):
    client_id: str | None = None
    access_token: str | None = None


class LinkIn(control.ControlIn):
    shop_id: int
    client_id: str | None = None
    linked: bool = True


class WebhooksIn(control.ControlIn):
    url: str | None
    client_id: str | None = None


def order_summary(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "shop_id": order.shop_id,
        "order_status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "paid": order.payment_time is not None,
        "lines": [{"product_id": x.product_id, "quantity": x.quantity} for x in order.lines],
        "awb": order.awb,
        "stock_state": order.stock_state,
    }


def product_summary(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "shop_id": product.shop_id,
        "parent_id": product.parent_id,
        "children": product.children,
        "sku": product.sku,
        "status": product.status,
        "price": product.price,
        "stock": product.stock,
    }


def control_routes(sandbox: TokopediaSandbox) -> list[Route]:
    def seed(body: SeedIn, request: Request) -> Any:
        done = sandbox.seed(
            body.products, body.orders, body.variants_per_product, body.seed, shop_id=body.shop_id
        )
        return {"product_ids": done.product_ids, "order_ids": done.order_ids}

    def place(body: PlaceOrderIn) -> Order:
        lines = [(x.product_id, x.quantity) for x in body.lines] if body.lines is not None else None
        return sandbox.place_order(lines, shop_id=body.shop_id, paid=body.paid)

    def tokens(body: TokenIn, request: Request) -> Any:
        granted = sandbox.grant_access_token(body.client_id, body.access_token)
        return {"access_token": granted.value, "expires_in": granted.expires_at - sandbox.now()}

    def link(body: LinkIn, request: Request) -> Any:
        sandbox.link(body.shop_id, body.client_id, body.linked)
        return {"linked_shops": sorted(sandbox.app(body.client_id).linked_shops)}

    def webhooks(body: WebhooksIn, request: Request) -> Any:
        sandbox.set_push_url(body.url, body.client_id)
        return sandbox.app(body.client_id).webhook_urls

    def set_status(order_id: int, body: StatusIn) -> Order:
        return sandbox.set_order_status(order_id, body.status, message=body.message, force=body.force)

    orders = control.OrderControl(
        "order_id:int", sandbox, order_summary, place, PlaceOrderIn, set_status, StatusIn
    )
    return [
        *control.common_routes(sandbox),
        control.post("seed", SeedIn, seed),
        *orders.routes(),
        control.route(
            "products/{product_id:int}",
            lambda request: product_summary(sandbox.product(request.path_params["product_id"])),
        ),
        control.post("tokens", TokenIn, tokens),
        control.post(
            "tokens/expire",
            TokenIn,
            lambda body, request: {"expired": sandbox.expire_access_tokens(body.client_id)},
        ),
        control.post("shops/link", LinkIn, link),
        control.post("webhooks", WebhooksIn, webhooks),
    ]
