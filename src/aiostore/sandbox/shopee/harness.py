"""The Shopee sandbox as a `SandboxHarness` (sandbox/common/harness.py)."""

from __future__ import annotations

from starlette.applications import Starlette

from aiostore.sandbox.common.harness import HarnessBase, SandboxHarness, SellableUnit
from aiostore.sandbox.shopee.state import ShopeeSandbox

# Unified status -> Shopee order_status (shopee-tiktokshop.md §A5).
_STATUS = {
    "unpaid": "UNPAID",
    "to_ship": "READY_TO_SHIP",
    "shipped": "SHIPPED",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
    "returned": "TO_RETURN",
}


class ShopeeHarness(HarnessBase[ShopeeSandbox]):
    platform = "shopee"

    def __init__(self, sandbox: ShopeeSandbox) -> None:
        super().__init__(sandbox)
        shop = sandbox.shop()
        partner = sandbox.partner()
        self.shop_id = str(shop.shop_id)
        self.app_key = str(partner.partner_id)
        self.app_secret = partner.partner_key
        self.market = shop.region
        granted = sandbox.grant_access_token(shop.shop_id, partner_id=partner.partner_id)
        self.access_token, self.refresh_token = granted.access_token, granted.refresh_token

    def units(self) -> list[SellableUnit]:
        shop_id = int(self.shop_id)
        out: list[SellableUnit] = []
        for item in sorted(self.sandbox.catalog.items.values(), key=lambda i: i.item_id):
            if item.shop_id != shop_id:
                continue
            if item.has_model:
                for model in sorted(item.models.values(), key=lambda m: m.model_id):
                    out.append(
                        SellableUnit(
                            str(item.item_id),
                            str(model.model_id),
                            model.model_sku,
                            model.stock,
                            model.reserved,
                        )
                    )
            else:
                out.append(SellableUnit(str(item.item_id), "0", item.item_sku, item.stock, item.reserved))
        return out

    def unit(self, item_id: str, variant_id: str) -> SellableUnit:
        item = self.sandbox.item(int(item_id))
        holder = self.sandbox.catalog.holder(item, int(variant_id))
        if holder is None:
            raise KeyError(f"no variant {variant_id} on item {item_id}")
        sku = getattr(holder, "model_sku", None) or item.item_sku
        return SellableUnit(item_id, variant_id, sku, holder.stock, holder.reserved)

    def set_unit(
        self,
        item_id: str,
        variant_id: str,
        *,
        sku: str | None = None,
        stock: int | None = None,
        price: int | None = None,
    ) -> None:
        item = self.sandbox.item(int(item_id))
        holder = self.sandbox.catalog.holder(item, int(variant_id))
        if holder is None:
            raise KeyError(f"no variant {variant_id} on item {item_id}")
        if sku is not None:
            if item.has_model:
                holder.model_sku = sku  # type: ignore[union-attr]
            else:
                item.item_sku = sku
        if stock is not None:
            holder.stock = stock
        if price is not None:
            holder.price = price

    def price_of(self, item_id: str, variant_id: str) -> int:
        holder = self.sandbox.catalog.holder(self.sandbox.item(int(item_id)), int(variant_id))
        if holder is None:
            raise KeyError(f"no variant {variant_id} on item {item_id}")
        return holder.price

    def place_order(self, lines: list[tuple[str, str, int]], *, paid: bool = True) -> str:
        order = self.sandbox.place_order(
            [(int(i), int(v), q) for i, v, q in lines], status="READY_TO_SHIP" if paid else "UNPAID"
        )
        return order.order_sn

    def set_order_status(self, order_id: str, status: str) -> None:
        self.sandbox.set_order_status(order_id, _STATUS[status], force=True)

    def push_to(self, url: str | None) -> None:
        self.sandbox.partner().push_url = url

    def expire_access_tokens(self) -> None:
        self.sandbox.expire_access_tokens(int(self.shop_id))


def harness(app: Starlette) -> SandboxHarness:
    return ShopeeHarness(app.state.sandbox)
