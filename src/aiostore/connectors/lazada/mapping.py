"""Lazada JSON ⇄ DTOs for money, times, tokens, sellers and products (orders: ``order_mapping.py``).

Lazada amounts are decimals in the major unit of the shop's currency: JSON numbers on products
(``102.0``), strings on orders (``"1299.00"``). They are read through ``Decimal(str(x))`` into ``Money``
(excess precision is an error, never rounded) and written as decimal strings with the currency's own
number of decimals (IDR ``"150000"``, SGD/MYR ``"12.90"``). Products carry no currency: it is the
shop's (its country's). Every SKU has its own ``SkuId``: it is the variant id, even for a product of one
SKU (Lazada has no "product without SKU").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from aiostore.connectors.dtos import ListingStatus, ProductDTO, TokenSet, VariantDTO
from aiostore.connectors.errors import InvalidRequest, UnexpectedResponse
from aiostore.connectors.lazada.errors import PLATFORM
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money, MoneyError

JSON = Mapping[str, Any]
SERVED: dict[str, MarketCode] = {"id": MarketCode.ID, "sg": MarketCode.SG, "my": MarketCode.MY}

LISTING_STATUS: dict[str, ListingStatus] = {
    "active": ListingStatus.ACTIVE,
    "live": ListingStatus.ACTIVE,
    "inactive": ListingStatus.INACTIVE,
    "deleted": ListingStatus.DELETED,
    "pending": ListingStatus.UNDER_REVIEW,
    "pending qc": ListingStatus.UNDER_REVIEW,
    "rejected": ListingStatus.BANNED,
    "suspended": ListingStatus.BANNED,
}


# -- money and times ------------------------------------------------------------------------------


def money_from_lazada(value: Any, currency: Currency) -> Money:
    """A Lazada amount (number or decimal string in major units) as Money; refuses excess precision."""
    if isinstance(value, bool) or value is None or value == "":
        raise UnexpectedResponse(f"amount {value!r} is not a number", platform=PLATFORM)
    try:
        return Money.from_major(Decimal(str(value).strip()), currency)
    except (MoneyError, InvalidOperation) as exc:
        raise UnexpectedResponse(f"amount {value!r} {currency.value}: {exc}", platform=PLATFORM) from exc


def optional_money(value: Any, currency: Currency) -> Money | None:
    return None if value is None or value == "" else money_from_lazada(value, currency)


def money_to_lazada(money: Money) -> str:
    """Money as Lazada's payloads want it: a decimal string with the currency's decimals."""
    return str(money.to_major())


def ms_time(value: Any) -> datetime | None:
    """An epoch-milliseconds field (``"1626242071000"``) as an aware UTC datetime."""
    if value in (None, "", 0, "0"):
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise UnexpectedResponse(f"bad timestamp {value!r}", platform=PLATFORM) from exc


def lazada_time(value: Any) -> datetime | None:
    """``2018-02-10 16:00:00 +0800`` (orders) or ISO 8601 with an offset, as an aware UTC datetime."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    for parse in (
        lambda t: datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z"),
        datetime.fromisoformat,
    ):
        try:
            when = parse(text)
        except ValueError:
            continue
        if when.tzinfo is not None:
            return when.astimezone(UTC)
    raise UnexpectedResponse(f"bad date {value!r}", platform=PLATFORM)


def lazada_time_required(value: Any, field: str) -> datetime:
    when = lazada_time(value)
    if when is None:
        raise UnexpectedResponse(f"{field} missing", platform=PLATFORM)
    return when


def iso(when: datetime) -> str:
    """A request date parameter: ISO 8601 with its offset, to the second (``2023-11-01T00:00:00+00:00``)."""
    if when.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


# -- tokens and seller ----------------------------------------------------------------------------


def country_entries(body: JSON) -> list[dict[str, str]]:
    """``country_user_info`` (create) or ``country_user_info_list`` (refresh): a list of
    ``{country, seller_id, user_id, short_code}``, or, as in one of Lazada's samples, keyed by country."""
    raw = body.get("country_user_info") or body.get("country_user_info_list") or []
    if isinstance(raw, Mapping):
        raw = [{"country": str(k), **v} for k, v in raw.items() if isinstance(v, Mapping)]
    entries = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, Mapping) and entry.get("seller_id") not in (None, ""):
            entries.append({k: str(v) for k, v in entry.items() if v is not None})
    return entries


