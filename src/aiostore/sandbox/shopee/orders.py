"""The sandbox's orders: storage, time indexes for get_order_list's cursor pages, and status changes with
their stock and package effects (shopee-tiktokshop.md §A4 order rows, §A5 statuses).

Per shop, (create_time, order_sn) and (update_time, order_sn) are kept sorted; a page is a bisect plus a
scan of the page. The cursor is the last (time, order_sn) returned, so a page never repeats or skips an
order whose key did not change. Stock: an order reserves its units while UNPAID/READY_TO_SHIP/IN_CANCEL,
deducts them when it leaves for shipping, and gives them back when cancelled.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.common.timeindex import TimeIndex
from aiostore.sandbox.shopee.catalog import Catalog
from aiostore.sandbox.shopee.models import LOGISTICS_BY_STATUS, ORDER_STATUSES, RESERVING, TRANSITIONS, Order

Key = tuple[int, str]


class OrderBook:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.orders: dict[str, Order] = {}
        self._by_create: TimeIndex[int, str] = TimeIndex()
        self._by_update: TimeIndex[int, str] = TimeIndex()
        self._last_order_item_id = 0

    def new_order_item_id(self) -> int:
        self._last_order_item_id += 1
        return self._last_order_item_id

    def add(self, order: Order) -> None:
        if order.order_sn in self.orders:
            raise SandboxError(f"order {order.order_sn} exists")
        self.orders[order.order_sn] = order
        self._by_create.add(order.shop_id, order.create_time, order.order_sn)
        self._by_update.add(order.shop_id, order.update_time, order.order_sn)

    def get(self, shop_id: int, order_sn: str) -> Order | None:
        order = self.orders.get(order_sn)
        return order if order is not None and order.shop_id == shop_id else None

    def touch(self, order: Order, now: int) -> None:
        """Set update_time (never backwards) and move the order in the update-time index."""
        order.update_time = self._by_update.bump(order.shop_id, order.order_sn, order.update_time, now)

    def page(
        self,
        shop_id: int,
        field: str,
        time_from: int,
        time_to: int,
        limit: int,
        after: Key | None = None,
        status: str | None = None,
    ) -> tuple[list[Order], bool]:
        """Orders with time_from <= `field` <= time_to by ascending (time, order_sn), after `after`.

        Returns (page, more)."""
        index = (self._by_create if field == "create_time" else self._by_update).of(shop_id)
        start = bisect_right(index, after) if after is not None else bisect_left(index, (time_from, ""))
        found: list[Order] = []
        for position in range(start, len(index)):
            stamp, order_sn = index[position]
            if stamp > time_to:
                break
            if stamp < time_from:
                continue
            order = self.orders[order_sn]
            if status is None or order.status == status:
                if len(found) == limit:
                    return found, True
                found.append(order)
        return found, False

    # ------------------------------------------------------------ stock effects and status changes

    def check_available(self, order: Order) -> None:
        needed: dict[tuple[int, int], int] = {}
        for line in order.lines:
            needed[line.item_id, line.model_id] = needed.get((line.item_id, line.model_id), 0) + line.quantity
        for (item_id, model_id), quantity in needed.items():
            item = self.catalog.get(order.shop_id, item_id)
            holder = self.catalog.holder(item, model_id) if item is not None else None
            if item is None or holder is None:
                raise SandboxError(f"item {item_id} model {model_id} not found in shop {order.shop_id}", 404)
            if item.item_status != "NORMAL":
                raise SandboxError(f"item {item_id} is {item.item_status}, not NORMAL")
            if holder.stock - holder.reserved < quantity:
                raise SandboxError(
                    f"not enough stock for item {item_id} model {model_id}: "
                    f"{holder.stock - holder.reserved} available, {quantity} wanted"
                )

    def apply_stock(self, order: Order, state: str) -> None:
        """Move the order's units from its stock_state to `state` (reserved, deducted or released)."""
        old = order.stock_state
        if old == state:
            return
        for line in order.lines:
            item = self.catalog.items[line.item_id]
            holder = self.catalog.holder(item, line.model_id)
            if holder is None:
                continue
            quantity = line.quantity
            if old == "reserved":
                holder.reserved = max(0, holder.reserved - quantity)
            elif old == "deducted":
                holder.stock += quantity
            if state == "reserved":
                holder.reserved += quantity
            elif state == "deducted":
                holder.stock = max(0, holder.stock - quantity)
            item.update_time = max(item.update_time, order.update_time)
        order.stock_state = state

    def transition(
        self,
        order: Order,
        status: str,
        now: int,
        *,
        cancel_by: str = "",
        cancel_reason: str = "",
        force: bool = False,
    ) -> None:
        if status not in ORDER_STATUSES:
            raise SandboxError(f"unknown order status {status}")
        if not force and status not in TRANSITIONS.get(order.status, frozenset()):
            raise SandboxError(f"order {order.order_sn} cannot go from {order.status} to {status}", 409)
        if (
            not force
            and order.status == "IN_CANCEL"
            and status not in ("CANCELLED", order.status_before_cancel)
        ):
            raise SandboxError(
                f"a refused cancellation returns {order.order_sn} to {order.status_before_cancel}", 409
            )
        if order.stock_state == "released" and status != "CANCELLED":
            raise SandboxError(f"order {order.order_sn} was cancelled; its stock is gone", 409)
        if status == "IN_CANCEL":
            order.status_before_cancel = order.status
        if status in ("IN_CANCEL", "CANCELLED"):
            order.cancel_by = cancel_by or order.cancel_by or "buyer"
            order.cancel_reason = cancel_reason or order.cancel_reason or "Change of mind"
            if order.cancel_by == "buyer":
                order.buyer_cancel_reason = order.cancel_reason
        if status == "READY_TO_SHIP" and order.pay_time is None:
            order.pay_time = now
        order.status = status
        self.touch(order, now)
        if status == "CANCELLED":
            self.apply_stock(order, "released")
        elif status not in RESERVING:
            self.apply_stock(order, "deducted")
        order.package.logistics_status = LOGISTICS_BY_STATUS.get(status, order.package.logistics_status)
