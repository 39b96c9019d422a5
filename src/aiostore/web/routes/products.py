"""The master catalog: products with variants, per-market prices and inventory."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from aiostore.db.models import Inventory, Product, Variant
from aiostore.domain.inventory import available_to_sell
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.permissions import Permission
from aiostore.services.catalog import products as catalog
from aiostore.services.catalog.schemas import InventoryIn, ProductIn, ProductPatch, VariantIn, VariantPatch
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import Cursor, Limit, PageOut

router = APIRouter(prefix="/api", tags=["catalog"])

Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]


class MoneyOut(BaseModel):
    amount: str
    currency: Currency
    amount_minor: int

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=str(money.to_major()), currency=money.currency, amount_minor=money.amount)


class InventoryOut(BaseModel):
    on_hand: int
    reserved: int
    safety_buffer: int
    available: int

    @classmethod
    def of(cls, inv: Inventory | None) -> InventoryOut:
        if inv is None:
            return cls(on_hand=0, reserved=0, safety_buffer=0, available=0)
        return cls(
            on_hand=inv.on_hand,
            reserved=inv.reserved,
            safety_buffer=inv.safety_buffer,
            available=available_to_sell(inv.on_hand, inv.reserved, inv.safety_buffer),
        )


class VariantOut(BaseModel):
    id: uuid.UUID
    sku: str
    option_values: dict[str, Any]
    barcode: str | None
    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    images: list[str]
    attributes: dict[str, Any]
    prices: dict[MarketCode, MoneyOut]
    min_prices: dict[MarketCode, MoneyOut]
    cost: MoneyOut | None
    inventory: InventoryOut

    @classmethod
    def of(cls, v: Variant) -> VariantOut:
        cost = (
            Money(v.cost_amount, Currency(v.cost_currency))
            if v.cost_amount is not None and v.cost_currency
            else None
        )
        return cls(
            id=v.id,
            sku=v.sku,
            option_values=v.option_values,
            barcode=v.barcode,
            weight_grams=v.weight_grams,
            length_mm=v.length_mm,
            width_mm=v.width_mm,
            height_mm=v.height_mm,
            images=v.images,
            attributes=v.attributes,
            prices={
                MarketCode(p.market): MoneyOut.of(Money(p.amount, Currency(p.currency))) for p in v.prices
            },
            min_prices={
                MarketCode(p.market): MoneyOut.of(Money(p.min_amount, Currency(p.currency)))
                for p in v.prices
                if p.min_amount is not None
            },
            cost=MoneyOut.of(cost) if cost else None,
            inventory=InventoryOut.of(v.inventory),
        )


class ProductOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    brand: str | None
    category: str | None
    status: str
    images: list[str]
    attributes: dict[str, Any]
    variants: list[VariantOut]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Product) -> ProductOut:
        return cls(
            id=p.id,
            title=p.title,
            description=p.description,
            brand=p.brand,
            category=p.category,
            status=p.status,
            images=p.images,
            attributes=p.attributes,
            variants=[VariantOut.of(v) for v in p.variants],
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


@router.post("/products", status_code=status.HTTP_201_CREATED)
async def create_product(body: ProductIn, session: Session, ctx: Write) -> ProductOut:
    """Create a product with its variants. Prices are decimal strings in the market's currency
    (IDR whole rupiah; SGD and MYR at most 2 decimals)."""
    return ProductOut.of(await catalog.create_product(session, ctx, body))


@router.get("/products")
async def list_products(
    session: Session,
    ctx: Read,
    q: Annotated[str | None, Query(max_length=200, description="text in title or SKU")] = None,
    brand: Annotated[str | None, Query(max_length=120)] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    sku: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(pattern="^(active|draft|archived)$")] = None,
    sort: Annotated[
        str, Query(description="created_at, updated_at or title; '-' for descending")
    ] = "-created_at",
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[ProductOut]:
    """Products with their variants. A page ends early when its products hold more than 500 variants
    in all (`next_cursor` continues it), so that one page never weighs megabytes."""
    filters = catalog.ProductFilter(q=q, brand=brand, category=category, sku=sku, status=status)
    page = await catalog.list_products(
        session, ctx, filters, sort=catalog.parse_sort(sort), cursor=cursor, limit=limit
    )
    return PageOut(items=[ProductOut.of(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/products/{product_id}")
async def get_product(product_id: uuid.UUID, session: Session, ctx: Read) -> ProductOut:
    return ProductOut.of(await catalog.get_product(session, ctx, product_id))


@router.patch("/products/{product_id}")
async def update_product(
    product_id: uuid.UUID, body: ProductPatch, session: Session, ctx: Write
) -> ProductOut:
    return ProductOut.of(await catalog.update_product(session, ctx, product_id, body))


@router.delete("/products/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_product(product_id: uuid.UUID, session: Session, ctx: Write) -> None:
    await catalog.delete_product(session, ctx, product_id)


@router.post("/products/{product_id}/variants", status_code=status.HTTP_201_CREATED)
async def add_variant(product_id: uuid.UUID, body: VariantIn, session: Session, ctx: Write) -> ProductOut:
    return ProductOut.of(await catalog.add_variant(session, ctx, product_id, body))


@router.patch("/variants/{variant_id}")
async def update_variant(
    variant_id: uuid.UUID, body: VariantPatch, session: Session, ctx: Write
) -> ProductOut:
    """Change a variant; in `prices`, a market set to null removes that market's price."""
    return ProductOut.of(await catalog.update_variant(session, ctx, variant_id, body))


@router.delete("/variants/{variant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_variant(variant_id: uuid.UUID, session: Session, ctx: Write) -> None:
    await catalog.delete_variant(session, ctx, variant_id)


@router.put("/variants/{variant_id}/inventory")
async def set_inventory(
    variant_id: uuid.UUID, body: InventoryIn, session: Session, ctx: Write
) -> InventoryOut:
    """Set on-hand stock and the safety buffer (reserved stock follows orders and cannot be set)."""
    return InventoryOut.of(await catalog.set_inventory(session, ctx, variant_id, body))
