"""The sandbox's product catalogue and its rules (shopee-tiktokshop.md §B4 product rows, §B9 money).

Products sit in a dict plus, per shop, the list of their ids in ascending order (ids grow), so a page of
Search Products is a bisect and a scan of the page: O(page) for an unfiltered listing (a time filter
scans). ``total_count`` of an unfiltered listing comes from per-status counters, not a scan.
Updates follow the documented limits: one product per call, every SKU of it, quantities 0-99999, prices
as decimal strings with the currency's decimals.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.tiktokshop.models import Product, Shop, Sku

PRODUCT_ID_BASE = 1_729_380_000_000_000_000
SKU_ID_BASE = 1_729_590_000_000_000_000
MAX_QUANTITY = 99_999
SKU_NOT_IN_PRODUCT = 12052231
WAREHOUSE_NOT_IN_SHOP = 12052232


@dataclass(frozen=True, slots=True)
class SkuFailure:
    sku_id: str
    code: int
    message: str
    warehouse_id: str = ""


def parse_amount(value: object, exponent: int) -> int:
    """A TikTok amount (decimal string in major units) -> minor units; ValueError when malformed."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("amount must be a decimal string")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError("amount must be a decimal string") from exc
    if not amount.is_finite():
        raise ValueError("amount must be finite")
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"at most {exponent} decimal places")
    return int(scaled)


def format_amount(minor: int, exponent: int) -> str:
    """Minor units -> ``"150000"`` (IDR) or ``"12.90"`` (SGD/MYR)."""
    return str(Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)))


class Catalog:
    def __init__(self) -> None:
        self.products: dict[str, Product] = {}
        self.sku_owner: dict[str, str] = {}  # sku id -> product id
        self._ids: dict[str, list[str]] = {}  # shop -> product ids, ascending
        self._status_counts: dict[str, Counter[str]] = {}
        self._last_product = PRODUCT_ID_BASE
        self._last_sku = SKU_ID_BASE

    def new_product_id(self) -> str:
        self._last_product += 1
        return str(self._last_product)

    def new_sku_id(self) -> str:
        self._last_sku += 1
        return str(self._last_sku)

    # ------------------------------------------------------------ storage and lookups

    def add(self, product: Product) -> None:
        if product.product_id in self.products:
            raise SandboxError(f"product {product.product_id} exists")
        self.products[product.product_id] = product
        ids = self._ids.setdefault(product.shop_id, [])
        if ids and ids[-1] >= product.product_id:
            raise SandboxError("product ids must grow")
        ids.append(product.product_id)
        self._status_counts.setdefault(product.shop_id, Counter())[product.status] += 1
        for sku_id in product.skus:
            self.sku_owner[sku_id] = product.product_id

    def get(self, shop_id: str, product_id: str) -> Product | None:
        product = self.products.get(product_id)
        return product if product is not None and product.shop_id == shop_id else None

    def count(self, shop_id: str) -> int:
        return len(self._ids.get(shop_id, ()))

    def of_shop(self, shop_id: str) -> Iterator[Product]:
        return (self.products[i] for i in self._ids.get(shop_id, ()))

    def set_status(self, product: Product, status: str, now: int) -> None:
        counts = self._status_counts[product.shop_id]
        counts[product.status] -= 1
        counts[status] += 1
        product.status = status
        product.update_time = now

    def search(
        self,
        shop_id: str,
        *,
        status: str | None,
        after: str | None,
        limit: int,
        now: int,
        update_range: tuple[int | None, int | None] = (None, None),
        create_range: tuple[int | None, int | None] = (None, None),
        seller_skus: frozenset[str] = frozenset(),
    ) -> tuple[list[Product], int, bool]:
        """Products by ascending id after ``after``: (page, total_count, more). ``status`` None or "ALL":
        every status but DELETED."""
        ids = self._ids.get(shop_id, [])
        filtered = update_range != (None, None) or create_range != (None, None) or bool(seller_skus)

        def matches(product: Product) -> bool:
            shown = product.status
            if status in (None, "ALL") and shown == "DELETED":
                return False
            if status not in (None, "ALL") and shown != status:
                return False
            for (low, high), stamp in (
                (update_range, product.update_time),
                (create_range, product.create_time),
            ):
                if (low is not None and stamp < low) or (high is not None and stamp > high):
                    return False
            return not seller_skus or any(s.seller_sku in seller_skus for s in product.skus.values())

        start = bisect_right(ids, after) if after else 0
        page: list[Product] = []
        more = False
        for product_id in ids[start:]:
            product = self.products[product_id]
            if matches(product):
                if len(page) == limit:
                    more = True
                    break
                page.append(product)
        if not filtered and status in (None, "ALL"):
            counts = self._status_counts.get(shop_id, Counter())
            total = sum(counts.values()) - counts["DELETED"]
        else:
            total = sum(1 for i in ids if matches(self.products[i]))
        return page, total, more

    # ------------------------------------------------------------ inventory and prices

    def update_inventory(
        self,
        shop: Shop,
        product: Product,
        entries: list[tuple[str, list[tuple[str | None, int]]]],
        now: int,
        locked: Callable[[str], bool] = lambda sku_id: False,
    ) -> list[SkuFailure]:
        """(sku_id, [(warehouse_id, quantity)]) set each SKU's available quantity; failures per SKU.
        A SKU whose stock a promotion locks (`locked`) counts as done and is left as it was."""
        failures: list[SkuFailure] = []
        changed = False
        for sku_id, inventory in entries:
            sku = product.skus.get(sku_id)
            if sku is None:
                message = f"The SKU {sku_id} does not belong to the product {product.product_id}."
                failures.append(SkuFailure(sku_id, SKU_NOT_IN_PRODUCT, message))
                continue
            wrong = next((w for w, _ in inventory if w not in (None, "", shop.warehouse_id)), None)
            if wrong is not None:
                message = f"The warehouse {wrong} is not a warehouse of this shop."
                failures.append(SkuFailure(sku_id, WAREHOUSE_NOT_IN_SHOP, message, wrong))
                continue
            if not locked(sku_id):
                sku.quantity = inventory[-1][1]
                changed = True
        if changed:
            product.update_time = now
        return failures

    def update_prices(
        self, shop: Shop, product: Product, entries: list[tuple[str, int]], now: int
    ) -> list[SkuFailure]:
        """(sku_id, minor) set each SKU's price; failures per SKU."""
        failures: list[SkuFailure] = []
        for sku_id, minor in entries:
            sku = product.skus.get(sku_id)
            if sku is None:
                message = f"The SKU {sku_id} does not belong to the product {product.product_id}."
                failures.append(SkuFailure(sku_id, SKU_NOT_IN_PRODUCT, message))
                continue
            sku.price = minor
        if len(failures) < len(entries):
            product.update_time = now
        return failures

    def new_sku(
        self, seller_sku: str, price: int, quantity: int, attributes: list[tuple[str, str]] | None = None
    ) -> Sku:
        return Sku(self.new_sku_id(), seller_sku, price, quantity, 0, list(attributes or ()))
