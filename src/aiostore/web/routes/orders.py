"""Orders from every shop: list, detail (buyer PII masked below admin), ship and cancel as jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, StringConstraints, model_validator

from aiostore.connectors.dtos import CancelReason, ShipMethod
from aiostore.db.models import Customer, Order, OrderLine
from aiostore.domain.market import Currency, MarketCode
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.domain.permissions import Permission
from aiostore.domain.pii import mask_address, mask_email, mask_name, mask_phone
from aiostore.errors import Conflict
from aiostore.input_policy import Day
from aiostore.services import audit, orders
from aiostore.services.context import OrgContext
from aiostore.services.sync import jobs
from aiostore.web.deps import AppSettings, RequirePermission, Session
from aiostore.web.routes.common import Cursor, Limit, PageOut, StrictModel
from aiostore.web.routes.jobs import JobOut

router = APIRouter(prefix="/api/orders", tags=["orders"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.ORDERS_WRITE)]


class MoneyOut(BaseModel):
    amount: str
    currency: str
    amount_minor: int

    @classmethod
    def of(cls, amount: int, currency: str) -> MoneyOut:
        money = Money(amount, Currency(currency))
        return cls(amount=str(money.to_major()), currency=currency, amount_minor=amount)


class OrderOut(BaseModel):
    id: uuid.UUID
    channel_account_id: uuid.UUID
    platform_order_id: str
    market: str
    status: str
    platform_status: str
    total: MoneyOut
    placed_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    platform_updated_at: datetime
    tracking_number: str | None
    oversold: bool

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        return cls(
            id=o.id,
            channel_account_id=o.channel_account_id,
            platform_order_id=o.platform_order_id,
            market=o.market,
            status=o.status,
            platform_status=o.platform_status,
            total=MoneyOut.of(o.total_amount, o.currency),
            placed_at=o.placed_at,
            paid_at=o.paid_at,
            shipped_at=o.shipped_at,
            platform_updated_at=o.platform_updated_at,
            tracking_number=o.tracking_number,
            oversold=o.oversold,
        )


class LineOut(BaseModel):
    id: uuid.UUID
    sku: str | None
    title: str
    quantity: int
    unit_price: MoneyOut
    variant_id: uuid.UUID | None
    platform_item_id: str | None
    platform_variant_id: str | None
    stock_state: str

    @classmethod
    def of(cls, line: OrderLine) -> LineOut:
        return cls(
            id=line.id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            unit_price=MoneyOut.of(line.unit_price, line.currency),
            variant_id=line.variant_id,
            platform_item_id=line.platform_item_id,
            platform_variant_id=line.platform_model_id,
            stock_state=line.stock_state,
        )


class CustomerOut(BaseModel):
    name: str | None
    phone: str | None
    email: str | None
    address: dict[str, Any]
    masked: bool

    @classmethod
    def of(cls, c: Customer, *, unmasked: bool) -> CustomerOut:
        if unmasked:
            return cls(name=c.name, phone=c.phone, email=c.email, address=c.address, masked=False)
        return cls(
            name=mask_name(c.name),
            phone=mask_phone(c.phone),
            email=mask_email(c.email),
            address=mask_address(c.address),
            masked=True,
        )


class OrderDetailOut(OrderOut):
    lines: list[LineOut]
    customer: CustomerOut | None
    shop_name: str
    platform: str
    cancel_reason: str | None


class ShipIn(StrictModel):
    method: ShipMethod = ShipMethod.AUTO
    tracking_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100)] | None
    ) = None

    @model_validator(mode="after")
    def _tracking(self) -> ShipIn:
        if self.method is ShipMethod.SELF and not self.tracking_number:
            raise ValueError("shipping with your own courier needs a tracking_number")
        return self


class CancelIn(StrictModel):
    reason: CancelReason
    note: str | None = Field(default=None, max_length=500)


@router.get("")
async def list_orders(
    session: Session,
    ctx: Read,
    channel_account_id: uuid.UUID | None = None,
    market: MarketCode | None = None,
    status: OrderStatus | None = None,
    placed_from: Annotated[
        Day | None, Query(description="first day, in the order's market time zone")
    ] = None,
    placed_to: Annotated[
        Day | None, Query(description="last day (inclusive), in the market's time zone")
    ] = None,
    oversold: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="a platform order id")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[OrderOut]:
    """Orders, newest first."""
    f = orders.OrderFilter(channel_account_id, market, status, placed_from, placed_to, oversold, q)
    page = await orders.list_orders(session, ctx, f, cursor=cursor, limit=limit)
    return PageOut(items=[OrderOut.of(o) for o in page.items], next_cursor=page.next_cursor)


@router.get("/{order_id}")
async def get_order(order_id: uuid.UUID, session: Session, ctx: Read) -> OrderDetailOut:
    """One order with its lines and buyer; the buyer's details are masked unless you are admin or owner."""
    d = await orders.get_order(session, ctx, order_id)
    customer = CustomerOut.of(d.customer, unmasked=ctx.can(Permission.PII_READ)) if d.customer else None
    return OrderDetailOut(
        **OrderOut.of(d.order).model_dump(),
        lines=[LineOut.of(line) for line in d.lines],
        customer=customer,
        shop_name=d.channel.shop_name,
        platform=d.channel.platform,
        cancel_reason=d.order.cancel_reason,
    )


async def _job(
    session: Session,
    ctx: OrgContext,
    settings: AppSettings,
    order_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
) -> JobOut:
    d = await orders.get_order(session, ctx, order_id)
    if kind == "ship_order" and d.order.status != OrderStatus.TO_SHIP.value:
        raise Conflict(f"only orders to ship can be shipped; this one is {d.order.status}")
    if kind == "cancel_order" and d.order.status not in (OrderStatus.UNPAID.value, OrderStatus.TO_SHIP.value):
        raise Conflict(f"only unpaid or to-ship orders can be cancelled; this one is {d.order.status}")
    job = await jobs.create(
        session,
        ctx.org_id,
        kind,
        channel_account_id=d.order.channel_account_id,
        params={"order_id": str(order_id), **params},
        dry_run=settings.write_mode.value != "live",
        started_by="user",
        user_id=ctx.actor.user_id,
    )
    await audit.record(session, ctx, f"order.{kind.split('_')[0]}_requested", "order", order_id, after=params)
    return JobOut.of(job)


@router.post("/{order_id}/ship", status_code=status.HTTP_202_ACCEPTED)
async def ship(
    order_id: uuid.UUID, body: ShipIn, session: Session, ctx: Write, settings: AppSettings
) -> JobOut:
    """Arrange shipment through the platform (pickup, drop-off, or your courier's tracking number)."""
    return await _job(
        session, ctx, settings, order_id, "ship_order", body.model_dump(mode="json", exclude_none=True)
    )


@router.post("/{order_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel(
    order_id: uuid.UUID, body: CancelIn, session: Session, ctx: Write, settings: AppSettings
) -> JobOut:
    """Cancel through the platform with a reason; the stock it held is released when it is cancelled."""
    return await _job(
        session, ctx, settings, order_id, "cancel_order", body.model_dump(mode="json", exclude_none=True)
    )
