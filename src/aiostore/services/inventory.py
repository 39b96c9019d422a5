"""Stock that follows every sale: reservations, deductions and releases, each a ledger row.

An order line's `stock_state` says what it does to stock now (none, reserved, deducted, released);
applying an order status moves each line to the state that status implies, and only the difference
moves stock. Applying the same status twice moves nothing, so replays and duplicate webhooks are
harmless. Inventory rows are locked (FOR UPDATE, in id order) for the movement, so two sales of the
last unit on two channels serialise: the first takes it, the second is flagged oversold, and every
channel is then pushed 0.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db import bulk
from aiostore.db.models import Inventory, InventoryMovement, Listing, Order, OrderLine, Variant
from aiostore.domain.inventory import available_to_sell
from aiostore.domain.orders import DEDUCTED, RELEASED, RESERVING, OrderStatus
from aiostore.errors import NotFound
from aiostore.services.alerts import triggers
from aiostore.services.pagination import Page, Sort, page_of, paginate
from aiostore.services.sync.push import queue_pushes

NONE, RESERVED, DEDUCTED_STATE, RELEASED_STATE = "none", "reserved", "deducted", "released"
OPENING_NOTE = "opening stock, set when the variant was created"


def line_state_for(status: OrderStatus | None, current: str) -> str:
    """The stock state an order line should be in for an order status (unknown status: unchanged)."""
    if status is None:
        return current
    if status in RESERVING:
        return RESERVED
    if status in DEDUCTED:
        return DEDUCTED_STATE
    if status in RELEASED:
        # A line that never held stock has nothing to release.
        return RELEASED_STATE if current in (RESERVED, DEDUCTED_STATE) else current
    return current


def deltas(old: str, new: str, quantity: int) -> tuple[int, int]:
    """(on_hand delta, reserved delta) for moving a line of `quantity` from one state to another."""
    if old == new:
        return 0, 0
    before = _holds(old, quantity)
    after = _holds(new, quantity)
    return after[0] - before[0], after[1] - before[1]


def _holds(state: str, quantity: int) -> tuple[int, int]:
    # Relative to a line that never touched stock: deducted units left on_hand; reserved units are held.
    if state == RESERVED:
        return 0, quantity
    if state == DEDUCTED_STATE:
        return -quantity, 0
    return 0, 0  # none, released (a return puts the units back on hand)


@dataclass(frozen=True, slots=True)
class Movement:
    variant_id: uuid.UUID
    on_hand_delta: int
    reserved_delta: int
    line: OrderLine | None = None


async def lock_inventory(
    session: AsyncSession, org_id: uuid.UUID, variant_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Inventory]:
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = await session.scalars(
        select(Inventory)
        .where(Inventory.variant_id.in_(ids))
        .order_by(Inventory.variant_id)
        .with_for_update()
    )
    found = {row.variant_id: row for row in rows.all()}
    for variant_id in ids:
        if variant_id not in found:
            inv = Inventory(org_id=org_id, variant_id=variant_id, on_hand=0, reserved=0, safety_buffer=0)
            session.add(inv)
            found[variant_id] = inv
    await session.flush()
    return found


async def lock_levels(
    session: AsyncSession, org_id: uuid.UUID, variant_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int, int]]:
    """`lock_inventory` for bulk changes: the same locks in the same order (FOR UPDATE, variant order;
    a missing row is created at 0), but each variant's (on hand, reserved, buffer) as plain values
    instead of 10,000 ORM objects."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Inventory.variant_id, Inventory.on_hand, Inventory.reserved, Inventory.safety_buffer)
        .where(bulk.among(Inventory.variant_id, ids))
        .order_by(Inventory.variant_id)
        .with_for_update()
    )
    found = {variant_id: (on_hand, reserved, buffer) for variant_id, on_hand, reserved, buffer in rows}
    missing = [variant_id for variant_id in ids if variant_id not in found]
    if missing:
        await session.execute(
            insert(Inventory),
            [
                {"org_id": org_id, "variant_id": v, "on_hand": 0, "reserved": 0, "safety_buffer": 0}
                for v in missing
            ],
        )
        found |= dict.fromkeys(missing, (0, 0, 0))
    return found


