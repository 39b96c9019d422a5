"""The sandbox's product catalogue (lazada-tokopedia.md §A4 product rows, §A9 money).

Products sit in a dict plus, per seller, a list of (created_ms, item_id) kept sorted: /products/get pages
run oldest created first. A page without filters costs O(offset + page); a time or status filter scans the
seller's products. SKUs are indexed by id and by seller SKU (unique per seller, case-insensitive).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.lazada.models import Product, Sku

ITEM_ID_BASE = 2_800_000_000
SKU_ID_BASE = 13_400_000_000
FILTERS = frozenset(
    {"all", "live", "inactive", "deleted", "image-missing", "pending", "rejected", "sold-out"}
)


@dataclass(frozen=True, slots=True)
class TimeFilter:
    created_after: int | None = None  # epoch ms, inclusive
    created_before: int | None = None
    updated_after: int | None = None
    updated_before: int | None = None

    @property
    def empty(self) -> bool:
        return all(
            v is None
            for v in (self.created_after, self.created_before, self.updated_after, self.updated_before)
        )

    def keeps(self, product: Product) -> bool:
        c, u = product.created_ms, product.updated_ms
        return (
            (self.created_after is None or c >= self.created_after)
            and (self.created_before is None or c <= self.created_before)
            and (self.updated_after is None or u >= self.updated_after)
            and (self.updated_before is None or u <= self.updated_before)
        )


def matches(product: Product, name: str) -> bool:
    status = product.status.lower()
    if name == "all":
        return status != "deleted"
    if name == "live":
        return status == "active"
    if name == "sold-out":
        return status != "deleted" and all(s.sellable == 0 for s in product.skus.values())
    if name == "image-missing":
        return status != "deleted" and not product.images
    return status == {"pending": "pending qc"}.get(name, name)


class Catalog:
    def __init__(self) -> None:
        self.products: dict[int, Product] = {}
        self.sku_owner: dict[int, int] = {}  # sku_id -> item_id
        self._by_seller: dict[str, list[tuple[int, int]]] = {}
        self._seller_skus: dict[tuple[str, str], int] = {}  # (seller_id, seller sku lowercased) -> sku_id
        self._deleted: dict[str, int] = {}  # seller_id -> deleted products
        self._last_item_id = ITEM_ID_BASE
        self._last_sku_id = SKU_ID_BASE

    def new_item_id(self) -> int:
        self._last_item_id += 1
        return self._last_item_id

    def new_sku_id(self) -> int:
        self._last_sku_id += 1
        return self._last_sku_id

    # ------------------------------------------------------------ storage and lookups

    def add(self, product: Product) -> None:
        if product.item_id in self.products:
            raise SandboxError(f"product {product.item_id} exists")
        for sku in product.skus.values():
            if self.sku_by_seller_sku(product.seller_id, sku.seller_sku) is not None:
                raise SandboxError(f"seller SKU {sku.seller_sku} exists")
        self.products[product.item_id] = product
        if product.status.lower() == "deleted":
            self._deleted[product.seller_id] = self._deleted.get(product.seller_id, 0) + 1
        keys = self._by_seller.setdefault(product.seller_id, [])
        key = (product.created_ms, product.item_id)
        if not keys or keys[-1] < key:
            keys.append(key)
        else:
            insort(keys, key)
        for sku in product.skus.values():
            self.index_sku(product, sku)

    def index_sku(self, product: Product, sku: Sku) -> None:
        self.sku_owner[sku.sku_id] = product.item_id
        if sku.seller_sku:
            self._seller_skus[product.seller_id, sku.seller_sku.lower()] = sku.sku_id

    def remove_sku(self, product: Product, sku: Sku) -> None:
        self._seller_skus.pop((product.seller_id, sku.seller_sku.lower()), None)
        self.sku_owner.pop(sku.sku_id, None)
        del product.skus[sku.sku_id]

    def rename_sku(self, product: Product, sku: Sku, seller_sku: str) -> None:
        self._seller_skus.pop((product.seller_id, sku.seller_sku.lower()), None)
        sku.seller_sku = seller_sku
        self.index_sku(product, sku)

    def get(self, seller_id: str, item_id: int) -> Product | None:
        product = self.products.get(item_id)
        return product if product is not None and product.seller_id == seller_id else None

    def sku_by_seller_sku(self, seller_id: str, seller_sku: str) -> tuple[Product, Sku] | None:
        sku_id = self._seller_skus.get((seller_id, seller_sku.lower()))
        return self.sku(seller_id, sku_id) if sku_id is not None else None

    def sku(self, seller_id: str, sku_id: int) -> tuple[Product, Sku] | None:
        item_id = self.sku_owner.get(sku_id)
        product = self.get(seller_id, item_id) if item_id is not None else None
        if product is None or sku_id not in product.skus:
            return None
        return product, product.skus[sku_id]

    def count(self, seller_id: str) -> int:
        return len(self._by_seller.get(seller_id, ()))

    def of_seller(self, seller_id: str) -> Iterator[Product]:
        return (self.products[item_id] for _, item_id in self._by_seller.get(seller_id, ()))

    def set_status(self, product: Product, status: str) -> None:
        was, now = product.status.lower() == "deleted", status.lower() == "deleted"
        if was != now:
            self._deleted[product.seller_id] = self._deleted.get(product.seller_id, 0) + (1 if now else -1)
        product.status = status

    def page(
        self, seller_id: str, name: str, offset: int, limit: int, times: TimeFilter
    ) -> tuple[list[Product], int]:
        """Products of ``seller_id`` matching the filter, oldest created first: (page, total)."""
        if name == "all" and times.empty and not self._deleted.get(seller_id):
            keys = self._by_seller.get(seller_id, [])
            return [self.products[i] for _, i in keys[offset : offset + limit]], len(keys)
        found = [p for p in self.of_seller(seller_id) if matches(p, name) and times.keeps(p)]
        return list(islice(found, offset, offset + limit)), len(found)
