"""Shopee JSON ⇄ DTOs for money, tokens, shops and products (orders: ``order_mapping.py``).

Shopee prices are JSON floats in major units (IDR whole, SGD/MYR two decimals). They are read through
``Decimal(str(x))`` into ``Money`` (excess precision is an error, never rounded) and written back as an
int (IDR) or a float that prints as the exact decimal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from aiostore.connectors import readers
from aiostore.connectors.dtos import (
    AttributeValue,
    ListingStatus,
    ProductDraft,
    ProductDTO,
    ProductUpdate,
    ShopInfo,
    TokenSet,
    VariantDraft,
    VariantDTO,
    VariantEdit,
)
from aiostore.connectors.errors import UnexpectedResponse
from aiostore.connectors.shopee.errors import PLATFORM
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money, MoneyError

REFRESH_TOKEN_TTL = timedelta(days=30)
NO_MODEL = "0"  # Shopee's model_id for an item without models

ITEM_STATUSES = ("NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE")
LISTING_STATUS: dict[str, ListingStatus] = {
    "NORMAL": ListingStatus.ACTIVE,
    "UNLIST": ListingStatus.INACTIVE,
    "REVIEWING": ListingStatus.UNDER_REVIEW,
    "BANNED": ListingStatus.BANNED,
    "SELLER_DELETE": ListingStatus.DELETED,
    "SHOPEE_DELETE": ListingStatus.DELETED,
}
MODEL_STATUS: dict[str, ListingStatus] = {
    "MODEL_NORMAL": ListingStatus.ACTIVE,
    "MODEL_UNAVAILABLE": ListingStatus.INACTIVE,
}

JSON = Mapping[str, Any]


# -- small readers --------------------------------------------------------------------------------


def ts(value: Any) -> datetime | None:
    return readers.ts(value, PLATFORM)


def ts_required(value: Any, field: str) -> datetime:
    return readers.ts_required(value, field, PLATFORM)


def currency_of(code: Any, default: Currency | None) -> Currency:
    return readers.currency_of(code, default, PLATFORM)


to_epoch = readers.to_epoch


def money_from_shopee(value: Any, currency: Currency) -> Money:
    """A Shopee price (float/int/str in major units) as Money; refuses excess precision."""
    if isinstance(value, bool) or value is None:
        raise UnexpectedResponse(f"price {value!r} is not a number", platform=PLATFORM)
    try:
        return Money.from_major(Decimal(str(value)), currency)
    except (MoneyError, InvalidOperation) as exc:
        raise UnexpectedResponse(f"price {value!r} {currency.value}: {exc}", platform=PLATFORM) from exc


def money_to_shopee(money: Money) -> int | float:
    """Money as Shopee wants it: whole numbers for IDR, a 2-decimal float for SGD/MYR."""
    major = money.to_major()
    if money.currency.exponent == 0:
        return int(major)
    return float(major)


def optional_money(value: Any, currency: Currency) -> Money | None:
    return None if value is None or value == "" else money_from_shopee(value, currency)


# -- tokens and shop ------------------------------------------------------------------------------


def token_set(body: JSON, now: datetime, *, shop_id: str | None = None) -> TokenSet:
    """From token/get or access_token/get (top-level fields; ``expire_in`` is a duration)."""
    try:
        access, refresh, expire_in = body["access_token"], body["refresh_token"], int(body["expire_in"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedResponse(f"token answer lacks {exc}", platform=PLATFORM) from exc
    shop_ids = tuple(str(s) for s in body.get("shop_id_list") or ())
    merchant_ids = tuple(str(m) for m in body.get("merchant_id_list") or ())
    answered_shop = body.get("shop_id")
    shop = str(answered_shop) if answered_shop else (shop_id or (shop_ids[0] if len(shop_ids) == 1 else None))
    if shop and shop not in shop_ids:
        shop_ids = (shop, *shop_ids)
    return TokenSet(
        access_token=str(access),
        refresh_token=str(refresh),
        access_expires_at=now + timedelta(seconds=expire_in),
        refresh_expires_at=now + REFRESH_TOKEN_TTL,
        shop_id=shop,
        shop_ids=shop_ids,
        merchant_ids=merchant_ids,
    )


def shop_info(body: JSON, shop_id: str) -> ShopInfo:
    region = str(body.get("region") or "")
    status = str(body.get("status") or "")
    return ShopInfo(
        shop_id=shop_id,
        name=str(body.get("shop_name") or ""),
        market=MarketCode(region) if region in MarketCode.__members__ else None,
        status=status,
        active=status == "NORMAL",
        authorization_expires_at=ts(body.get("expire_time")),
    )


# -- products -------------------------------------------------------------------------------------


def _price(price_info: Any, currency: Currency | None) -> Money | None:
    if not price_info:
        return None
    first = price_info[0]
    return money_from_shopee(first.get("original_price"), currency_of(first.get("currency"), currency))


def _stock(stock_info: Any) -> int | None:
    if not stock_info:
        return None
    seller = stock_info.get("seller_stock")
    if seller:
        return sum(int(s.get("stock") or 0) for s in seller)
    summary = stock_info.get("summary_info") or {}
    total = summary.get("total_available_stock")
    return None if total is None else int(total)


def product(base: JSON, models: JSON | None, currency: Currency | None) -> ProductDTO:
    """One item from get_item_base_info, with its get_model_list answer when it has models."""
    item_id = str(base["item_id"])
    platform_status = str(base.get("item_status") or "")
    status = LISTING_STATUS.get(platform_status, ListingStatus.UNKNOWN)
    item_sku = str(base.get("item_sku") or "")
    has_model = bool(base.get("has_model"))
    if has_model and models is not None:
        variants = tuple(
            _variant(item_id, m, models.get("tier_variation") or [], currency) for m in models["model"]
        )
    else:
        variants = (
            VariantDTO(
                item_id=item_id,
                variant_id=NO_MODEL,
                seller_sku=item_sku,
                name="",
                option_values=(),
                price=_price(base.get("price_info"), currency),
                stock=_stock(base.get("stock_info_v2")),
                status=status,
                platform_status=platform_status,
            ),
        )
    image = base.get("image") or {}
    weight = base.get("weight")
    return ProductDTO(
        item_id=item_id,
        name=str(base.get("item_name") or ""),
        seller_sku=item_sku,
        status=status,
        platform_status=platform_status,
        variants=variants,
        has_variants=has_model,
        description=str(base.get("description") or ""),
        category_id=str(base.get("category_id") or ""),
        image_urls=tuple(str(u) for u in image.get("image_url_list") or ()),
        weight_kg=Decimal(str(weight)) if weight not in (None, "") else None,
        created_at=ts(base.get("create_time")),
        updated_at=ts(base.get("update_time")),
    )


def _variant(item_id: str, model: JSON, tiers: list[Any], currency: Currency | None) -> VariantDTO:
    options: list[str] = []
    for tier_no, option_no in enumerate(model.get("tier_index") or ()):
        try:
            options.append(str(tiers[tier_no]["option_list"][option_no]["option"]))
        except (IndexError, KeyError, TypeError):
            options.append("")
    platform_status = str(model.get("model_status") or "MODEL_NORMAL")
    return VariantDTO(
        item_id=item_id,
        variant_id=str(model["model_id"]),
        seller_sku=str(model.get("model_sku") or ""),
        name=str(model.get("model_name") or ",".join(options)),
        option_values=tuple(options),
        price=_price(model.get("price_info"), currency),
        stock=_stock(model.get("stock_info_v2")),
        status=MODEL_STATUS.get(platform_status, ListingStatus.UNKNOWN),
        platform_status=platform_status,
    )


def _attribute_list(attributes: Sequence[AttributeValue]) -> list[dict[str, Any]]:
    return [
        {
            "attribute_id": int(a.attribute_id),
            "attribute_value_list": [{"value_id": int(v)} for v in a.value_ids]
            + [{"value_id": 0, "original_value_name": t, "value_unit": a.unit} for t in a.texts],
        }
        for a in attributes
    ]


def add_item_body(draft: ProductDraft) -> dict[str, Any]:
    body: dict[str, Any] = {
        "original_price": money_to_shopee(draft.price),
        "description": draft.description,
        "weight": float(draft.weight_kg),
        "item_name": draft.name,
        "category_id": int(draft.category_id),
        "image": {"image_id_list": list(draft.image_ids)},
        "logistic_info": [{"logistic_id": int(i), "enabled": True} for i in draft.logistics_ids],
        "item_status": "NORMAL" if draft.active else "UNLIST",
        "seller_stock": [{"stock": draft.stock}],
    }
    if draft.seller_sku:
        body["item_sku"] = draft.seller_sku
    if draft.brand_id is not None:
        body["brand"] = {"brand_id": int(draft.brand_id)}
    if draft.attributes:
        body["attribute_list"] = _attribute_list(draft.attributes)
    return body


Variants = Sequence[VariantDraft | VariantEdit]


def _by_sku(option_names: Sequence[str], variants: Variants) -> bool:
    """One tier of SKUs: no tier names, or no variant carries options (a single variant left of several)."""
    return not option_names or not any(v.option_values for v in variants)


def _values(variant: VariantDraft | VariantEdit, by_sku: bool) -> Sequence[str]:
    return (variant.seller_sku,) if by_sku else variant.option_values


def _tiers(option_names: Sequence[str], variants: Variants) -> tuple[list[str], list[list[str]], bool]:
    """The tier names, each tier's options in first-seen order, and whether the one tier is of SKUs."""
    by_sku = _by_sku(option_names, variants)
    names = ["option 1"] if by_sku else list(option_names)
    tiers: list[list[str]] = [[] for _ in names]
    for variant in variants:
        for n, value in enumerate(_values(variant, by_sku)):
            if value not in tiers[n]:
                tiers[n].append(value)
    return names, tiers, by_sku


