"""Reading a shop's listings back within a read budget, through the connector's own batched reads.

`get_products` reads in the platform's largest batches (Shopee 50 items a call plus each item's models,
Tokopedia 50 products, Lazada 50 products a call by their seller SKUs when the caller gives them (else
one a call), TikTok Shop one product a call, several in flight), through the shop's shared quota
(http/quota.py), like every other call. Lazada's read by SKU reads by id what its SKU did not bring back,
so its chunk too costs at most n + 1 calls. A chunk of n items costs at most n + 2
calls on every platform (one batch call, one per product where variants or products are read one at a
time, one for the children a parent names), so a chunk is sent only when that many calls are left:
the calls a run spends never exceed its budget (retries of failed calls aside, which the quota paces).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiostore.connectors.base import MarketplaceConnector
from aiostore.connectors.dtos import ProductDTO, VariantDTO
from aiostore.domain.money import Money

Key = tuple[str, str]  # (platform item id, platform model id or "0"), as listings hold them
PER_CHUNK_EXTRA = 2  # calls a chunk may cost beyond one per item


@dataclass(frozen=True, slots=True)
class Shown:
    """What the platform shows for one listing."""

    stock: int | None
    price: Money | None
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class Read:
    shown: dict[Key, Shown]
    items: list[str]  # the item ids read, in the order asked
    calls: int


def key_of(product: ProductDTO, variant: VariantDTO) -> Key:
    """The listing key a pull gives this variant (services/sync/pull._listing_rows)."""
    return variant.item_id or product.item_id, variant.variant_id or "0"


def shown_of(products: Sequence[ProductDTO]) -> dict[Key, Shown]:
    return {
        key_of(p, v): Shown(v.stock, v.price, p.name, v.status.value) for p in products for v in p.variants
    }


async def read_within(
    connector: MarketplaceConnector,
    item_ids: Sequence[str],
    budget: int,
    skus: Mapping[str, str] | None = None,
) -> Read:
    """Read these items, in order, while the budget (platform calls) allows; what was read. `skus`:
    item id → one seller SKU of it, for a platform that reads more products a call by SKU."""
    limits = connector.limits
    by_sku = limits.sku_read_batch if skus else 0
    chunk_size = max(limits.product_detail_batch, limits.concurrency, by_sku, 1)
    start = connector.api_calls
    shown: dict[Key, Shown] = {}
    done: list[str] = []
    wanted = list(dict.fromkeys(item_ids))
    while len(done) < len(wanted):
        left = budget - (connector.api_calls - start)
        size = min(chunk_size, left - PER_CHUNK_EXTRA, len(wanted) - len(done))
        if size < 1:
            break
        chunk = wanted[len(done) : len(done) + size]
        shown |= shown_of(await connector.get_products(chunk, skus))
        done.extend(chunk)
    return Read(shown, done, connector.api_calls - start)
