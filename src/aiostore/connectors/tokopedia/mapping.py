"""Tokopedia JSON ⇄ DTOs for money, tokens, shops and products (orders: ``order_mapping.py``).

Money is integer rupiah on the wire (§B9); a numeric string such as "150000.00" is accepted, a fraction
of a rupiah is an error, never rounded.

Products: a Tokopedia variant is itself a product with its own ``product_id``, SKU, price and stock; the
parent row lists them in ``variant.childrenID`` (``isParent: true``). So a sellable unit is addressed by
its own product id: ``VariantDTO(item_id=<that product id>, variant_id="0")``, grouped under the parent's
``ProductDTO``. Order lines name the same product id, so both meet without a lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.tokopedia.errors import PLATFORM
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money, MoneyError
from aiostore.domain.rules.loader import price_bounds

JSON = Mapping[str, Any]
NO_VARIANT = "0"
# Rupiah, as the create/price pages state; written once in domain/rules/data/tokopedia.toml.
MIN_PRICE, MAX_PRICE = price_bounds("tokopedia")[MarketCode.ID]

# basic.status: -2 banned, -1 pending, 0 deleted, 1 active, 2 best (featured), 3 inactive (warehouse)
LISTING_STATUS: dict[int, dtos.ListingStatus] = {
    -2: dtos.ListingStatus.BANNED,
    -1: dtos.ListingStatus.UNDER_REVIEW,
    0: dtos.ListingStatus.DELETED,
    1: dtos.ListingStatus.ACTIVE,
    2: dtos.ListingStatus.ACTIVE,
    3: dtos.ListingStatus.INACTIVE,
}


# -- money ----------------------------------------------------------------------------------------


def money_from_tokopedia(value: Any) -> Money:
    if isinstance(value, bool) or value is None:
        raise UnexpectedResponse(f"price {value!r} is not a number", platform=PLATFORM)
    try:
        return Money.from_major(Decimal(str(value)), Currency.IDR)
    except (MoneyError, InvalidOperation) as exc:
        raise UnexpectedResponse(f"price {value!r} IDR: {exc}", platform=PLATFORM) from exc


def money_to_tokopedia(money: Money) -> int:
    if money.currency is not Currency.IDR:
        raise InvalidRequest(f"Tokopedia sells in IDR only, not {money.currency.value}", platform=PLATFORM)
    return money.amount  # IDR has no minor unit: amount is whole rupiah


def price_problem(money: Money) -> str:
    """Why Tokopedia would refuse this price ("" when it would not)."""
    if money.currency is not Currency.IDR:
        return f"Tokopedia sells in IDR only, not {money.currency.value}"
    if not MIN_PRICE <= money.amount <= MAX_PRICE:
        return f"price must be between {MIN_PRICE} and {MAX_PRICE} IDR"
    return ""


# -- tokens and shop ------------------------------------------------------------------------------


def token_set(body: JSON, now: datetime, *, shop_id: str | None, fs_id: str) -> dtos.TokenSet:
    """The app token (client credentials): no refresh token, a new one is simply requested again."""
    try:
        access, expires_in = str(body["access_token"]), int(body["expires_in"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedResponse(f"token answer lacks {exc}", platform=PLATFORM) from exc
    return dtos.TokenSet(
        access_token=access,
        refresh_token="",
        access_expires_at=now + timedelta(seconds=expires_in),
        refresh_expires_at=None,
        shop_id=shop_id,
        shop_ids=(shop_id,) if shop_id else (),
        external_ids={"fs_id": fs_id},
    )


def shop_info(row: JSON) -> dtos.ShopInfo:
    status = row.get("status")
    return dtos.ShopInfo(
        shop_id=str(row.get("shop_id") or ""),
        name=str(row.get("shop_name") or ""),
        market=MarketCode.ID,
        status="open" if row.get("is_open") in (1, True) else "closed",
        active=status in (1, "1", None) and row.get("is_open") in (1, True),
    )


# -- product rows ---------------------------------------------------------------------------------


def _part(row: JSON, key: str) -> JSON:
    value = row.get(key)
    return value if isinstance(value, dict) else {}


def product_id(row: JSON) -> str:
    pid = _part(row, "basic").get("productID")
    if pid in (None, "", 0):
        raise UnexpectedResponse("a product row without basic.productID", platform=PLATFORM)
    return str(pid)


def children_ids(row: JSON) -> list[str]:
    variant = _part(row, "variant")
    if not variant.get("isParent"):
        return []
    return [str(c) for c in variant.get("childrenID") or ()]


def is_child(row: JSON) -> bool:
    variant = _part(row, "variant")
    return bool(variant.get("isVariant")) and not variant.get("isParent")


def _name(row: JSON) -> str:
    basic = _part(row, "basic")
    return str(basic.get("Name") or basic.get("name") or "")


def _status(row: JSON) -> tuple[dtos.ListingStatus, str]:
    raw = _part(row, "basic").get("status")
    try:
        code = int(str(raw))
    except ValueError:
        return dtos.ListingStatus.UNKNOWN, str(raw or "")
    return LISTING_STATUS.get(code, dtos.ListingStatus.UNKNOWN), str(code)


def _weight_kg(row: JSON) -> Decimal | None:
    weight = _part(row, "weight")
    value = weight.get("value")
    if value in (None, ""):
        return None
    kg = Decimal(str(value)) if weight.get("unit") == 2 else Decimal(str(value)) / 1000
    return kg.normalize()


def _stock(row: JSON) -> int | None:
    value = _part(row, "stock").get("value")
    return None if value is None else int(value)


def _price(row: JSON) -> Money | None:
    price = _part(row, "price")
    value = price.get("value", price.get("idr"))
    return None if value is None else money_from_tokopedia(value)


def _sku(row: JSON) -> str:
    return str(_part(row, "other").get("sku") or "")


def variant(row: JSON, parent_name: str = "") -> dtos.VariantDTO:
    status, platform_status = _status(row)
    name = _name(row)
    prefix = f"{parent_name} - "
    if not parent_name:
        name = ""  # a product without variants: its one unit has no name of its own
    elif name.startswith(prefix):
        name = name[len(prefix) :]  # "Kaos Polos - Hitam, M" → "Hitam, M"
    return dtos.VariantDTO(
        item_id=product_id(row),
        variant_id=NO_VARIANT,
        seller_sku=_sku(row),
        name=name,
        option_values=(),
        price=_price(row),
        stock=_stock(row),
        status=status,
        platform_status=platform_status,
    )


def product(row: JSON, children: Iterable[JSON] = ()) -> dtos.ProductDTO:
    """A product from its row, and its variant children's rows when it is a parent."""
    status, platform_status = _status(row)
    name = _name(row)
    kids = list(children)
    variants = tuple(variant(child, name) for child in kids) if kids else (variant(row),)
    pictures = row.get("pictures") or ()
    return dtos.ProductDTO(
        item_id=product_id(row),
        name=name,
        seller_sku=_sku(row),
        status=status,
        platform_status=platform_status,
        variants=variants,
        has_variants=bool(kids),
        description=str(_part(row, "basic").get("shortDesc") or ""),
        category_id=str(_part(row, "basic").get("childCategoryID") or ""),
        image_urls=tuple(
            str(p.get("OriginalURL")) for p in pictures if isinstance(p, dict) and p.get("OriginalURL")
        ),
        weight_kg=_weight_kg(row),
    )