def _tier_index(variant: VariantDraft | VariantEdit, tiers: list[list[str]], by_sku: bool) -> list[int]:
    return [tiers[n].index(v) for n, v in enumerate(_values(variant, by_sku))]


def _tier_variation(names: list[str], tiers: list[list[str]]) -> list[dict[str, Any]]:
    return [{"name": name, "option_list": [{"option": o} for o in tiers[n]]} for n, name in enumerate(names)]


def _model(variant: VariantDraft | VariantEdit, tiers: list[list[str]], by_sku: bool) -> dict[str, Any]:
    return {
        "tier_index": _tier_index(variant, tiers, by_sku),
        "original_price": money_to_shopee(variant.price),
        "model_sku": variant.seller_sku,
        "seller_stock": [{"stock": variant.stock}],
    }


def init_tier_variation_body(
    item_id: str | None, option_names: Sequence[str], variants: Variants
) -> dict[str, Any]:
    """Models for an item without any (Shopee v2.product.init_tier_variation); ``item_id`` None in a
    dry run of a create."""
    names, tiers, by_sku = _tiers(option_names, variants)
    return {
        "item_id": int(item_id) if item_id else 0,
        "tier_variation": _tier_variation(names, tiers),
        "model": [_model(v, tiers, by_sku) for v in variants],
    }


