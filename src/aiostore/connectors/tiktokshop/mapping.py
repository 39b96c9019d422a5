"""TikTok Shop JSON ⇄ DTOs for money, tokens, shops and products (orders: ``order_mapping.py``).

Money is a decimal string in major units with a separate currency (§B9): read with ``Decimal`` into
``Money`` (excess precision is an error, never rounded), written as ``"150000"`` (IDR) or ``"12.90"``
(SGD/MYR). Ids are strings (they exceed float precision); times are Unix seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aiostore.connectors import dtos, readers
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.tiktokshop.errors import PLATFORM
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money, MoneyError

JSON = Mapping[str, Any]
CIPHER = "shop_cipher"  # dtos.TokenSet.external_ids key of the acting shop's cipher
CIPHER_OF = "cipher:"  # + shop id: every authorized shop's cipher

LISTING_STATUS: dict[str, dtos.ListingStatus] = {
    "ACTIVATE": dtos.ListingStatus.ACTIVE,
    "SELLER_DEACTIVATED": dtos.ListingStatus.INACTIVE,
    "DRAFT": dtos.ListingStatus.INACTIVE,
    "PENDING": dtos.ListingStatus.UNDER_REVIEW,
    "FAILED": dtos.ListingStatus.BANNED,  # the audit refused it: not on sale until fixed and resubmitted
    "PLATFORM_DEACTIVATED": dtos.ListingStatus.BANNED,
    "FREEZE": dtos.ListingStatus.BANNED,
    "DELETED": dtos.ListingStatus.DELETED,
}


# -- small readers --------------------------------------------------------------------------------


def ts(value: Any) -> datetime | None:
    return readers.ts(value, PLATFORM)


def ts_required(value: Any, field: str) -> datetime:
    return readers.ts_required(value, field, PLATFORM)


def currency_of(code: Any, default: Currency | None) -> Currency:
    return readers.currency_of(code, default, PLATFORM)


to_epoch = readers.to_epoch


def money_from_tiktok(value: Any, currency: Currency) -> Money:
    """A TikTok amount (a decimal string in major units) as Money; refuses excess precision."""
    if isinstance(value, bool | float) or value is None or value == "":
        raise UnexpectedResponse(f"amount {value!r} is not a decimal string", platform=PLATFORM)
    try:
        return Money.from_major(Decimal(str(value).strip()), currency)
    except (MoneyError, InvalidOperation) as exc:
        raise UnexpectedResponse(f"amount {value!r} {currency.value}: {exc}", platform=PLATFORM) from exc


def optional_money(value: Any, currency: Currency) -> Money | None:
    return None if value in (None, "") else money_from_tiktok(value, currency)


def money_to_tiktok(money: Money) -> str:
    """Money as TikTok wants it: ``"150000"`` for IDR, ``"12.90"`` for SGD/MYR."""
    return str(money.to_major())


def price_body(money: Money) -> dict[str, str]:
    return {"amount": money_to_tiktok(money), "currency": money.currency.value}


# -- tokens and shops -----------------------------------------------------------------------------


def token_set(data: JSON) -> dtos.TokenSet:
    """From token/get or token/refresh: ``*_expire_in`` are absolute Unix times, not durations."""
    try:
        access, refresh = str(data["access_token"]), str(data["refresh_token"])
        access_expires = ts_required(data["access_token_expire_in"], "access_token_expire_in")
    except KeyError as exc:
        raise UnexpectedResponse(f"token answer lacks {exc}", platform=PLATFORM) from exc
    external = {k: str(data[k]) for k in ("open_id", "seller_name", "seller_base_region") if data.get(k)}
    return dtos.TokenSet(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=access_expires,
        refresh_expires_at=ts(data.get("refresh_token_expire_in")),
        external_ids=external,
    )


def shops(data: JSON) -> list[JSON]:
    return [s for s in data.get("shops") or () if isinstance(s, Mapping) and s.get("id")]


def choose_shop(found: Sequence[JSON], shop_id: str | None, market: MarketCode | None) -> JSON | None:
    """The shop an authorization acts for: the named one, else the first in the market, else the first."""
    if shop_id:
        return next((s for s in found if str(s["id"]) == shop_id), None)
    if market is not None:
        in_market = [s for s in found if str(s.get("region") or "").upper() == market.value]
        if in_market:
            return in_market[0]
    return found[0] if found else None


def ciphers(found: Sequence[JSON]) -> dict[str, str]:
    return {f"{CIPHER_OF}{s['id']}": str(s.get("cipher") or "") for s in found if s.get("cipher")}


def shop_info(shop: JSON, authorization_expires_at: datetime | None) -> dtos.ShopInfo:
    region = str(shop.get("region") or "").upper()
    return dtos.ShopInfo(
        shop_id=str(shop["id"]),
        name=str(shop.get("name") or ""),
        market=MarketCode(region) if region in MarketCode.__members__ else None,
        status="AUTHORIZED",  # /authorization/202309/shops lists only shops the seller authorized
        active=True,
        authorization_expires_at=authorization_expires_at,
    )


# -- products -------------------------------------------------------------------------------------


def _stock(inventory: Any) -> int | None:
    if not inventory:
        return None
    return sum(int(entry.get("quantity") or 0) for entry in inventory)


def _sku_price(price: JSON | None, currency: Currency | None) -> Money | None:
    """The seller's list price: ``tax_exclusive_price`` (search) or ``amount`` (detail)."""
    if not price:
        return None
    value = price.get("tax_exclusive_price") or price.get("amount") or price.get("sale_price")
    return optional_money(value, currency_of(price.get("currency"), currency))


