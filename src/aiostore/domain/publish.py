"""Publishing a master product to a shop: the listing state we want there, the state last read from the
platform, the field-level difference, the action it calls for, and the calls a shop's commit needs.

Pure (no I/O). A state is a plain JSON-able dict (it is frozen into change-set items as it is):

    title, description, brand, category: str | None
    images: [url, ...]
    attributes: [{"attribute_id", "value_ids", "texts", "unit"}, ...] (sorted by attribute_id)
    status: "active" | "inactive"
    variants: {sku: [option value, ...]}
    price: {sku: "12.90"} (major units, written with the currency's decimals)
    stock: {sku: units}

A state read from the platform may lack a field (a pull does not read a listing's attributes): a field we
have never read nor sent is not compared; the first publish that sends it records it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

State = dict[str, Any]
FIELDS = (
    "title",
    "description",
    "images",
    "attributes",
    "category",
    "brand",
    "variants",
    "price",
    "stock",
    "status",
)
STRUCTURE = frozenset({"images", "attributes", "category", "brand", "variants"})
CONTENT = frozenset({"title", "description", "status"}) | STRUCTURE  # what a product update sends
# What a platform's product update cannot change (the preview warns `publish.not_sent`), by platform;
# a platform not named here sends every field of CONTENT.
NOT_UPDATABLE: Mapping[str, frozenset[str]] = {
    # Tokopedia's product API takes no attributes or brand (its create neither), and a variant is a
    # product of its own: adding or changing one is not an edit of the listing
    "tokopedia": frozenset({"attributes", "brand", "variants"}),
}


def not_updatable(platform: str) -> frozenset[str]:
    return NOT_UPDATABLE.get(platform, frozenset())


CREATE, UPDATE, UNCHANGED, UNLIST = "create", "update", "unchanged", "unlist"
ACTIVE, INACTIVE = "active", "inactive"


@dataclass(frozen=True, slots=True)
class VariantIn:
    sku: str
    options: tuple[str, ...]
    price: str | None  # major units in the shop's currency (override applied), None: no price there
    stock: int  # available to sell from the pool


@dataclass(frozen=True, slots=True)
class ProductIn:
    title: str
    description: str
    images: tuple[str, ...]
    status: str  # the master product's status ("active" publishes; anything else unlists)
    brand: str | None = None


@dataclass(frozen=True, slots=True)
class MappingIn:
    """The product's category and attribute values on the shop's platform and market."""

    category_id: str
    brand_id: str | None
    attributes: tuple[Mapping[str, Any], ...]


@lru_cache(maxsize=65_536)  # a catalog repeats its prices: 100,000 listings hold a few thousand
def price_text(value: str | Decimal | None, exponent: int) -> str | None:
    """A price in major units, written with exactly the currency's decimals ("12.9" → "12.90")."""
    if value is None or value == "":
        return None
    return f"{Decimal(str(value)):.{exponent}f}"


