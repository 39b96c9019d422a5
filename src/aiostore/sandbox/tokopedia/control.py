"""Sandbox control API under ``/_sandbox/`` (a prefix Tokopedia does not use), so a separately running
sandbox can be driven over HTTP by a benchmark or a demo. Unsigned, plain JSON; errors are ``{"detail"}``.
Not part of Tokopedia's contract.

GET /_sandbox/state · GET|DELETE /_sandbox/calls · GET|POST /_sandbox/faults · POST /_sandbox/seed ·
POST /_sandbox/orders · GET /_sandbox/orders/{order_id} · POST /_sandbox/orders/{order_id}/status ·
POST /_sandbox/orders/{order_id}/advance · GET /_sandbox/products/{product_id} · POST /_sandbox/tokens ·
POST /_sandbox/tokens/expire · POST /_sandbox/shops/link · POST /_sandbox/webhooks · GET /_sandbox/pushes ·
POST /_sandbox/pushes/drain
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common.control import PREFIX, common_routes, json_endpoint, read_json
from aiostore.sandbox.tokopedia.models import Order, Product
from aiostore.sandbox.tokopedia.state import TokopediaSandbox


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineIn(_In):
    product_id: int
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(_In):
    shop_id: int | None = None
    lines: list[LineIn] | None = None  # None: random lines with free stock
    count: int = Field(1, ge=1, le=10_000)
    paid: bool = True


class StatusIn(_In):
    status: int
    message: str = ""
    force: bool = False


class SeedIn(_In):
    products: int = Field(0, ge=0)
    orders: int = Field(0, ge=0)
    variants_per_product: int = Field(3, ge=0, le=50)
    seed: int | None = None
    shop_id: int | None = None


class TokenIn(_In):
    client_id: str | None = None
    access_token: str | None = None


class LinkIn(_In):
    shop_id: int
    client_id: str | None = None
    linked: bool = True


class WebhooksIn(_In):
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


def control_routes(sandbox: TokopediaSandbox) -> list[Route]:  # noqa: C901 - a flat list of small handlers
    async def seed(request: Request) -> Any:
        body = SeedIn.model_validate(await read_json(request))
        done = sandbox.seed(
            body.products, body.orders, body.variants_per_product, body.seed, shop_id=body.shop_id
        )
        return {"product_ids": done.product_ids, "order_ids": done.order_ids}

    async def place_orders(request: Request) -> Any:
        body = PlaceOrderIn.model_validate(await read_json(request))
        lines = [(x.product_id, x.quantity) for x in body.lines] if body.lines is not None else None
        placed = [sandbox.place_order(lines, shop_id=body.shop_id, paid=body.paid) for _ in range(body.count)]
        return {"orders": [order_summary(o) for o in placed]}

    async def get_order(request: Request) -> Any:
        return order_summary(sandbox.order(int(request.path_params["order_id"])))

    async def set_status(request: Request) -> Any:
        body = StatusIn.model_validate(await read_json(request))
        order_id = int(request.path_params["order_id"])
        return order_summary(
            sandbox.set_order_status(order_id, body.status, message=body.message, force=body.force)
        )

    async def advance(request: Request) -> Any:
        return order_summary(sandbox.advance_order(int(request.path_params["order_id"])))

    async def get_product(request: Request) -> Any:
        return product_summary(sandbox.product(int(request.path_params["product_id"])))

    async def tokens(request: Request) -> Any:
        body = TokenIn.model_validate(await read_json(request))
        granted = sandbox.grant_access_token(body.client_id, body.access_token)
        return {"access_token": granted.value, "expires_in": granted.expires_at - sandbox.now()}

    async def expire(request: Request) -> Any:
        body = TokenIn.model_validate(await read_json(request))
        return {"expired": sandbox.expire_access_tokens(body.client_id)}

    async def link(request: Request) -> Any:
        body = LinkIn.model_validate(await read_json(request))
        sandbox.link(body.shop_id, body.client_id, body.linked)
        return {"linked_shops": sorted(sandbox.app(body.client_id).linked_shops)}

    async def webhooks(request: Request) -> Any:
        body = WebhooksIn.model_validate(await read_json(request))
        sandbox.set_push_url(body.url, body.client_id)
        return sandbox.app(body.client_id).webhook_urls

    return [
        *common_routes(sandbox),
        Route(f"{PREFIX}/seed", json_endpoint(seed), methods=["POST"]),
        Route(f"{PREFIX}/orders", json_endpoint(place_orders), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}", json_endpoint(get_order), methods=["GET"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}/status", json_endpoint(set_status), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}/advance", json_endpoint(advance), methods=["POST"]),
        Route(f"{PREFIX}/products/{{product_id:int}}", json_endpoint(get_product), methods=["GET"]),
        Route(f"{PREFIX}/tokens", json_endpoint(tokens), methods=["POST"]),
        Route(f"{PREFIX}/tokens/expire", json_endpoint(expire), methods=["POST"]),
        Route(f"{PREFIX}/shops/link", json_endpoint(link), methods=["POST"]),
        Route(f"{PREFIX}/webhooks", json_endpoint(webhooks), methods=["POST"]),
    ]
