"""The TikTok Shop sandbox as a ``SandboxHarness`` (sandbox/common/harness.py).

A unit's ``stock`` is the SKU's available quantity (what Update Inventory sets and Search Products shows);
TikTok takes sold units out of it when the order is placed, so ``reserved`` is 0 and
``stock - reserved`` is what is still for sale. Unified statuses become TikTok's own (§B5); ``returned``
records a completed return-and-refund of the whole order (TikTok has no RETURNED order status).
"""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.harness import HarnessBase, SandboxHarness, SellableUnit
from aiostore.sandbox.tiktokshop.state import TikTokShopSandbox

_STATUS = {
    "unpaid": "UNPAID",
    "to_ship": "AWAITING_SHIPMENT",
    "shipped": "IN_TRANSIT",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
}


class TikTokShopHarness(HarnessBase[TikTokShopSandbox]):
    platform = "tiktokshop"

    def __init__(self, sandbox: TikTokShopSandbox) -> None:
        super().__init__(sandbox)
        shop = sandbox.shop()
        self.shop_id = shop.shop_id
        self.shop_cipher = shop.cipher
        self.app_key = sandbox.app.app_key
        self.app_secret = sandbox.app.app_secret
        self.market = shop.region
        granted = sandbox.grant_access_token()
        self.access_token, self.refresh_token = granted.access_token, granted.refresh_token

    def seed(self, products: int, orders: int = 0, *, variants_per_product: int = 3, seed: int = 1) -> None:
        super().seed(products, orders, variants_per_product=max(variants_per_product, 1), seed=seed)

    def units(self) -> list[SellableUnit]:
        return [
            SellableUnit(p.product_id, s.sku_id, s.seller_sku, s.quantity, 0)
            for p in self.sandbox.catalog.of_shop(self.shop_id)
            for s in p.skus.values()
        ]

    def unit(self, item_id: str, variant_id: str) -> SellableUnit:
        sku = self.sandbox.product(item_id).skus.get(variant_id)
        if sku is None:
            raise KeyError(f"no SKU {variant_id} on product {item_id}")
        return SellableUnit(item_id, variant_id, sku.seller_sku, sku.quantity, 0)

    def set_unit(
        self,
        item_id: str,
        variant_id: str,
        *,
        sku: str | None = None,
        stock: int | None = None,
        price: int | None = None,
    ) -> None:
        found = self.sandbox.product(item_id).skus.get(variant_id)
        if found is None:
            raise KeyError(f"no SKU {variant_id} on product {item_id}")
        if sku is not None:
            found.seller_sku = sku
        if stock is not None:
            found.quantity = stock
        if price is not None:
            found.price = price

    def price_of(self, item_id: str, variant_id: str) -> int:
        found = self.sandbox.product(item_id).skus.get(variant_id)
        if found is None:
            raise KeyError(f"no SKU {variant_id} on product {item_id}")
        return found.price

    def place_order(self, lines: list[tuple[str, str, int]], *, paid: bool = True) -> str:
        order = self.sandbox.place_order(list(lines), status="AWAITING_SHIPMENT" if paid else "UNPAID")
        return order.order_id

    def set_order_status(self, order_id: str, status: str) -> None:
        if status == "returned":
            self.sandbox.return_order(order_id)
        else:
            self.sandbox.set_order_status(order_id, _STATUS[status], force=True)

    def push_to(self, url: str | None) -> None:
        self.sandbox.app.push_url = url

    def expire_access_tokens(self) -> None:
        self.sandbox.expire_access_tokens()


def harness(app: Starlette) -> SandboxHarness:
    return TikTokShopHarness(app.state.sandbox)