async def apply_order_status(
    session: AsyncSession,
    org_id: uuid.UUID,
    order: Order,
    lines: list[OrderLine],
    *,
    resend_origin: bool = False,
) -> set[uuid.UUID]:
    """Move each line's stock to what the order's status implies. Returns the shops whose listings were
    marked dirty (stock moved, or `resend_origin`; none: nothing moved): the caller queues their pushes
    (`push.queue_pushes`).

    Flags the order oversold when a new reservation or deduction finds fewer units available than it
    needs (the sale already happened on the platform: it is recorded, never refused).

    With `resend_origin` (see `orders.resends_origin`), the order's own shop's listings of its lines'
    variants are marked too, even when our stock did not move: the platform's own stock there may have
    moved without ours (it took the units at payment and kept them on a return), and only a push of
    our available quantity puts it right. One statement marks both, so listings are locked in id order.
    """
    status = OrderStatus(order.status) if order.status in OrderStatus._value2member_map_ else None
    changes: list[tuple[OrderLine, str]] = []
    for line in lines:
        if line.variant_id is None:
            continue
        target = line_state_for(status, line.stock_state)
        if target != line.stock_state:
            changes.append((line, target))
    resend = sorted({line.variant_id for line in lines if line.variant_id}) if resend_origin else []
    if not changes and not resend:
        return set()
    stock = await lock_inventory(session, org_id, [line.variant_id for line, _ in changes if line.variant_id])
    was_oversold = order.oversold
    moved: set[uuid.UUID] = set()
    at = datetime.now(UTC)  # the movements' time, and the sale's in the other shops' listings
    for line, target in changes:
        assert line.variant_id is not None  # noqa: S101
        inv = stock[line.variant_id]
        d_on_hand, d_reserved = deltas(line.stock_state, target, line.quantity)
        taking = line.stock_state in (NONE, RELEASED_STATE) and target in (RESERVED, DEDUCTED_STATE)
        if taking and available_to_sell(inv.on_hand, inv.reserved, 0) < line.quantity:
            order.oversold = True
        new_on_hand = inv.on_hand + d_on_hand
        if new_on_hand < 0:  # sold more than we had: the shortfall is the oversell, stock stays at 0
            order.oversold = True
            d_on_hand = -inv.on_hand
            new_on_hand = 0
        inv.on_hand = new_on_hand
        inv.reserved = max(0, inv.reserved + d_reserved)
        session.add(
            InventoryMovement(
                org_id=org_id,
                variant_id=line.variant_id,
                cause="order",
                on_hand_delta=d_on_hand,
                reserved_delta=d_reserved,
                on_hand_after=inv.on_hand,
                reserved_after=inv.reserved,
                order_id=order.id,
                order_line_id=line.id,
                note=f"{line.stock_state}->{target}",
                created_at=at,
            )
        )
        line.stock_state = target
        moved.add(line.variant_id)
    which = [bulk.among(Listing.variant_id, sorted(moved))] if moved else []
    if resend:
        origin = Listing.channel_account_id == order.channel_account_id
        which.append(and_(origin, bulk.among(Listing.variant_id, resend)))
    shops = await mark_listings_where(session, or_(*which), sale=Sale(at, order.channel_account_id))
    await session.flush()
    if order.oversold and not was_oversold:
        await triggers.evaluate_soon(session, org_id)
    return shops


@dataclass(frozen=True, slots=True)
class Sale:
    """A sale's stock movement: when it was recorded and in which shop (the other shops' listings note it
    until a push carries it: the operations report's propagation)."""

    at: datetime
    shop_id: uuid.UUID


SALES_KEPT = 50  # pending sale times a listing keeps (the oldest, which the propagation measures)


