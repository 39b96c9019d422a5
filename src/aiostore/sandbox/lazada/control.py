"""Sandbox control API under ``/_sandbox/`` (a prefix Lazada does not use), so a separately running sandbox
can be driven over HTTP by a benchmark or a demo (DESIGN.md "Marketplace sandboxes"). Unsigned, plain
JSON; errors are ``{"detail": "..."}``. Not part of Lazada's contract.

GET /_sandbox/state · GET|DELETE /_sandbox/calls · GET|POST /_sandbox/faults · POST /_sandbox/seed ·
POST /_sandbox/sellers · POST /_sandbox/orders · GET /_sandbox/orders/{order_id} ·
POST /_sandbox/orders/{order_id}/status · POST /_sandbox/orders/{order_id}/advance ·
GET /_sandbox/products/{item_id} · POST /_sandbox/tokens · POST /_sandbox/tokens/expire ·
GET /_sandbox/pushes · POST /_sandbox/pushes/drain
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.routing import Route

from aiostore.sandbox.common.control import PREFIX, common_routes, json_endpoint, read_json
from aiostore.sandbox.lazada.models import Order, Product
from aiostore.sandbox.lazada.state import LazadaSandbox


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLineIn(_In):
    item_id: int
    sku_id: int
    quantity: int = Field(1, ge=1)


class PlaceOrderIn(_In):
    seller_id: str | None = None
    lines: list[OrderLineIn] | None = None  # None: random lines with sellable stock
    count: int = Field(1, ge=1, le=10_000)
    paid: bool = False


class StatusIn(_In):
    status: str
    order_item_ids: list[int] | None = None
    reason: str = ""
    initiator: str = ""
    force: bool = False


class SeedIn(_In):
    products: int = Field(0, ge=0)
    orders: int = Field(0, ge=0)
    skus_per_product: int = Field(3, ge=1, le=50)
    seed: int | None = None
    seller_id: str | None = None


class SellerIn(_In):
    seller_id: str
    country: Literal["ID", "SG", "MY"] = "ID"
    name: str | None = None


class TokenIn(_In):
    seller_id: str | None = None
    app_key: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None


class ExpireIn(_In):
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
    async def seed(request: Request) -> Any:
        body = SeedIn.model_validate(await read_json(request))
        result = sandbox.seed(
            body.products, body.orders, body.skus_per_product, body.seed, seller_id=body.seller_id
        )
        return {"item_ids": result.item_ids, "order_ids": result.order_ids}

    async def sellers(request: Request) -> Any:
        body = SellerIn.model_validate(await read_json(request))
        seller = sandbox.add_seller(body.seller_id, body.country, body.name)
        return {"seller_id": seller.seller_id, "country": seller.country, "name": seller.name}

    async def place_orders(request: Request) -> Any:
        body = PlaceOrderIn.model_validate(await read_json(request))
        lines = [(x.item_id, x.sku_id, x.quantity) for x in body.lines] if body.lines is not None else None
        placed = [
            sandbox.place_order(lines, seller_id=body.seller_id, paid=body.paid) for _ in range(body.count)
        ]
        return {"orders": [order_summary(o) for o in placed]}

    async def get_order(request: Request) -> Any:
        return order_summary(sandbox.order(request.path_params["order_id"]))

    async def set_status(request: Request) -> Any:
        body = StatusIn.model_validate(await read_json(request))
        order_id = request.path_params["order_id"]
        sandbox.set_order_status(
            order_id,
            body.status,
            items=body.order_item_ids,
            force=body.force,
            reason=body.reason,
            initiator=body.initiator,
        )
        return order_summary(sandbox.order(order_id))

    async def advance(request: Request) -> Any:
        sandbox.advance_order(request.path_params["order_id"])
        return order_summary(sandbox.order(request.path_params["order_id"]))

    async def get_product(request: Request) -> Any:
        return product_summary(sandbox.product(request.path_params["item_id"]))

    async def tokens(request: Request) -> Any:
        body = TokenIn.model_validate(await read_json(request))
        pair = sandbox.grant_access_token(
            body.seller_id, body.access_token, app_key=body.app_key, refresh_token=body.refresh_token
        )
        return {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": pair.expires_in,
            "seller_id": pair.seller_id,
            "app_key": pair.app_key,
        }

    async def expire(request: Request) -> Any:
        body = ExpireIn.model_validate(await read_json(request))
        if body.refresh:
            return {"expired": sandbox.expire_refresh_tokens(body.seller_id)}
        return {"expired": sandbox.expire_access_tokens(body.seller_id)}

    return [
        *common_routes(sandbox),
        Route(f"{PREFIX}/seed", json_endpoint(seed), methods=["POST"]),
        Route(f"{PREFIX}/sellers", json_endpoint(sellers), methods=["POST"]),
        Route(f"{PREFIX}/orders", json_endpoint(place_orders), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}", json_endpoint(get_order), methods=["GET"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}/status", json_endpoint(set_status), methods=["POST"]),
        Route(f"{PREFIX}/orders/{{order_id:int}}/advance", json_endpoint(advance), methods=["POST"]),
        Route(f"{PREFIX}/products/{{item_id:int}}", json_endpoint(get_product), methods=["GET"]),
        Route(f"{PREFIX}/tokens", json_endpoint(tokens), methods=["POST"]),
        Route(f"{PREFIX}/tokens/expire", json_endpoint(expire), methods=["POST"]),
    ]
