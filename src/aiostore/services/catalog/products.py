"""Products and variants: create, read, list, update, delete, with per-market prices and inventory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from aiostore.db.models import Inventory, Product, Variant, VariantPrice
from aiostore.domain.market import MarketCode, market
from aiostore.domain.money import Money, MoneyError
from aiostore.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from aiostore.services import audit, inventory
from aiostore.services.catalog.schemas import (
    InventoryIn,
    MoneyIn,
    ProductIn,
    ProductPatch,
    VariantIn,
    VariantPatch,
)
from aiostore.services.context import OrgContext
from aiostore.services.pagination import Page, Sort, page_of, paginate

_LOAD = (
    selectinload(Product.variants).selectinload(Variant.prices),
    selectinload(Product.variants).selectinload(Variant.inventory),
)
PRODUCT_FIELDS = ("title", "description", "brand", "category", "status", "images", "attributes")
VARIANT_FIELDS = (
    "sku",
    "option_values",
    "barcode",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "images",
    "attributes",
)

MAX_PAGE_VARIANTS = 500  # variants summed over one page of products; the rest come with next_cursor
SORTS: dict[str, tuple[Any, str]] = {
    "created_at": (Product.created_at, "datetime"),
    "updated_at": (Product.updated_at, "datetime"),
    "title": (Product.title, "str"),
}


@dataclass(frozen=True, slots=True)
class ProductFilter:
    q: str | None = None
    brand: str | None = None
    category: str | None = None
    sku: str | None = None
    status: str | None = None


def parse_sort(value: str) -> Sort:
    descending = value.startswith("-")
    name = value.lstrip("-")
    if name not in SORTS:
        raise invalid("sort", f"sort by one of {', '.join(sorted(SORTS))}, with '-' for descending")
    column, kind = SORTS[name]
    return Sort(column, descending, kind)


# --- validation helpers ---------------------------------------------------------------------------


def _prices(
    path: str, prices: dict[MarketCode, Decimal | None], errors: list[FieldError], name: str = "prices"
) -> dict[str, Money | None]:
    out: dict[str, Money | None] = {}
    for code, amount in prices.items():
        if amount is None:
            out[code.value] = None
            continue
        field = f"{path}.{name}.{code.value}"
        try:
            money = Money.from_major(amount, market(code).currency)
        except MoneyError as exc:
            errors.append(FieldError(field, exc.code, str(exc)))
            continue
        if money.amount < 0:
            errors.append(FieldError(field, "negative", "a price cannot be negative"))
            continue
        out[code.value] = money
    return out


def _cost(path: str, cost: MoneyIn, errors: list[FieldError]) -> Money | None:
    try:
        money = Money.from_major(cost.amount, cost.currency)
    except MoneyError as exc:
        errors.append(FieldError(f"{path}.cost.amount", exc.code, str(exc)))
        return None
    if money.amount < 0:
        errors.append(FieldError(f"{path}.cost.amount", "negative", "a cost cannot be negative"))
        return None
    return money


async def _check_skus(
    session: AsyncSession, skus: list[tuple[str, str]], exclude: uuid.UUID | None = None
) -> None:
    """skus: (field path, sku). Duplicates in the request or in the org are 422s naming the field."""
    errors: list[FieldError] = []
    seen: dict[str, str] = {}
    for field, sku in skus:
        key = sku.lower()
        if key in seen:
            errors.append(FieldError(field, "duplicate", f"SKU {sku!r} is repeated in this request"))
        seen[key] = field
    if seen:
        stmt = select(Variant.sku).where(func.lower(Variant.sku).in_(list(seen)))
        if exclude is not None:
            stmt = stmt.where(Variant.id != exclude)
        for taken in (await session.scalars(stmt)).all():
            errors.append(FieldError(seen[taken.lower()], "taken", f"SKU {taken!r} already exists"))
    if errors:
        raise ValidationFailed("some SKUs cannot be used", errors=errors)


def _apply_variant(
    variant: Variant, data: VariantIn | VariantPatch, path: str, errors: list[FieldError]
) -> None:
    for name in VARIANT_FIELDS:
        if name in data.model_fields_set:
            value = getattr(data, name)
            if value is None and name in ("option_values", "images", "attributes"):
                value = {} if name != "images" else []
            if value is None and name == "sku":
                errors.append(FieldError(f"{path}.sku", "required", "a variant needs a SKU"))
                continue
            setattr(variant, name, value)
    if "cost" in data.model_fields_set:
        cost = _cost(path, data.cost, errors) if data.cost is not None else None
        variant.cost_amount = cost.amount if cost else None
        variant.cost_currency = cost.currency.value if cost else None
    if data.prices is not None:
        prices = _prices(path, data.prices, errors)
        current = {p.market: p for p in variant.prices}
        for code, money in prices.items():
            if money is None:
                if code in current:
                    variant.prices.remove(current[code])
            elif code in current:
                current[code].amount = money.amount
            else:
                variant.prices.append(
                    VariantPrice(
                        org_id=variant.org_id, market=code, currency=money.currency.value, amount=money.amount
                    )
                )
    if data.min_prices is not None:
        _apply_floors(variant, path, data.min_prices, errors)


def _apply_floors(
    variant: Variant, path: str, floors: dict[MarketCode, Decimal | None], errors: list[FieldError]
) -> None:
    """A market's floor sits beside its price: a market without a price has no floor."""
    current = {p.market: p for p in variant.prices}
    for code, money in _prices(path, floors, errors, name="min_prices").items():
        if code not in current:
            if money is not None:
                field = f"{path}.min_prices.{code}"
                errors.append(FieldError(field, "no_price", f"set a {code} price before its floor"))
            continue
        current[code].min_amount = money.amount if money else None