def _variant(
    product_id: str, sku: JSON, status: dtos.ListingStatus, platform_status: str, cur: Currency | None
) -> dtos.VariantDTO:
    attributes = sku.get("sales_attributes") or ()
    options = tuple(str(a.get("value_name") or "") for a in attributes)
    return dtos.VariantDTO(
        item_id=product_id,
        variant_id=str(sku["id"]),
        seller_sku=str(sku.get("seller_sku") or ""),
        name=",".join(options),
        option_values=options,
        price=_sku_price(sku.get("price"), cur),
        stock=_stock(sku.get("inventory")),
        status=status,
        platform_status=platform_status,
    )


def product(data: JSON, currency: Currency | None) -> dtos.ProductDTO:
    """One product from Search Products (SKUs inline) or Get Product (with attributes, images…)."""
    try:
        product_id = str(data["id"])
    except KeyError as exc:
        raise UnexpectedResponse("a product without id", platform=PLATFORM) from exc
    platform_status = str(data.get("status") or "")
    status = LISTING_STATUS.get(platform_status, dtos.ListingStatus.UNKNOWN)
    skus = [s for s in data.get("skus") or () if s.get("id")]
    variants = tuple(_variant(product_id, s, status, platform_status, currency) for s in skus)
    images = data.get("main_images") or ()
    weight = (data.get("package_weight") or {}).get("value")
    unit = str((data.get("package_weight") or {}).get("unit") or "KILOGRAM").upper()
    weight_kg = Decimal(str(weight)) if weight not in (None, "") else None
    if weight_kg is not None and unit == "GRAM":
        weight_kg = weight_kg / 1000
    chains = data.get("category_chains") or ()
    return dtos.ProductDTO(
        item_id=product_id,
        name=str(data.get("title") or ""),
        seller_sku=variants[0].seller_sku if len(variants) == 1 else "",
        status=status,
        platform_status=platform_status,
        variants=variants,
        has_variants=len(variants) > 1 or any(s.get("sales_attributes") for s in skus),
        description=str(data.get("description") or ""),
        category_id=str(chains[-1].get("id") or "") if chains else "",
        image_urls=tuple(str((i.get("urls") or [i.get("uri") or ""])[0]) for i in images),
        weight_kg=weight_kg,
        created_at=ts(data.get("create_time")),
        updated_at=ts(data.get("update_time")),
    )


def create_body(draft: dtos.ProductDraft, warehouse_id: str | None) -> dict[str, Any]:
    """Create Product: one SKU per variant (or one for a product without variants)."""

    def inventory(quantity: int) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"quantity": quantity}
        if warehouse_id:
            entry["warehouse_id"] = warehouse_id
        return [entry]

    if draft.variants:
        skus = [
            {
                "seller_sku": v.seller_sku,
                "price": price_body(v.price),
                "inventory": inventory(v.stock),
                "sales_attributes": [
                    {"name": name, "value_name": value}
                    for name, value in zip(draft.option_names, v.option_values, strict=True)
                ],
            }
            for v in draft.variants
        ]
    else:
        skus = [
            {
                "seller_sku": draft.seller_sku,
                "price": price_body(draft.price),
                "inventory": inventory(draft.stock),
            }
        ]
    body: dict[str, Any] = {
        "title": draft.name,
        "description": draft.description,
        "category_id": draft.category_id,
        "main_images": [{"uri": image} for image in draft.image_ids],
        "package_weight": {"value": str(draft.weight_kg), "unit": "KILOGRAM"},
        "skus": skus,
        "save_mode": "LISTING" if draft.active else "AS_DRAFT",
    }
    if draft.brand_id is not None:
        body["brand_id"] = draft.brand_id
    if draft.dimensions_cm is not None:
        body["package_dimensions"] = dimensions_body(draft.dimensions_cm)
    if draft.logistics_ids:
        body["delivery_option_ids"] = list(draft.logistics_ids)
    if draft.attributes:
        body["product_attributes"] = [
            {
                "id": a.attribute_id,
                "values": [{"id": v} for v in a.value_ids]
                + [{"name": f"{t} {a.unit}".strip()} for t in a.texts],
            }
            for a in draft.attributes
        ]
    return body


def dimensions_body(dimensions_cm: tuple[int, int, int]) -> dict[str, str]:
    length, width, height = dimensions_cm
    return {"length": str(length), "width": str(width), "height": str(height), "unit": "CENTIMETER"}


def partial_edit_body(update: dtos.ProductUpdate, sku_id: str | None) -> dict[str, Any]:
    """Partial Edit Product: only the fields given (the SKU's seller_sku needs its id)."""
    body: dict[str, Any] = {}
    if update.name is not None:
        body["title"] = update.name
    if update.description is not None:
        body["description"] = update.description
    if update.weight_kg is not None:
        body["package_weight"] = {"value": str(update.weight_kg), "unit": "KILOGRAM"}
    if update.seller_sku is not None and sku_id is not None:
        body["skus"] = [{"id": sku_id, "seller_sku": update.seller_sku}]
    return body
