"""The sandbox's orders and returns: storage, time indexes for Get Order List's cursor pages, status changes
with their stock and package effects (shopee-tiktokshop.md §B4 order rows, §B5 statuses).

Per shop, (create_time, order_id) and (update_time, order_id) are kept sorted; a page is a bisect and a
scan of the page, ascending or descending. The page token is the last (time, order_id) returned, so a
page never repeats or skips an order whose key did not change. Stock: an order holds its units
(committed) while UNPAID … AWAITING_COLLECTION, they leave the shop once it is in transit, and a
cancellation gives them back to the available quantity.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.common.timeindex import TimeIndex
from aiostore.sandbox.tiktokshop.catalog import Catalog
from aiostore.sandbox.tiktokshop.models import (
    ORDER_STATUSES,
    PACKAGE_STATUS,
    RESERVING,
    TRANSITIONS,
    Order,
    ReturnRecord,
)

Key = tuple[int, str]
# (available, committed) held by an order in each stock state, relative to having no order at all.
_HOLDS = {"": (0, 0), "reserved": (-1, 1), "deducted": (-1, 0), "released": (0, 0)}


class OrderBook:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.orders: dict[str, Order] = {}
        self.returns: dict[str, ReturnRecord] = {}
        self._returns_of: dict[str, list[str]] = {}
        self._package_owner: dict[str, str] = {}
        self._by_create: TimeIndex[str, str] = TimeIndex()
        self._by_update: TimeIndex[str, str] = TimeIndex()
        self._last_order = 576_684_019_603_300_000
        self._last_line = 576_684_019_700_000_000
        self._last_package = 1_152_921_504_606_800_000
        self._last_return = 4_035_318_000_000_000_000

    def new_order_id(self) -> str:
        self._last_order += 1
        return str(self._last_order)

    def new_line_id(self) -> str:
        self._last_line += 1
        return str(self._last_line)

    def new_package_id(self) -> str:
        self._last_package += 1
        return str(self._last_package)

    def add(self, order: Order) -> None:
        if order.order_id in self.orders:
            raise SandboxError(f"order {order.order_id} exists")
        self.orders[order.order_id] = order
        self._package_owner[order.package.package_id] = order.order_id
        self._by_create.add(order.shop_id, order.create_time, order.order_id)
        self._by_update.add(order.shop_id, order.update_time, order.order_id)

    def get(self, shop_id: str, order_id: str) -> Order | None:
        order = self.orders.get(order_id)
        return order if order is not None and order.shop_id == shop_id else None

    def by_package(self, shop_id: str, package_id: str) -> Order | None:
        order_id = self._package_owner.get(package_id)
        return self.get(shop_id, order_id) if order_id else None

    def touch(self, order: Order, now: int) -> None:
        """Set update_time (never backwards) and move the order in the update-time index."""
        order.update_time = self._by_update.bump(order.shop_id, order.order_id, order.update_time, now)

    def page(
        self,
        shop_id: str,
        field: str,
        low: int | None,
        high: int | None,
        limit: int,
        *,
        descending: bool = False,
        after: Key | None = None,
        accept: Callable[[Order], bool] | None = None,
    ) -> tuple[list[Order], bool, int]:
        """Orders with low <= ``field`` < high, by (time, order_id), after ``after``: (page, more, total)."""
        index = (self._by_create if field == "create_time" else self._by_update).of(shop_id)
        first = bisect_left(index, (low, "")) if low is not None else 0
        last = bisect_left(index, (high, "")) if high is not None else len(index)
        if descending:
            end = bisect_left(index, after) if after is not None else last
            positions = range(min(end, last) - 1, first - 1, -1)
        else:
            start = bisect_right(index, after) if after is not None else first
            positions = range(max(start, first), last)
        found: list[Order] = []
        more = False
        for position in positions:
            order = self.orders[index[position][1]]
            if accept is None or accept(order):
                if len(found) == limit:
                    more = True
                    break
                found.append(order)
        if accept is None:
            total = max(last - first, 0)
        else:
            total = sum(1 for p in range(first, last) if accept(self.orders[index[p][1]]))
        return found, more, total

    # ------------------------------------------------------------ stock effects and status changes

    def check_available(self, order: Order) -> None:
        for (product_id, sku_id), quantity in order.units().items():
            product = self.catalog.get(order.shop_id, product_id)
            sku = product.skus.get(sku_id) if product is not None else None
            if product is None or sku is None:
                raise SandboxError(
                    f"product {product_id} sku {sku_id} not found in shop {order.shop_id}", 404
                )
            if product.status != "ACTIVATE":
                raise SandboxError(f"product {product_id} is {product.status}, not ACTIVATE")
            if sku.quantity < quantity:
                raise SandboxError(
                    f"not enough stock for product {product_id} sku {sku_id}: {sku.quantity} available, "
                    f"{quantity} wanted"
                )

    def apply_stock(self, order: Order, state: str) -> None:
        """Move the order's units from its stock_state to ``state`` (reserved, deducted or released)."""
        old = order.stock_state
        if old == state:
            return
        (old_available, old_committed), (new_available, new_committed) = _HOLDS[old], _HOLDS[state]
        for (product_id, sku_id), quantity in order.units().items():
            product = self.catalog.products.get(product_id)
            sku = product.skus.get(sku_id) if product is not None else None
            if product is None or sku is None:
                continue
            sku.quantity = max(0, sku.quantity + (new_available - old_available) * quantity)
            sku.committed = max(0, sku.committed + (new_committed - old_committed) * quantity)
            product.update_time = max(product.update_time, order.update_time)
        order.stock_state = state

    def transition(self, order: Order, status: str, now: int, *, force: bool = False) -> None:
        if status not in ORDER_STATUSES:
            raise SandboxError(f"unknown order status {status}")
        if not force and status not in TRANSITIONS.get(order.status, frozenset()):
            raise SandboxError(f"order {order.order_id} cannot go from {order.status} to {status}", 409)
        if order.stock_state == "released" and status != "CANCELLED":
            raise SandboxError(f"order {order.order_id} was cancelled; its stock is gone", 409)
        if status != "UNPAID" and order.paid_time is None and status != "CANCELLED":
            order.paid_time = now
        if status == "AWAITING_COLLECTION" and order.rts_time is None:
            order.rts_time = now
        if status == "IN_TRANSIT" and order.collection_time is None:
            order.collection_time = now
        if status == "DELIVERED" and order.delivery_time is None:
            order.delivery_time = now
        if status == "CANCELLED":
            order.cancel_time = now
            order.cancellation_initiator = order.cancellation_initiator or "BUYER"
            order.cancel_reason = order.cancel_reason or "No longer needed"
        order.status = status
        self.touch(order, now)
        if status == "CANCELLED":
            self.apply_stock(order, "released")
        elif status not in RESERVING:
            self.apply_stock(order, "deducted")
        order.package.status = PACKAGE_STATUS.get(status, order.package.status)

    # ------------------------------------------------------------ returns

    def add_return(self, order: Order, return_type: str, return_status: str, now: int) -> ReturnRecord:
        self._last_return += 1
        record = ReturnRecord(
            str(self._last_return),
            order.order_id,
            order.shop_id,
            return_type,
            return_status,
            now,
            now,
            [item.line_id for item in order.line_items],
        )
        self.returns[record.return_id] = record
        self._returns_of.setdefault(order.order_id, []).append(record.return_id)
        self.touch(order, now)
        return record

    def returns_of(self, order_id: str) -> list[ReturnRecord]:
        return [self.returns[r] for r in self._returns_of.get(order_id, ())]