class ProductAssembler:
    """Rows of a listing (parents, their variant children and single products, in any order) → products.

    A parent is complete when every id in its ``childrenID`` has been seen; ``missing()`` names children not
    seen yet (to fetch by id), ``finish()`` gives what is left (a parent missing children gets those it has;
    a child whose parent never came is given as a product of its own: its key is the same either way).
    """

    def __init__(self) -> None:
        self._parents: dict[str, tuple[JSON, list[str]]] = {}
        self._owner: dict[str, str] = {}
        self._children: dict[str, JSON] = {}
        self.rows = 0

    def add(self, row: JSON) -> list[dtos.ProductDTO]:
        self.rows += 1
        pid = product_id(row)
        kids = children_ids(row)
        if kids:
            self._parents[pid] = (row, kids)
            for kid in kids:
                self._owner[kid] = pid
            return self._complete(pid)
        if pid in self._owner:
            self._children[pid] = row
            return self._complete(self._owner[pid])
        if is_child(row):
            self._children[pid] = row
            return []
        return [product(row)]

    def _complete(self, parent_id: str) -> list[dtos.ProductDTO]:
        row, kids = self._parents[parent_id]
        if any(kid not in self._children for kid in kids):
            return []
        del self._parents[parent_id]
        for kid in kids:
            self._owner.pop(kid, None)
        return [product(row, [self._children.pop(kid) for kid in kids])]

    def missing(self) -> list[str]:
        return [kid for _, kids in self._parents.values() for kid in kids if kid not in self._children]

    def finish(self) -> list[dtos.ProductDTO]:
        done = [
            product(row, [self._children.pop(kid) for kid in kids if kid in self._children])
            for row, kids in self._parents.values()
        ]
        done += [product(row) for row in self._children.values()]
        self._parents.clear()
        self._children.clear()
        self._owner.clear()
        return done