def model_bodies(update: ProductUpdate) -> list[tuple[str, dict[str, Any]]]:
    """The variant calls of an update, (operation, body) in order: init_tier_variation for an item
    without models; otherwise update_tier_variation (the new tiers, each kept model's tier_index; a
    model it does not name is deleted) then add_model for the new variants."""
    variants = update.variants or ()
    item_id = int(update.item_id)
    if not any(v.variant_id not in ("", "0") for v in variants):
        init = init_tier_variation_body(update.item_id, update.option_names, variants)
        return [("init_tier_variation", init)]
    names, tiers, by_sku = _tiers(update.option_names, variants)
    kept = [
        {"tier_index": _tier_index(v, tiers, by_sku), "model_id": int(v.variant_id)}
        for v in variants
        if v.variant_id not in ("", "0")
    ]
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "update_tier_variation",
            {"item_id": item_id, "tier_variation": _tier_variation(names, tiers), "model_list": kept},
        )
    ]
    added = [_model(v, tiers, by_sku) for v in variants if v.variant_id in ("", "0")]
    if added:
        calls.append(("add_model", {"item_id": item_id, "model_list": added}))
    return calls


def update_item_body(update: ProductUpdate) -> dict[str, Any]:
    body: dict[str, Any] = {"item_id": int(update.item_id)}
    if update.name is not None:
        body["item_name"] = update.name
    if update.description is not None:
        body["description"] = update.description
    if update.seller_sku is not None:
        body["item_sku"] = update.seller_sku
    if update.active is not None:
        body["item_status"] = "NORMAL" if update.active else "UNLIST"
    if update.weight_kg is not None:
        body["weight"] = float(update.weight_kg)
    if update.category_id is not None:
        body["category_id"] = int(update.category_id)
    if update.attributes is not None:
        body["attribute_list"] = _attribute_list(update.attributes)
    if update.brand_id is not None:
        body["brand"] = {"brand_id": int(update.brand_id)}
    if update.image_ids is not None:
        body["image"] = {"image_id_list": list(update.image_ids)}
    if update.dimensions_cm is not None:
        length, width, height = update.dimensions_cm
        body["dimension"] = {"package_length": length, "package_width": width, "package_height": height}
    return body
