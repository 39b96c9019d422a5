"""Orders: ingest what a platform says (upsert, newer wins), move stock, list and show (PII masked)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import OrderDTO, OrderRef
from aiostore.db.models import ChannelAccount, Customer, Listing, Order, OrderLine, Variant
from aiostore.domain.market import MARKETS, MarketCode
from aiostore.domain.orders import RELEASED, OrderStatus, status_rank
from aiostore.errors import NotFound, invalid
from aiostore.services import inventory
from aiostore.services.context import OrgContext
from aiostore.services.pagination import Page, Sort, page_of, paginate


@dataclass(frozen=True, slots=True)
class Ingested:
    order: Order
    created: bool
    stale: bool  # the platform's copy was older than ours: nothing changed
    shops: set[uuid.UUID]  # whose listings were marked dirty (stock moved, or the origin shop is sent ours)


def _customer_key(dto: OrderDTO) -> str:
    buyer = dto.buyer
    if buyer.user_id:
        return buyer.user_id
    if buyer.username:
        return f"user:{buyer.username}"
    basis = f"{buyer.address.name}|{buyer.address.phone}|{buyer.email}"
    return "anon:" + hashlib.sha256(basis.encode()).hexdigest()[:24]


async def _upsert_customer(
    session: AsyncSession, org_id: uuid.UUID, channel: ChannelAccount, dto: OrderDTO
) -> Customer | None:
    buyer = dto.buyer
    if not (buyer.user_id or buyer.username or buyer.address.name or buyer.email):
        return None
    key = _customer_key(dto)
    customer = await session.scalar(
        select(Customer).where(
            Customer.channel_account_id == channel.id, Customer.platform_customer_id == key
        )
    )
    if customer is None:
        customer = Customer(
            org_id=org_id, channel_account_id=channel.id, platform_customer_id=key, address={}
        )
        session.add(customer)
    address = buyer.address
    # Later orders may carry masked PII (platforms mask after completion): keep what we know then.
    if address.name and "*" not in address.name:
        customer.name = address.name
    if address.phone and "*" not in address.phone:
        customer.phone = address.phone
    if buyer.email and "*" not in buyer.email:
        customer.email = buyer.email
    fields = {
        k: getattr(address, k)
        for k in ("full_address", "district", "city", "state", "postal_code", "country")
    }
    if any(v and "*" not in v for v in fields.values()):
        customer.address = fields
    await session.flush()
    return customer


VariantRef = tuple[uuid.UUID | None, uuid.UUID | None]  # (variant_id, listing_id)


async def _variant_map(
    session: AsyncSession, channel: ChannelAccount, dto: OrderDTO
) -> dict[tuple[str, str], VariantRef]:
    """(item, variant) -> (variant_id, listing_id): by the channel's listing first, then by seller SKU."""
    found: dict[tuple[str, str], VariantRef] = {}
    item_ids = sorted({line.item_id for line in dto.lines})
    if item_ids:
        rows = await session.execute(
            select(Listing.platform_item_id, Listing.platform_model_id, Listing.variant_id, Listing.id).where(
                Listing.channel_account_id == channel.id, Listing.platform_item_id.in_(item_ids)
            )
        )
        for item_id, model_id, variant_id, listing_id in rows.all():
            found[(item_id, model_id or "0")] = (variant_id, listing_id)
    unmatched = [
        line
        for line in dto.lines
        if line.seller_sku and found.get((line.item_id, line.variant_id), (None, None))[0] is None
    ]
    if unmatched:
        skus = {line.seller_sku.lower() for line in unmatched}
        sku_rows = await session.execute(
            select(func.lower(Variant.sku), Variant.id).where(func.lower(Variant.sku).in_(skus))
        )
        by_sku: dict[str, uuid.UUID] = {sku: variant_id for sku, variant_id in sku_rows.all()}
        for line in unmatched:
            key = (line.item_id, line.variant_id)
            if line.seller_sku.lower() in by_sku:
                found[key] = (by_sku[line.seller_sku.lower()], found.get(key, (None, None))[1])
    return found


