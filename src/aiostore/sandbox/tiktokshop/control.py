"""TikTok Shop's ``/_sandbox/`` control routes (sandbox/common/control.py: unsigned JSON, not part of
TikTok's contract): the shared state, calls, faults, pushes, seed (``skus_per_product``) and
orders/{order_id} routes, plus POST app (redirect_url, push_url), POST orders/{order_id}/return,
GET products/{product_id}, POST tokens and POST tokens/expire.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common import control
from aiostore.sandbox.tiktokshop.models import Order, Product
from aiostore.sandbox.tiktokshop.state import TikTokShopSandbox


class OrderLineIn(control.ControlIn):
    product_id: str
    sku_id: str
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(control.PlaceOrdersIn):
    shop_id: str | None = None
    lines: list[OrderLineIn] | None = None  # None: random lines with free stock
    status: Literal["UNPAID", "AWAITING_SHIPMENT"] = "UNPAID"


class StatusIn(control.ControlIn):
    status: str
    force: bool = False


class SeedIn(control.SeedInBase):
    skus_per_product: int = Field(3, ge=1, le=100)
    shop_id: str | None = None


class AppIn(control.ControlIn):
    redirect_url: str | None = None
    push_url: str | None = None


class TokenIn(control.ControlIn):
    access_token: str | None = None
    refresh_token: str | None = None


class ExpireIn(control.ControlIn):
    refresh: bool = False


def order_summary(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "shop_id": order.shop_id,
        "status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "lines": [{"product_id": p, "sku_id": s, "quantity": q} for (p, s), q in order.units().items()],
        "package_id": order.package.package_id,
        "tracking_number": order.package.tracking_number,
        "stock_state": order.stock_state,
    }


def product_summary(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "shop_id": product.shop_id,
        "status": product.status,
        "update_time": product.update_time,
        "skus": [
            {
                "sku_id": s.sku_id,
                "seller_sku": s.seller_sku,
                "price_minor": s.price,
                "quantity": s.quantity,
                "committed": s.committed,
            }
            for s in product.skus.values()
        ],
    }


def control_routes(sandbox: TikTokShopSandbox) -> list[Route]:
    def seed(body: SeedIn, request: Request) -> Any:
        done = sandbox.seed(
            body.products, body.orders, body.skus_per_product, body.seed, shop_id=body.shop_id
        )
        return {"product_ids": done.product_ids, "order_ids": done.order_ids}

    def app(body: AppIn, request: Request) -> Any:
        if "redirect_url" in body.model_fields_set:
            sandbox.app.redirect_url = body.redirect_url
        if "push_url" in body.model_fields_set:
            sandbox.app.push_url = body.push_url
        return {"redirect_url": sandbox.app.redirect_url, "push_url": sandbox.app.push_url}

    def place(body: PlaceOrderIn) -> Order:
        lines = [(x.product_id, x.sku_id, x.quantity) for x in body.lines] if body.lines is not None else None
        return sandbox.place_order(lines, shop_id=body.shop_id, status=body.status)

    def returned(request: Request) -> Any:
        return order_summary(sandbox.return_order(request.path_params["order_id"]))

    def tokens(body: TokenIn, request: Request) -> Any:
        pair = sandbox.grant_access_token(body.access_token, refresh_token=body.refresh_token)
        return {
            "access_token": pair.access_token,
            "access_token_expire_in": pair.access_expires_at,
            "refresh_token": pair.refresh_token,
            "refresh_token_expire_in": pair.refresh_expires_at,
            "open_id": pair.owner,
        }

    def expire(body: ExpireIn, request: Request) -> Any:
        return {
            "expired": sandbox.expire_refresh_tokens() if body.refresh else sandbox.expire_access_tokens()
        }

    def set_status(order_id: str, body: StatusIn) -> Order:
        return sandbox.set_order_status(order_id, body.status, force=body.force)

    orders = control.OrderControl(
        "order_id", sandbox, order_summary, place, PlaceOrderIn, set_status, StatusIn
    )
    return [
        *control.common_routes(sandbox),
        control.post("seed", SeedIn, seed),
        control.post("app", AppIn, app),
        *orders.routes(),
        control.route("orders/{order_id}/return", returned, "POST"),
        control.route(
            "products/{product_id}",
            lambda request: product_summary(sandbox.product(request.path_params["product_id"])),
        ),
        control.post("tokens", TokenIn, tokens),
        control.post("tokens/expire", ExpireIn, expire),
    ]
