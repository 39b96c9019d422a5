"""The Tokopedia sandbox as a ``SandboxHarness`` (sandbox/common/harness.py).

A sellable unit is a product a buyer can order: a variant (its own product id) or a product without
variants, so units are ``(product_id, "0")``, the keys the connector gives them. A paid order takes its
units out of the stock at once (``reserved`` stays 0) and sends the order_notification webhook; an unpaid
one (100) takes nothing and Tokopedia says nothing about it until it is paid.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.common.harness import HarnessBase, SandboxHarness, SellableUnit
from aiostore.sandbox.tokopedia.state import TokopediaSandbox

# Unified status -> Tokopedia order_status (§B5).
_STATUS = {
    "unpaid": 100,
    "to_ship": 220,
    "shipped": 500,
    "completed": 700,
    "cancelled": 0,
    "returned": 550,
}


class TokopediaHarness(HarnessBase[TokopediaSandbox]):
    platform = "tokopedia"

    def __init__(self, sandbox: TokopediaSandbox) -> None:
        super().__init__(sandbox)
        app, shop = sandbox.app(), sandbox.shop()
        sandbox.link(shop.shop_id, app.client_id)
        self.shop_id = str(shop.shop_id)
        self.app_key = app.client_id
        self.app_secret = app.client_secret
        self.fs_id = str(app.fs_id)
        self.market = "ID"
        self.access_token = sandbox.tokens.current_or_new(app.client_id, sandbox.now()).value
        self.refresh_token = ""  # client credentials: no refresh token

    def units(self) -> list[SellableUnit]:
        return [
            SellableUnit(str(p.product_id), "0", p.sku, p.stock, 0)
            for p in self.sandbox.catalog.sellable(int(self.shop_id))
        ]

    def _unit_product(self, item_id: str, variant_id: str) -> Any:
        product = self.sandbox.catalog.get(
            int(self.shop_id), int(variant_id if variant_id != "0" else item_id)
        )
        if product is None or product.is_parent:
            raise KeyError(f"no sellable unit {item_id}/{variant_id}")
        return product

    def unit(self, item_id: str, variant_id: str) -> SellableUnit:
        product = self._unit_product(item_id, variant_id)
        return SellableUnit(str(product.product_id), "0", product.sku, product.stock, 0)

    def set_unit(
        self,
        item_id: str,
        variant_id: str,
        *,
        sku: str | None = None,
        stock: int | None = None,
        price: int | None = None,
    ) -> None:
        product = self._unit_product(item_id, variant_id)
        if sku is not None:
            self.sandbox.catalog.set_sku(product, sku)
        if stock is not None:
            product.stock = stock
        if price is not None:
            product.price = price

    def price_of(self, item_id: str, variant_id: str) -> int:
        price: int = self._unit_product(item_id, variant_id).price
        return price

    def place_order(self, lines: list[tuple[str, str, int]], *, paid: bool = True) -> str:
        picks = [(self._unit_product(i, v).product_id, q) for i, v, q in lines]
        return str(self.sandbox.place_order(picks, shop_id=int(self.shop_id), paid=paid).order_id)

    def set_order_status(self, order_id: str, status: str) -> None:
        try:
            code = _STATUS[status]
        except KeyError:
            raise SandboxError(f"unknown status {status}") from None
        self.sandbox.set_order_status(int(order_id), code, force=True)

    def push_to(self, url: str | None) -> None:
        self.sandbox.set_push_url(url)

    def expire_access_tokens(self) -> None:
        self.sandbox.expire_access_tokens()


def harness(app: Starlette) -> SandboxHarness:
    return TokopediaHarness(app.state.sandbox)