def is_stale(order: Order, dto: OrderDTO) -> bool:
    """The platform's copy is older than ours: an earlier update time, or the same one with a status
    earlier in the order's life (the order's version is (update time, status rank): applying only newer
    versions never regresses a status, so stock never moves back and forth)."""
    if order.platform_updated_at != dto.updated_at:
        return order.platform_updated_at > dto.updated_at
    return dto.status is not None and status_rank(dto.status.value) < status_rank(order.status)


RELEASED_VALUES = frozenset(s.value for s in RELEASED)


def resends_origin(previous: str | None, status: str) -> bool:
    """Whether an order reaching `status` from `previous` (None: first seen) must have our available
    quantity sent again to its own shop's listings, whether or not our stock moves.

    Cancelled and returned: the platform's own stock of the order's items may now differ from ours. It
    took the units at payment and may keep them on a return (Tokopedia's 550 does) or give them back on
    a cancellation; an order first seen there never moved our stock at all, so nothing else would mark
    the origin listing, while its last push (before the sale) still looks current. One batched write."""
    return status in RELEASED_VALUES and status != previous


def is_newer(dto: OrderDTO, updated_at: datetime, status: str) -> bool:
    """The platform's copy is a later version than (updated_at, status), the one we hold."""
    if dto.updated_at != updated_at:
        return dto.updated_at > updated_at
    return dto.status is not None and status_rank(dto.status.value) > status_rank(status)


def ref_is_newer(ref: OrderRef, updated_at: datetime, status: str, platform_status: str) -> bool:
    """Whether an order list's row may show a later version than the one we hold (update time, unified
    status, the platform's own status), so that the order's detail must be read. A row without a status
    is always read (what we cannot compare, we read). With an update time, `is_newer`: a later time is
    newer, an earlier one (or the same time at an earlier status) stale. A row without one (Shopee's
    and Tokopedia's lists) proves we hold it only by the same status, unified and the platform's own:
    two platform statuses can share one unified status, and an earlier status may be a later change."""
    if ref.status is None:
        return True
    if ref.updated_at is not None and ref.updated_at != updated_at:
        return ref.updated_at > updated_at
    if ref.updated_at is not None and status_rank(ref.status.value) < status_rank(status):
        return False
    return ref.status.value != status or (
        bool(ref.platform_status) and ref.platform_status != platform_status
    )


async def ingest(
    session: AsyncSession, org_id: uuid.UUID, channel: ChannelAccount, dto: OrderDTO
) -> Ingested:
    """Upsert one order as the platform reports it and apply its stock effect. Idempotent."""
    # One order at a time, whoever else (a webhook, a pull) is processing it.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"order:{channel.id}:{dto.order_id}"}
    )
    order = await session.scalar(
        select(Order)
        .where(Order.channel_account_id == channel.id, Order.platform_order_id == dto.order_id)
        .execution_options(populate_existing=True)
    )
    created = order is None
    if order is not None and is_stale(order, dto):
        return Ingested(order, False, True, set())
    customer = await _upsert_customer(session, org_id, channel, dto)
    status = dto.status.value if dto.status else (order.status if order else OrderStatus.UNPAID.value)
    resend = resends_origin(order.status if order else None, status)
    total = dto.total.amount if dto.total else 0
    if order is None:
        order = Order(
            org_id=org_id,
            channel_account_id=channel.id,
            platform_order_id=dto.order_id,
            market=channel.market,
            placed_at=dto.created_at,
            raw={},
        )
        session.add(order)
    order.customer_id = customer.id if customer else order.customer_id
    order.status = status
    order.platform_status = dto.platform_status
    order.currency = dto.currency
    order.total_amount = total
    order.paid_at = dto.paid_at or order.paid_at
    order.platform_updated_at = dto.updated_at
    order.cancel_reason = dto.cancel_reason or order.cancel_reason
    tracking = next((p.tracking_number for p in dto.packages if p.tracking_number), None)
    order.tracking_number = tracking or order.tracking_number
    if dto.status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED) and order.shipped_at is None:
        order.shipped_at = dto.updated_at
    await session.flush()
    # An order created just now (under its lock) has no lines yet: nothing to read.
    lines = (
        []
        if created
        else list((await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))).all())
    )
    known = {line.platform_line_id for line in lines}
    mapping = await _variant_map(session, channel, dto)
    for dline in dto.lines:
        if dline.line_id in known:
            continue
        variant_id, listing_id = mapping.get((dline.item_id, dline.variant_id), (None, None))
        line = OrderLine(
            org_id=org_id,
            order_id=order.id,
            variant_id=variant_id,
            listing_id=listing_id,
            platform_line_id=dline.line_id,
            platform_item_id=dline.item_id,
            platform_model_id=dline.variant_id,
            sku=dline.seller_sku,
            title=(dline.name + (f" ({dline.variant_name})" if dline.variant_name else ""))[:300],
            quantity=dline.quantity,
            unit_price=dline.unit_price.amount,
            currency=dline.unit_price.currency.value,
            stock_state=inventory.NONE,
        )
        session.add(line)
        lines.append(line)
    await session.flush()
    shops = await inventory.apply_order_status(session, org_id, order, lines, resend_origin=resend)
    return Ingested(order, created, False, shops)


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderFilter:
    channel_account_id: uuid.UUID | None = None
    market: MarketCode | None = None
    status: OrderStatus | None = None
    placed_from: date | None = None  # in the order's market time zone
    placed_to: date | None = None  # inclusive
    oversold: bool | None = None
    q: str | None = None  # platform order id