def _new_variant(
    org_id: uuid.UUID, data: VariantIn, position: int, path: str, errors: list[FieldError]
) -> Variant:
    variant = Variant(
        org_id=org_id, sku=data.sku, position=position, option_values={}, images=[], attributes={}
    )
    variant.prices = []
    _apply_variant(variant, data, path, errors)
    inv = data.inventory or InventoryIn(on_hand=0)
    # On hand starts at 0: the opening stock is a ledger movement once the variant has an id.
    variant.inventory = Inventory(org_id=org_id, on_hand=0, reserved=0, safety_buffer=inv.safety_buffer)
    return variant


async def _open_stock(
    session: AsyncSession, org_id: uuid.UUID, opened: list[tuple[Variant, VariantIn]]
) -> None:
    for variant, data in opened:
        assert variant.inventory is not None  # noqa: S101  (_new_variant gives one)
        await inventory.open_stock(
            session, org_id, variant.inventory, data.inventory.on_hand if data.inventory else 0
        )
    await _flush(session)


def snapshot(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in PRODUCT_FIELDS}


def variant_snapshot(variant: Variant) -> dict[str, Any]:
    data = {name: getattr(variant, name) for name in VARIANT_FIELDS}
    data["prices"] = {p.market: p.amount for p in variant.prices}
    data["min_prices"] = {p.market: p.min_amount for p in variant.prices if p.min_amount is not None}
    data["cost"] = [variant.cost_amount, variant.cost_currency] if variant.cost_amount is not None else None
    return data


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("the change conflicts with existing data (was a SKU just taken?)") from exc


# --- products -------------------------------------------------------------------------------------


async def get_product(session: AsyncSession, ctx: OrgContext, product_id: uuid.UUID) -> Product:
    product = await session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(*_LOAD)
        .execution_options(populate_existing=True)
    )
    if product is None:
        raise NotFound("product not found")
    return product


async def create_product(session: AsyncSession, ctx: OrgContext, data: ProductIn) -> Product:
    await _check_skus(session, [(f"variants.{i}.sku", v.sku) for i, v in enumerate(data.variants)])
    errors: list[FieldError] = []
    product = Product(
        org_id=ctx.org_id,
        title=data.title,
        description=data.description or "",
        brand=data.brand,
        category=data.category,
        status=(data.status.value if data.status else "active"),
        images=data.images or [],
        attributes=data.attributes or {},
    )
    product.variants = [
        _new_variant(ctx.org_id, v, i, f"variants.{i}", errors) for i, v in enumerate(data.variants)
    ]
    if errors:
        raise ValidationFailed("some fields are invalid", errors=errors)
    session.add(product)
    await _flush(session)
    await _open_stock(session, ctx.org_id, list(zip(product.variants, data.variants, strict=True)))
    after = snapshot(product) | {"variants": [variant_snapshot(v) for v in product.variants]}
    await audit.record(session, ctx, "product.created", "product", product.id, after=after)
    return await get_product(session, ctx, product.id)


async def update_product(
    session: AsyncSession, ctx: OrgContext, product_id: uuid.UUID, patch: ProductPatch
) -> Product:
    product = await get_product(session, ctx, product_id)
    before = snapshot(product)
    for name in PRODUCT_FIELDS:
        if name in patch.model_fields_set:
            value = getattr(patch, name)
            if value is None and name == "title":
                raise invalid("title", "a product needs a title", "required")
            if value is None and name in ("images", "attributes", "description"):
                value = [] if name == "images" else ({} if name == "attributes" else "")
            if name == "status" and value is not None:
                value = value.value
            setattr(product, name, value)
    await _flush(session)
    await audit.record(
        session, ctx, "product.updated", "product", product.id, before=before, after=snapshot(product)
    )
    return await get_product(session, ctx, product.id)


async def delete_product(session: AsyncSession, ctx: OrgContext, product_id: uuid.UUID) -> None:
    product = await get_product(session, ctx, product_id)
    before = snapshot(product) | {"variants": [v.sku for v in product.variants]}
    await session.delete(product)
    await _flush(session)
    await audit.record(session, ctx, "product.deleted", "product", product_id, before=before)