async def mark_dirty(
    session: AsyncSession, variant_ids: Iterable[uuid.UUID], *, sale: Sale | None = None
) -> set[uuid.UUID]:
    """Every listing of these variants, on every channel, must be pushed the new available quantity.

    Returns the shops (channel account ids) of the listings marked. Rows are locked in id order (as
    pushes do), so concurrent sales and pushes cannot deadlock. The lock is FOR NO KEY UPDATE (what the
    UPDATE takes anyway), not FOR UPDATE: a sale inserting its order lines holds a FOR KEY SHARE lock on
    their listings (the foreign key check) before it locks the inventory, and FOR UPDATE here, taken
    after the inventory, would wait for it: two sales of one variant deadlocked, and a webhook that lost
    every retry to it lost its order.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return set()
    return await mark_listings_where(session, bulk.among(Listing.variant_id, ids), sale=sale)


async def mark_listings_where(
    session: AsyncSession, *where: ColumnElement[bool], sale: Sale | None = None
) -> set[uuid.UUID]:
    """The listings matching `where` must be pushed again (locked as `mark_dirty` says); returns their
    shops. A `sale` is noted in the other shops' listings (`sale_pending`) for the push that carries it."""
    locked = select(Listing.id).where(*where).order_by(Listing.id).with_for_update(key_share=True)
    values: dict[str, Any] = {
        "stock_dirty": True,
        "stock_dirty_at": datetime.now(UTC),
        "stock_version": Listing.stock_version + 1,
    }
    if sale is not None:
        values["sale_pending"] = case(
            (
                and_(
                    Listing.channel_account_id != sale.shop_id,
                    func.cardinality(Listing.sale_pending) < SALES_KEPT,
                ),
                func.array_append(Listing.sale_pending, sale.at),
            ),
            else_=Listing.sale_pending,
        )
    shops = await session.execute(
        update(Listing)
        .where(Listing.id.in_(locked.scalar_subquery()))
        .values(**values)
        .returning(Listing.channel_account_id)
        .execution_options(synchronize_session=False)
    )
    return set(shops.scalars())


async def stock_changed(
    session: AsyncSession,
    org_id: uuid.UUID,
    variant_ids: Iterable[uuid.UUID] = (),
    *,
    listing_ids: Iterable[uuid.UUID] = (),
) -> None:
    """The one path of every change of what a listing should show as stock: mark the listings of these
    variants (and these listings) dirty and ask for their shops' coalesced pushes, in the caller's
    transaction (a rollback leaves neither). Sales take the same two steps (`apply_order_status`, then
    `queue_pushes` once per batch of orders). The listings of both are locked in one statement, in id
    order: two statements would each lock in id order but not the two together."""
    variants, listings = sorted(set(variant_ids)), sorted(set(listing_ids))
    which: list[ColumnElement[bool]] = []
    if variants:
        which.append(bulk.among(Listing.variant_id, variants))
    if listings:
        which.append(and_(bulk.among(Listing.id, listings), Listing.variant_id.is_not(None)))
    shops = await mark_listings_where(session, or_(*which)) if which else set()
    await queue_pushes(session, org_id, shops)


async def mark_listings_dirty(session: AsyncSession, listing_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """These listings (those linked to a variant) must be pushed their stock; returns their shops."""
    ids = sorted(set(listing_ids))
    if not ids:
        return set()
    return await mark_listings_where(session, Listing.id.in_(ids), Listing.variant_id.is_not(None))


async def manual_adjust(
    session: AsyncSession,
    org_id: uuid.UUID,
    inv: Inventory,
    *,
    on_hand: int,
    cause: str = "manual",
    note: str = "",
) -> None:
    """Set on hand (from the API, an import or a sync) as a ledger movement; the listings of the variant
    are marked dirty and their shops' pushes requested (`stock_changed`)."""
    delta = on_hand - inv.on_hand
    inv.on_hand = on_hand
    if delta:
        session.add(
            InventoryMovement(
                org_id=org_id,
                variant_id=inv.variant_id,
                cause=cause,
                on_hand_delta=delta,
                reserved_delta=0,
                on_hand_after=inv.on_hand,
                reserved_after=inv.reserved,
                note=note,
            )
        )
    await stock_changed(session, org_id, [inv.variant_id])


async def open_stock(session: AsyncSession, org_id: uuid.UUID, inv: Inventory, on_hand: int) -> None:
    """A new variant's opening stock (its inventory starts at 0) as a movement, so its ledger explains
    the number from the start."""
    if on_hand:
        await manual_adjust(session, org_id, inv, on_hand=on_hand, note=OPENING_NOTE)


async def ledger(
    session: AsyncSession, variant_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Page[InventoryMovement]:
    """A variant's stock movements with their cause, newest first (the API's ledger and the catalog
    page's "why this number"); another org's variant is not found."""
    if await session.get(Variant, variant_id) is None:
        raise NotFound("variant not found")
    stmt = select(InventoryMovement).where(InventoryMovement.variant_id == variant_id)
    sort = Sort(InventoryMovement.created_at, descending=True, kind="datetime")
    rows = list(
        (
            await session.scalars(
                paginate(stmt, sort=sort, id_column=InventoryMovement.id, cursor=cursor, limit=limit)
            )
        ).all()
    )
    return page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
