"""Sandbox control API under ``/_sandbox/`` (a prefix TikTok does not use), so a separately running sandbox
can be driven over HTTP by a benchmark or a demo (DESIGN.md "Marketplace sandboxes"). Unsigned, plain JSON;
errors are {"detail": "..."}. Not part of TikTok's contract.

GET /_sandbox/state · GET|DELETE /_sandbox/calls · GET|POST /_sandbox/faults · POST /_sandbox/seed ·
POST /_sandbox/app (redirect_url, push_url) · POST /_sandbox/orders · GET /_sandbox/orders/{order_id} ·
POST /_sandbox/orders/{order_id}/status · POST /_sandbox/orders/{order_id}/advance ·
POST /_sandbox/orders/{order_id}/return · GET /_sandbox/products/{product_id} · POST /_sandbox/tokens ·
POST /_sandbox/tokens/expire · GET /_sandbox/pushes · POST /_sandbox/pushes/drain
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common.control import PREFIX, common_routes, json_endpoint, read_json
from aiostore.sandbox.tiktokshop.models import Order, Product
from aiostore.sandbox.tiktokshop.state import TikTokShopSandbox


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineIn(_In):
    product_id: str
    sku_id: str
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(_In):
    shop_id: str | None = None
    lines: list[OrderLineIn] | None = None  # None: random lines with free stock
    count: int = Field(1, ge=1, le=10_000)
    status: Literal["UNPAID", "AWAITING_SHIPMENT"] = "UNPAID"


class StatusIn(_In):
    status: str
    force: bool = False


class SeedIn(_In):
    products: int = Field(0, ge=0)
    orders: int = Field(0, ge=0)
    skus_per_product: int = Field(3, ge=1, le=100)
    seed: int | None = None
    shop_id: str | None = None


class AppIn(_In):
    redirect_url: str | None = None
    push_url: str | None = None


class TokenIn(_In):
    access_token: str | None = None
    refresh_token: str | None = None


class ExpireIn(_In):
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
    async def seed(request: Request) -> Any:
        body = SeedIn.model_validate(await read_json(request))
        result = sandbox.seed(
            body.products, body.orders, body.skus_per_product, body.seed, shop_id=body.shop_id
        )
        return {"product_ids": result.product_ids, "order_ids": result.order_ids}

    async def app(request: Request) -> Any:
        body = AppIn.model_validate(await read_json(request))
        if "redirect_url" in body.model_fields_set:
            sandbox.app.redirect_url = body.redirect_url
        if "push_url" in body.model_fields_set:
            sandbox.app.push_url = body.push_url
        return {"redirect_url": sandbox.app.redirect_url, "push_url": sandbox.app.push_url}

    async def place_orders(request: Request) -> Any:
        body = PlaceOrderIn.model_validate(await read_json(request))
        lines = [(x.product_id, x.sku_id, x.quantity) for x in body.lines] if body.lines is not None else None
        placed = [
            sandbox.place_order(lines, shop_id=body.shop_id, status=body.status) for _ in range(body.count)
        ]
        return {"orders": [order_summary(o) for o in placed]}

    async def get_order(request: Request) -> Any:
        return order_summary(sandbox.order(request.path_params["order_id"]))

    async def set_status(request: Request) -> Any:
        body = StatusIn.model_validate(await read_json(request))
        return order_summary(
            sandbox.set_order_status(request.path_params["order_id"], body.status, force=body.force)
        )

    async def advance(request: Request) -> Any:
        return order_summary(sandbox.advance_order(request.path_params["order_id"]))

    async def returned(request: Request) -> Any:
        return order_summary(sandbox.return_order(request.path_params["order_id"]))

    async def get_product(request: Request) -> Any:
        return product_summary(sandbox.product(request.path_params["product_id"]))

    async def tokens(request: Request) -> Any:
        body = TokenIn.model_validate(await read_json(request))
        pair = sandbox.grant_access_token(body.access_token, refresh_token=body.refresh_token)
        return {
            "access_token": pair.access_token,
            "access_token_expire_in": pair.access_token_expire_in,
            "refresh_token": pair.refresh_token,
            "refresh_token_expire_in": pair.refresh_token_expire_in,
            "open_id": pair.open_id,
        }

    async def expire(request: Request) -> Any:
        body = ExpireIn.model_validate(await read_json(request))
        ended = sandbox.expire_refresh_tokens() if body.refresh else sandbox.expire_access_tokens()
        return {"expired": ended}

    return [
        *common_routes(sandbox),
        Route(f"{PREFIX}/seed", json_endpoint(seed), methods=["POST"]),
        Route(f"{PREFIX}/app", json_endpoint(app), methods=["POST"]),
        Route(f"{PREFIX}/orders", json_endpoint(place_orders), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id}}", json_endpoint(get_order), methods=["GET"]),
        Route(f"{PREFIX}/orders/{{order_id}}/status", json_endpoint(set_status), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id}}/advance", json_endpoint(advance), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id}}/return", json_endpoint(returned), methods=["POST"]),
        Route(f"{PREFIX}/products/{{product_id}}", json_endpoint(get_product), methods=["GET"]),
        Route(f"{PREFIX}/tokens", json_endpoint(tokens), methods=["POST"]),
        Route(f"{PREFIX}/tokens/expire", json_endpoint(expire), methods=["POST"]),
    ]
