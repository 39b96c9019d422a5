"""The Lazada sandbox as a ``SandboxHarness`` (sandbox/common/harness.py).

A unit is a SKU (``variant_id`` = SkuId); ``stock`` is its total quantity (what price_quantity/update
sets) and ``reserved`` what open orders withhold or occupy. A buyer's order holds one unit per order
item: withheld while unpaid, occupied once paid.
"""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.harness import HarnessBase, SandboxHarness, SellableUnit
from aiostore.sandbox.lazada.models import Sku
from aiostore.sandbox.lazada.state import LazadaSandbox

# Unified status -> Lazada order item status (lazada-tokopedia.md §A5).
_STATUS = {
    "unpaid": "unpaid",
    "to_ship": "pending",
    "shipped": "shipped",
    "completed": "delivered",
    "cancelled": "canceled",
    "returned": "returned",
}


class LazadaHarness(HarnessBase[LazadaSandbox]):
    platform = "lazada"

    def __init__(self, sandbox: LazadaSandbox) -> None:
        super().__init__(sandbox)
        seller, app = sandbox.seller(), sandbox.app()
        self.shop_id = seller.seller_id
        self.app_key = app.app_key
        self.app_secret = app.app_secret
        self.market = seller.country
        granted = sandbox.grant_access_token(seller.seller_id, app_key=app.app_key)
        self.access_token, self.refresh_token = granted.access_token, granted.refresh_token

    def units(self) -> list[SellableUnit]:
        return [
            SellableUnit(str(p.item_id), str(s.sku_id), s.seller_sku, s.quantity, s.reserved)
            for p in sorted(self.sandbox.catalog.of_seller(self.shop_id), key=lambda p: p.item_id)
            for s in sorted(p.skus.values(), key=lambda s: s.sku_id)
        ]

    def _sku(self, item_id: str, variant_id: str) -> Sku:
        product = self.sandbox.product(int(item_id))
        sku = product.skus.get(int(variant_id))
        if sku is None:
            raise KeyError(f"no SKU {variant_id} on product {item_id}")
        return sku

    def unit(self, item_id: str, variant_id: str) -> SellableUnit:
        sku = self._sku(item_id, variant_id)
        return SellableUnit(item_id, variant_id, sku.seller_sku, sku.quantity, sku.reserved)

    def set_unit(
        self,
        item_id: str,
        variant_id: str,
        *,
        sku: str | None = None,
        stock: int | None = None,
        price: int | None = None,
    ) -> None:
        found = self._sku(item_id, variant_id)
        if sku is not None:
            self.sandbox.catalog.rename_sku(self.sandbox.product(int(item_id)), found, sku)
        if stock is not None:
            found.quantity = stock
        if price is not None:
            found.price = price

    def price_of(self, item_id: str, variant_id: str) -> int:
        return self._sku(item_id, variant_id).price

    def place_order(self, lines: list[tuple[str, str, int]], *, paid: bool = True) -> str:
        order = self.sandbox.place_order([(int(i), int(v), q) for i, v, q in lines], paid=paid)
        return str(order.order_id)

    def set_order_status(self, order_id: str, status: str) -> None:
        self.sandbox.set_order_status(int(order_id), _STATUS[status], force=True)

    def push_to(self, url: str | None) -> None:
        self.sandbox.app().push_url = url

    def expire_access_tokens(self) -> None:
        self.sandbox.expire_access_tokens(self.shop_id)


def harness(app: Starlette) -> SandboxHarness:
    return LazadaHarness(app.state.sandbox)