def local_date(column: Any) -> Any:
    """The order's placement date in its market's time zone."""
    zone = case(*[(Order.market == code.value, m.time_zone) for code, m in MARKETS.items()], else_="UTC")
    return func.date(func.timezone(zone, column))


async def list_orders(
    session: AsyncSession, ctx: OrgContext, f: OrderFilter, *, cursor: str | None, limit: int
) -> Page[Order]:
    stmt: Select[Any] = select(Order)
    if f.channel_account_id:
        stmt = stmt.where(Order.channel_account_id == f.channel_account_id)
    if f.market:
        stmt = stmt.where(Order.market == f.market.value)
    if f.status:
        stmt = stmt.where(Order.status == f.status.value)
    if f.oversold is not None:
        stmt = stmt.where(Order.oversold.is_(f.oversold))
    if f.q:
        stmt = stmt.where(Order.platform_order_id == f.q)
    if f.placed_from and f.placed_to and f.placed_from > f.placed_to:
        raise invalid("placed_to", "must not be before placed_from")
    if f.placed_from:
        # A coarse UTC bound keeps the index usable; the exact local-date test follows.
        stmt = stmt.where(Order.placed_at >= datetime.combine(f.placed_from - timedelta(days=1), time.min))
        stmt = stmt.where(local_date(Order.placed_at) >= f.placed_from)
    if f.placed_to:
        stmt = stmt.where(Order.placed_at < datetime.combine(f.placed_to + timedelta(days=2), time.min))
        stmt = stmt.where(local_date(Order.placed_at) <= f.placed_to)
    sort = Sort(Order.placed_at, descending=True, kind="datetime")
    stmt = paginate(stmt, sort=sort, id_column=Order.id, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    return page_of(rows, limit=limit, sort_value=lambda o: o.placed_at, row_id=lambda o: o.id)


@dataclass(frozen=True, slots=True)
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    customer: Customer | None
    channel: ChannelAccount


async def get_order(session: AsyncSession, ctx: OrgContext, order_id: uuid.UUID) -> OrderDetail:
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound("order not found")
    lines = list(
        (
            await session.scalars(
                select(OrderLine)
                .where(OrderLine.order_id == order.id)
                .order_by(OrderLine.created_at, OrderLine.id)
            )
        ).all()
    )
    customer = await session.get(Customer, order.customer_id) if order.customer_id else None
    channel = await session.get(ChannelAccount, order.channel_account_id)
    assert channel is not None  # noqa: S101
    return OrderDetail(order, lines, customer, channel)