def token_set(
    body: JSON, now: datetime, *, market: MarketCode | None, previous: TokenSet | None = None
) -> TokenSet:
    """From /auth/token/create or /auth/token/refresh (top-level fields, lifetimes in seconds).

    The seller is the entry for ``market`` when the authorization covers it, else the entry for the
    token's own ``country``. A country AIOStore does not serve (TH, VN, PH, cross-border) is refused.
    A refresh answer without country entries keeps the seller of ``previous``.
    """
    try:
        access, refresh = str(body["access_token"]), str(body["refresh_token"])
        expires_in = int(body["expires_in"])
        refresh_expires_in = int(body.get("refresh_expires_in") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise UnexpectedResponse(f"token answer lacks {exc}", platform=PLATFORM) from exc
    entries = country_entries(body)
    if not entries and previous is not None and previous.shop_id:
        entries = [{"country": previous.external_ids.get("country", ""), "seller_id": previous.shop_id}]
    served = [e for e in entries if e.get("country", "").lower() in SERVED]
    wanted = market.value.lower() if market else str(body.get("country") or "").lower()
    chosen = next((e for e in served if e["country"].lower() == wanted), None)
    chosen = chosen or next(
        (e for e in served if e["country"].lower() == str(body.get("country") or "").lower()), None
    )
    chosen = chosen or (served[0] if served else None)
    if chosen is None:
        countries = ", ".join(sorted({e.get("country", "?").upper() for e in entries})) or "none"
        raise InvalidRequest(
            f"this Lazada account sells in {countries}; AIOStore serves Lazada sellers in ID, SG and MY",
            platform=PLATFORM,
            platform_code="market_not_served",
        )
    country = chosen["country"].lower()
    external = {**(previous.external_ids if previous else {}), "country": country}
    for key in ("user_id", "short_code"):
        if chosen.get(key):
            external[key] = chosen[key]
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=now + timedelta(seconds=expires_in),
        refresh_expires_at=now + timedelta(seconds=refresh_expires_in) if refresh_expires_in else None,
        shop_id=chosen["seller_id"],
        shop_ids=tuple(dict.fromkeys(e["seller_id"] for e in served)),
        external_ids=external,
    )


# -- products -------------------------------------------------------------------------------------


def listing_status(value: Any) -> ListingStatus:
    return LISTING_STATUS.get(str(value or "").lower(), ListingStatus.UNKNOWN)


def _stock(sku: JSON) -> int | None:
    """The SKU's total quantity (what price_quantity/update sets; it still counts units held by orders)."""
    for key in ("quantity", "Quantity"):
        if sku.get(key) not in (None, ""):
            return int(sku[key])
    inventories = sku.get("multiWarehouseInventories") or []
    if inventories:
        return sum(int(w.get("totalQuantity") or w.get("quantity") or 0) for w in inventories)
    return None


def variant(item_id: str, sku: JSON, currency: Currency | None) -> VariantDTO:
    sale = sku.get("saleProp") or {}
    options = tuple(str(v) for v in sale.values()) if isinstance(sale, Mapping) else ()
    status_word = str(sku.get("Status") or sku.get("status") or "")
    price = sku.get("price")
    return VariantDTO(
        item_id=item_id,
        variant_id=str(sku["SkuId"]),
        seller_sku=str(sku.get("SellerSku") or ""),
        name=",".join(options),
        option_values=options,
        price=None if currency is None or price in (None, "") else money_from_lazada(price, currency),
        stock=_stock(sku),
        status=listing_status(status_word),
        platform_status=status_word,
    )


def product(body: JSON, currency: Currency | None) -> ProductDTO:
    """One product of /products/get or /product/item/get, its SKUs inline."""
    try:
        item_id = str(body["item_id"])
        skus = [s for s in body.get("skus") or () if isinstance(s, Mapping)]
        variants = tuple(variant(item_id, s, currency) for s in skus)
    except KeyError as exc:
        raise UnexpectedResponse(f"product lacks {exc}", platform=PLATFORM) from exc
    attributes = body.get("attributes") or {}
    status_word = str(body.get("status") or "")
    has_variants = len(skus) > 1 or any(v.option_values for v in variants)
    weight = skus[0].get("package_weight") if skus else None
    return ProductDTO(
        item_id=item_id,
        name=str(attributes.get("name") or ""),
        seller_sku=variants[0].seller_sku if len(variants) == 1 else "",
        status=listing_status(status_word),
        platform_status=status_word,
        variants=variants,
        has_variants=has_variants,
        description=str(attributes.get("description") or ""),
        category_id=str(body.get("primary_category") or ""),
        image_urls=tuple(str(u) for u in body.get("images") or ()),
        weight_kg=Decimal(str(weight)) if weight not in (None, "") else None,
        created_at=ms_time(body.get("created_time")),
        updated_at=ms_time(body.get("updated_time")),
    )
