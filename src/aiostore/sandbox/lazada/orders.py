"""The sandbox's orders: storage, time indexes for /orders/get, and item status changes with their stock
effects (lazada-tokopedia.md §A4 order rows, §A5 statuses; the inventory calculation guide).

Per seller, (created, order_id) and (updated, order_id) are kept sorted; a page is a bisect plus a scan of
the window. Each order item is one unit: unpaid withholds it, paid (pending/packed) occupies it,
ready-to-ship and later take it out of the SKU's total, cancelled gives it back.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.common.timeindex import TimeIndex
from aiostore.sandbox.lazada.catalog import Catalog
from aiostore.sandbox.lazada.models import ITEM_STATUSES, TRANSITIONS, Order, OrderItem, stock_state

Key = tuple[int, int]


class OrderBook:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.orders: dict[int, Order] = {}
        self.item_owner: dict[int, int] = {}  # order_item_id -> order_id
        self._by_created: TimeIndex[str, int] = TimeIndex()
        self._by_updated: TimeIndex[str, int] = TimeIndex()
        self._last_order_id = 300_000_000_000_000
        self._last_item_id = 300_000_000_100_000

    def new_order_id(self) -> int:
        self._last_order_id += 1_000
        return self._last_order_id

    def new_item_id(self) -> int:
        self._last_item_id += 1
        return self._last_item_id

    def add(self, order: Order) -> None:
        if order.order_id in self.orders:
            raise SandboxError(f"order {order.order_id} exists")
        self.orders[order.order_id] = order
        for item in order.items:
            self.item_owner[item.order_item_id] = order.order_id
        self._by_created.add(order.seller_id, order.created, order.order_id)
        self._by_updated.add(order.seller_id, order.updated, order.order_id)

    def get(self, seller_id: str, order_id: int) -> Order | None:
        order = self.orders.get(order_id)
        return order if order is not None and order.seller_id == seller_id else None

    def touch(self, order: Order, now: int) -> None:
        """Set the order's update time (never backwards) and move it in the update index."""
        order.updated = self._by_updated.bump(order.seller_id, order.order_id, order.updated, now)

    def page(
        self,
        seller_id: str,
        field: str,
        after: int,
        before: int,
        offset: int,
        limit: int,
        *,
        status: str | None = None,
        descending: bool = False,
    ) -> tuple[list[Order], int]:
        """Orders with after <= ``field`` <= before (seconds), by (time, id): (page, total)."""
        index = (self._by_created if field == "created_at" else self._by_updated).of(seller_id)
        low, high = bisect_left(index, (after, 0)), bisect_right(index, (before, 2**63))
        window = index[low:high]
        if descending:
            window.reverse()
        if status is not None:
            window = [k for k in window if status in self.orders[k[1]].statuses]
        return [self.orders[k[1]] for k in window[offset : offset + limit]], len(window)

    # ------------------------------------------------------------ stock and status

    def check_available(self, seller_id: str, picks: Iterable[tuple[int, int, int]]) -> None:
        """(item_id, sku_id, quantity) can be bought: the product is live and enough is sellable."""
        needed: dict[tuple[int, int], int] = {}
        for item_id, sku_id, quantity in picks:
            needed[item_id, sku_id] = needed.get((item_id, sku_id), 0) + quantity
        for (item_id, sku_id), quantity in needed.items():
            found = self.catalog.sku(seller_id, sku_id)
            if found is None or found[0].item_id != item_id:
                raise SandboxError(f"item {item_id} SKU {sku_id} not found for seller {seller_id}", 404)
            product, sku = found
            if product.status != "Active" or sku.status != "active":
                raise SandboxError(f"item {item_id} SKU {sku_id} is not active")
            if sku.sellable < quantity:
                raise SandboxError(
                    f"not enough stock for item {item_id} SKU {sku_id}: "
                    f"{sku.sellable} sellable, {quantity} wanted"
                )

    def apply_stock(self, order: Order, item: OrderItem, state: str) -> None:
        """Move one unit from the item's stock state to ``state``."""
        old = item.stock_state
        if old == state:
            return
        found = self.catalog.sku(order.seller_id, item.sku_id)
        if found is not None:
            product, sku = found
            if old == "withheld":
                sku.withhold = max(0, sku.withhold - 1)
            elif old == "occupied":
                sku.occupy = max(0, sku.occupy - 1)
            elif old == "deducted":
                sku.quantity += 1
            if state == "withheld":
                sku.withhold += 1
            elif state == "occupied":
                sku.occupy += 1
            elif state == "deducted":
                sku.quantity = max(0, sku.quantity - 1)
        item.stock_state = state

    def set_status(
        self,
        order: Order,
        items: Iterable[OrderItem],
        status: str,
        now: int,
        *,
        force: bool = False,
        reason: str = "",
        initiator: str = "",
    ) -> list[OrderItem]:
        """Move ``items`` to ``status`` (checked against the transition table unless ``force``)."""
        if status not in ITEM_STATUSES:
            raise SandboxError(f"unknown order item status {status}")
        changed = []
        for item in items:
            if item.status == status:
                continue
            if not force and status not in TRANSITIONS.get(item.status, frozenset()):
                raise SandboxError(
                    f"order item {item.order_item_id} cannot go from {item.status} to {status}", 409
                )
            if status == "canceled":
                item.reason = reason or item.reason or "Customer requested cancellation"
                item.initiator = initiator or item.initiator or "cancellation-customer"
            if status == "pending" and item.payment_ms is None:
                item.payment_ms = now * 1000
            item.status = status
            item.updated = now
            self.apply_stock(order, item, stock_state(status))
            changed.append(item)
        if changed:
            self.touch(order, now)
        return changed
