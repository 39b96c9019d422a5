"""The sandbox's products and their rules (lazada-tokopedia.md §B4 product rows).

Per shop, the ids of listed (not deleted) products are kept sorted: a page of the listing is a slice, or,
past ``last_sort``, a bisect. Stock and price updates take rows naming a ``sku`` (which wins) or a
``product_id``; a row that cannot be applied is a failed row inside the 200 answer, never an error of the
whole call. A parent's stock and price are its variants': the rows must name the variants.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Iterator
from typing import Any

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.tokopedia.models import Product

PRODUCT_ID_BASE = 15_000_000
MAX_STOCK = 999_999
MIN_PRICE, MAX_PRICE = 100, 100_000_000
SKU_MAX = 50


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Catalog:
    def __init__(self) -> None:
        self.products: dict[int, Product] = {}
        self._listed: dict[int, list[int]] = {}
        self._by_sku: dict[int, dict[str, int]] = {}
        self._last_id = PRODUCT_ID_BASE

    def new_id(self) -> int:
        self._last_id += 1
        return self._last_id

    # ------------------------------------------------------------ storage and lookups

    def add(self, product: Product) -> None:
        if product.product_id in self.products:
            raise SandboxError(f"product {product.product_id} exists")
        self.products[product.product_id] = product
        ids = self._listed.setdefault(product.shop_id, [])
        if not ids or ids[-1] < product.product_id:
            ids.append(product.product_id)
        else:
            insort(ids, product.product_id)
        if product.sku and not product.is_parent:
            self._by_sku.setdefault(product.shop_id, {})[product.sku] = product.product_id

    def get(self, shop_id: int, product_id: int) -> Product | None:
        product = self.products.get(product_id)
        return product if product is not None and product.shop_id == shop_id and product.status != 0 else None

    def by_sku(self, shop_id: int, sku: str) -> Product | None:
        pid = self._by_sku.get(shop_id, {}).get(sku)
        return self.get(shop_id, pid) if pid is not None else None

    def set_sku(self, product: Product, sku: str) -> None:
        index = self._by_sku.setdefault(product.shop_id, {})
        if index.get(product.sku) == product.product_id:
            del index[product.sku]
        product.sku = sku
        if sku and not product.is_parent:
            index[sku] = product.product_id

    def count(self, shop_id: int) -> int:
        return len(self._listed.get(shop_id, ()))

    def page(self, shop_id: int, page: int, per_page: int, after: int | None = None) -> list[Product]:
        """Listed products by ascending id: page ``page``, or the ``per_page`` after id ``after``."""
        ids = self._listed.get(shop_id, [])
        start = bisect_right(ids, after) if after is not None else (page - 1) * per_page
        return [self.products[i] for i in ids[start : start + per_page]]

    def sellable(self, shop_id: int) -> Iterator[Product]:
        """Products a buyer can put in a cart: variants and products without variants, by id."""
        for pid in self._listed.get(shop_id, ()):
            product = self.products[pid]
            if not product.is_parent:
                yield product

    def variants(self, product: Product) -> list[Product]:
        return [self.products[c] for c in product.children if c in self.products]

    def parent_totals(self, product: Product) -> tuple[int, int]:
        """(lowest price, total stock) of a parent's variants."""
        kids = [k for k in self.variants(product) if k.status != 0]
        if not kids:
            return product.price, product.stock
        return min(k.price for k in kids), sum(k.stock for k in kids)

    # ------------------------------------------------------------ stock and price updates

    def _target(self, shop_id: int, row: dict[str, Any]) -> tuple[Product | None, str]:
        sku = row.get("sku")
        if isinstance(sku, str) and sku:
            if len(sku) > SKU_MAX:
                return None, f"SKU is longer than {SKU_MAX} characters."
            found = self.by_sku(shop_id, sku)
            return found, "" if found else "Invalid SKU."
        pid = _int(row.get("product_id"))
        found = self.get(shop_id, pid) if pid is not None else None
        return found, "" if found else "Invalid Product ID."

    def _update(
        self,
        shop_id: int,
        rows: list[dict[str, Any]],
        key: str,
        now: int,
        locked: Callable[[int], bool] = lambda product_id: False,
    ) -> tuple[int, list[dict[str, Any]]]:
        succeeded, failed = 0, []
        for row in rows:
            product, problem = self._target(shop_id, row)
            value = _int(row.get(key))
            if product is not None and product.is_parent:
                problem = "Product has variants: update its variant products."
            elif product is not None and value is None:
                problem = f"Invalid {key}."
            elif product is not None and value is not None and not locked(product.product_id):
                problem = self._apply(product, key, value, now)
            if problem:
                failed.append(
                    {
                        "product_id": row.get("product_id") or (product.product_id if product else 0),
                        "sku": row.get("sku") or "",
                        "product_url": "",
                        key: row.get(key),
                        "message": problem,
                    }
                )
            else:
                succeeded += 1
        return succeeded, failed

    @staticmethod
    def _apply(product: Product, key: str, value: int, now: int) -> str:
        if key == "new_stock":
            if not 0 <= value <= MAX_STOCK:
                return f"Stock must be between 0 and {MAX_STOCK}."
            product.stock = value
        else:
            if not MIN_PRICE <= value <= MAX_PRICE:
                return f"Price must be between {MIN_PRICE} and {MAX_PRICE}."
            product.price = value
            product.price_time = now
        product.update_time = now
        return ""

    def update_stock(
        self,
        shop_id: int,
        rows: list[dict[str, Any]],
        now: int,
        locked: Callable[[int], bool] = lambda product_id: False,
    ) -> tuple[int, list[dict[str, Any]]]:
        """Set stocks; a product whose stock a promotion locks (`locked`) succeeds and keeps its stock."""
        return self._update(shop_id, rows, "new_stock", now, locked)

    def update_price(
        self, shop_id: int, rows: list[dict[str, Any]], now: int
    ) -> tuple[int, list[dict[str, Any]]]:
        return self._update(shop_id, rows, "new_price", now)