# -- writes ---------------------------------------------------------------------------------------


def _grams(weight_kg: Decimal) -> int:
    grams = int((weight_kg * 1000).to_integral_value())
    if grams < 1:
        raise InvalidRequest("weight must be at least 1 gram", platform=PLATFORM)
    return grams


def _stock_status(stock: int) -> str:
    return "LIMITED" if stock > 0 else "EMPTY"


def create_body(draft: dtos.ProductDraft) -> dict[str, Any]:
    """``POST /v3/products/fs/{fs_id}/create`` for one product (the endpoint takes up to 20)."""
    entry: dict[str, Any] = {
        "name": draft.name,
        "condition": "NEW",
        "description": draft.description,
        "sku": draft.seller_sku,
        "price": money_to_tokopedia(draft.price),
        "status": _stock_status(draft.stock),
        "stock": draft.stock,
        "min_order": 1,
        "category_id": int(draft.category_id),
        "price_currency": "IDR",
        "weight": _grams(draft.weight_kg),
        "weight_unit": "GR",
        "is_free_return": False,
        "is_must_insurance": False,
        "pictures": [{"file_path": image} for image in draft.image_ids],
    }
    if draft.logistics_ids:
        entry["custom_product_logistics"] = [int(i) for i in draft.logistics_ids]
    annotations = [int(v) for a in draft.attributes for v in a.value_ids if v.isdigit()]
    if annotations:  # the category's specifications: annotation value ids (Get Product Annotation)
        entry["annotations"] = annotations
    if draft.variants:
        tiers: list[list[str]] = [[] for _ in draft.option_names]
        for v in draft.variants:
            for n, value in enumerate(v.option_values):
                if value not in tiers[n]:
                    tiers[n].append(value)
        entry["variant"] = {
            "selection": [
                {
                    "id": 0,  # a category variant id (get_variant); 0 with the name: a custom variant
                    "name": name,
                    "unit_id": 0,
                    "options": [{"unit_value_id": 0, "value": o, "hex_code": ""} for o in tiers[n]],
                }
                for n, name in enumerate(draft.option_names)
            ],
            "products": [
                {
                    "is_primary": i == 0,
                    "status": _stock_status(v.stock),
                    "price": money_to_tokopedia(v.price),
                    "stock": v.stock,
                    "sku": v.seller_sku,
                    "combination": [tiers[n].index(o) for n, o in enumerate(v.option_values)],
                }
                for i, v in enumerate(draft.variants)
            ],
        }
    return {"products": [entry]}


def edit_body(update: dtos.ProductUpdate) -> dict[str, Any] | None:
    """``PATCH /v3/products/fs/{fs_id}/edit`` for the fields given (None when only ``active`` changes)."""
    entry: dict[str, Any] = {"id": int(update.item_id)}
    if update.name is not None:
        entry["name"] = update.name
    if update.description is not None:
        entry["description"] = update.description
    if update.seller_sku is not None:
        entry["sku"] = update.seller_sku
    if update.weight_kg is not None:
        entry["weight"] = _grams(update.weight_kg)
        entry["weight_unit"] = "GR"
    if update.category_id is not None:
        entry["category_id"] = int(update.category_id)
    if update.image_ids is not None:
        entry["pictures"] = [{"file_path": image} for image in update.image_ids]
    return {"products": [entry]} if len(entry) > 1 else None