def _attributes(values: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not values:
        return []
    out = [
        {
            "attribute_id": str(v.get("attribute_id", "")),
            "value_ids": [str(x) for x in v.get("value_ids") or ()],
            "texts": [str(x) for x in v.get("texts") or ()],
            "unit": str(v.get("unit") or ""),
        }
        for v in values
    ]
    return sorted(out, key=lambda a: a["attribute_id"])


def desired_state(
    product: ProductIn,
    variants: Sequence[VariantIn],
    mapping: MappingIn | None,
    overrides: Mapping[str, Any],
) -> State:
    """What the listing should be on one shop: the master product, its mapping on that platform and the
    listing's overrides (title, description, images; prices are already per variant in `variants`)."""
    images = overrides.get("images")
    return {
        "title": str(overrides.get("title") or product.title),
        "description": str(overrides.get("description") or product.description),
        "images": [str(i) for i in images] if isinstance(images, list) and images else list(product.images),
        "attributes": _attributes(mapping.attributes) if mapping else [],
        "category": mapping.category_id if mapping else None,
        "brand": mapping.brand_id if mapping else None,
        "status": ACTIVE if product.status == ACTIVE else INACTIVE,
        "variants": tiers_of({v.sku: v.options for v in variants}),
        "price": {v.sku: v.price for v in variants},
        "stock": {v.sku: v.stock for v in variants},
    }


def tiers_of(options: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each SKU's option values as the platform holds them: none for a product of one variant. It is
    created without tiers and a pull reads none, so its own values (a size) are never a change to send
    (they were, after every pull: a "variants" update that Shopee's mapping could not even build)."""
    return {sku: list(values) if len(options) > 1 else [] for sku, values in options.items()}


def diff(old: State | None, new: State) -> dict[str, dict[str, Any]]:
    """Each field whose value differs, old → new. Against nothing (a create), every field; a field the
    old state lacks (never read nor sent) is not compared."""
    if old is None:
        return {f: {"old": None, "new": new[f]} for f in FIELDS}
    return {f: {"old": old[f], "new": new[f]} for f in FIELDS if f in old and old[f] != new[f]}


def apply(old: State | None, changes: Mapping[str, Mapping[str, Any]]) -> State:
    """The state after a diff is applied to `old` (what the platform holds once a commit succeeded)."""
    state = dict(old or {})
    for name, change in changes.items():
        state[name] = change["new"]
    return state


def action(old: State | None, new: State, changes: Mapping[str, Any]) -> str:
    if old is None:
        return CREATE if new["status"] == ACTIVE else UNCHANGED
    if new["status"] == INACTIVE and old.get("status", ACTIVE) == ACTIVE:
        return UNLIST
    if new["status"] == INACTIVE:
        return UNCHANGED  # not on sale there, and not to be: nothing to send
    return UPDATE if changes else UNCHANGED


def changed_skus(changes: Mapping[str, Mapping[str, Any]], name: str) -> list[str]:
    """The SKUs whose `name` ("price" or "stock") changes (new variants included)."""
    change = changes.get(name)
    if change is None:
        return []
    old, new = change["old"] or {}, change["new"] or {}
    return sorted(sku for sku, value in new.items() if old.get(sku) != value)


# -- the calls a shop's commit makes ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchLimit:
    """How many variants one call may carry, and how many distinct products (None: any)."""

    batch: int
    items_per_call: int | None


@dataclass(frozen=True, slots=True)
class ItemCalls:
    """What one item needs sent: a create, a product update, and the variants whose price or stock moves."""

    create: bool = False
    update: bool = False
    prices: int = 0
    stock: int = 0


def item_calls(kind: str, changes: Mapping[str, Mapping[str, Any]], platform: str = "") -> ItemCalls:
    """The calls of one item; a product update counts as one call (variant edits ride with it)."""
    if kind == CREATE:
        return ItemCalls(create=True)
    if kind == UNLIST:
        return ItemCalls(update=True)
    if kind != UPDATE:
        return ItemCalls()
    return ItemCalls(
        update=bool((CONTENT - not_updatable(platform)) & changes.keys()),
        prices=len(changed_skus(changes, "price")),
        stock=len(changed_skus(changes, "stock")),
    )


def batch_calls(per_product: Sequence[int], limit: BatchLimit) -> int:
    """Calls to send these products' variants (one count per product), packed greedily into calls of at
    most `batch` variants and `items_per_call` products; a product larger than a call spans several."""
    calls, room, products = 0, 0, 0
    for count in per_product:
        left = count
        while left > 0:
            if room == 0 or (limit.items_per_call is not None and products >= limit.items_per_call):
                calls, room, products = calls + 1, limit.batch, 0
            take = min(room, left)
            left -= take
            room -= take
            products += 1
    return calls


def min_batch_calls(per_product: Sequence[int], limit: BatchLimit) -> int:
    """The fewest calls the limits allow for these variants (a lower bound, computed independently)."""
    total = sum(per_product)
    if total == 0:
        return 0
    by_size = -(-total // limit.batch)
    if limit.items_per_call is None:
        return by_size
    if limit.items_per_call == 1:
        return sum(-(-n // limit.batch) for n in per_product)
    return max(by_size, -(-sum(1 for n in per_product if n) // limit.items_per_call))


def plan(
    items: Iterable[ItemCalls], price: BatchLimit, stock: BatchLimit, images: int = 0, image_batch: int = 1
) -> dict[str, int]:
    """The calls one shop's commit makes, by kind, and the minimum its limits allow. `images`: the master
    images to upload first, `image_batch` a call (the job uploads a shop's images together, so its calls
    are the fewest the platform's upload allows)."""
    listed = list(items)
    creates = sum(1 for i in listed if i.create)
    updates = sum(1 for i in listed if i.update)
    prices = [i.prices for i in listed if i.prices]
    stocks = [i.stock for i in listed if i.stock]
    calls = {
        "create": creates,
        "update": updates,
        "price": batch_calls(prices, price),
        "stock": batch_calls(stocks, stock),
        "image": -(-images // image_batch),
    }
    least = creates + updates + min_batch_calls(prices, price) + min_batch_calls(stocks, stock)
    least += -(-images // image_batch)  # the upload's limit alone (what the job sends, computed apart)
    return calls | {"total": sum(calls.values()), "minimum": least}