async def list_products(
    session: AsyncSession,
    ctx: OrgContext,
    filters: ProductFilter,
    *,
    sort: Sort,
    cursor: str | None,
    limit: int,
) -> Page[Product]:
    stmt: Select[Any] = select(Product)
    if filters.q:
        like = f"%{_escape_like(filters.q)}%"
        stmt = stmt.where(
            or_(
                Product.title.ilike(like, escape="\\"),
                exists().where(Variant.product_id == Product.id, Variant.sku.ilike(like, escape="\\")),
            )
        )
    if filters.brand:
        stmt = stmt.where(Product.brand == filters.brand)
    if filters.category:
        stmt = stmt.where(Product.category == filters.category)
    if filters.status:
        stmt = stmt.where(Product.status == filters.status)
    if filters.sku:
        stmt = stmt.where(
            exists().where(Variant.product_id == Product.id, func.lower(Variant.sku) == filters.sku.lower())
        )
    stmt = paginate(stmt, sort=sort, id_column=Product.id, cursor=cursor, limit=limit).options(*_LOAD)
    rows = list((await session.scalars(stmt)).all())
    column_name = sort.column.key
    return page_of(
        rows,
        limit=_fitting(rows, limit),
        sort_value=lambda p: getattr(p, column_name),
        row_id=lambda p: p.id,
    )


def _fitting(rows: list[Product], limit: int) -> int:
    """How many products of `rows` one page holds: at most `limit`, and no more variants in all than
    MAX_PAGE_VARIANTS (a page of 20 products of 200 variants would weigh 10 MB); at least one product."""
    total = 0
    for count, product in enumerate(rows[:limit]):
        total += len(product.variants)
        if total > MAX_PAGE_VARIANTS:
            return max(count, 1)
    return limit


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- variants -------------------------------------------------------------------------------------


async def _get_variant(session: AsyncSession, variant_id: uuid.UUID) -> Variant:
    variant = await session.scalar(
        select(Variant)
        .where(Variant.id == variant_id)
        .options(selectinload(Variant.prices), selectinload(Variant.inventory))
        .execution_options(populate_existing=True)
    )
    if variant is None:
        raise NotFound("variant not found")
    return variant


async def add_variant(
    session: AsyncSession, ctx: OrgContext, product_id: uuid.UUID, data: VariantIn
) -> Product:
    product = await get_product(session, ctx, product_id)
    await _check_skus(session, [("sku", data.sku)])
    errors: list[FieldError] = []
    position = max((v.position for v in product.variants), default=-1) + 1
    variant = _new_variant(ctx.org_id, data, position, "", errors)
    if errors:
        raise ValidationFailed("some fields are invalid", errors=_strip(errors))
    variant.product_id = product.id
    session.add(variant)
    await _flush(session)
    await _open_stock(session, ctx.org_id, [(variant, data)])
    await audit.record(
        session, ctx, "variant.created", "variant", variant.id, after=variant_snapshot(variant)
    )
    return await get_product(session, ctx, product_id)


def _strip(errors: list[FieldError]) -> list[FieldError]:
    return [FieldError(e.field.lstrip("."), e.code, e.message) for e in errors]


async def update_variant(
    session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID, patch: VariantPatch
) -> Product:
    variant = await _get_variant(session, variant_id)
    if patch.sku is not None and patch.sku.lower() != variant.sku.lower():
        await _check_skus(session, [("sku", patch.sku)], exclude=variant.id)
    before = variant_snapshot(variant)
    errors: list[FieldError] = []
    _apply_variant(variant, patch, "", errors)
    if errors:
        raise ValidationFailed("some fields are invalid", errors=_strip(errors))
    await _flush(session)
    await audit.record(
        session, ctx, "variant.updated", "variant", variant.id, before=before, after=variant_snapshot(variant)
    )
    return await get_product(session, ctx, variant.product_id)


async def delete_variant(session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID) -> None:
    variant = await _get_variant(session, variant_id)
    count = await session.scalar(
        select(func.count()).select_from(Variant).where(Variant.product_id == variant.product_id)
    )
    if (count or 0) <= 1:
        raise Conflict("a product keeps at least one variant; delete the product instead")
    before = variant_snapshot(variant)
    await session.execute(delete(Variant).where(Variant.id == variant.id))
    await audit.record(session, ctx, "variant.deleted", "variant", variant_id, before=before)


async def set_inventory(
    session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID, data: InventoryIn
) -> Inventory:
    variant = await _get_variant(session, variant_id)
    locked = await inventory.lock_inventory(session, ctx.org_id, [variant.id])
    inv = locked[variant.id]
    before = {"on_hand": inv.on_hand, "safety_buffer": inv.safety_buffer}
    if data.on_hand < inv.reserved:
        raise invalid(
            "on_hand",
            f"on hand cannot be below the {inv.reserved} units reserved by open orders",
            "below_reserved",
        )
    inv.safety_buffer = data.safety_buffer
    await inventory.manual_adjust(session, ctx.org_id, inv, on_hand=data.on_hand, note="set through the API")
    await _flush(session)
    await audit.record(
        session,
        ctx,
        "inventory.set",
        "variant",
        variant.id,
        before=before,
        after={"on_hand": inv.on_hand, "safety_buffer": inv.safety_buffer},
    )
    return inv
