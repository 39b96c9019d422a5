"""The sandbox's orders: storage, the order-time index Get All Orders pages through, status changes and
their stock effects (lazada-tokopedia.md §B4 order rows, §B5 statuses).

Get All Orders lists, by order (creation) time, only orders that reached payment verified (220): an
order still waiting for payment is not listed, sends no webhook and holds no stock. Once paid, its units
leave the product's stock; a cancellation (any of 0, 3, 5, 6, 10, 15) gives them back.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from aiostore.sandbox.common import SandboxError
from aiostore.sandbox.common.timeindex import TimeIndex
from aiostore.sandbox.tokopedia.catalog import Catalog
from aiostore.sandbox.tokopedia.models import CANCELLED, STATUSES, TRANSITIONS, UNPAID, Order, Product

ORDER_ID_BASE = 580_000_000


class OrderBook:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.orders: dict[int, Order] = {}
        self._by_time: TimeIndex[int, int] = TimeIndex()
        self._last_order_id = ORDER_ID_BASE
        self._last_detail_id = 0

    def new_order_id(self) -> int:
        self._last_order_id += 1
        return self._last_order_id

    def new_detail_id(self) -> int:
        self._last_detail_id += 1
        return self._last_detail_id

    def add(self, order: Order) -> None:
        if order.order_id in self.orders:
            raise SandboxError(f"order {order.order_id} exists")
        self.orders[order.order_id] = order
        self._by_time.add(order.shop_id, order.create_time, order.order_id)

    def get(self, order_id: int) -> Order | None:
        return self.orders.get(order_id)

    def listed(self, shop_id: int, time_from: int, time_to: int, status: int | None = None) -> list[Order]:
        """Paid orders created in [time_from, time_to], by (create_time, order_id)."""
        index = self._by_time.of(shop_id)
        low = bisect_left(index, (time_from, -1))
        high = bisect_right(index, (time_to, 2**63))
        return [
            order
            for order in (self.orders[oid] for _, oid in index[low:high])
            if order.payment_time is not None and (status is None or order.status == status)
        ]

    # ------------------------------------------------------------ stock effects and status changes

    @staticmethod
    def check_available(picks: list[tuple[Product, int]]) -> None:
        wanted: dict[int, int] = {}
        for product, quantity in picks:
            if product.is_parent:
                raise SandboxError(f"product {product.product_id} has variants: order one of them")
            if product.status not in (1, 2):
                raise SandboxError(f"product {product.product_id} is not active (status {product.status})")
            wanted[product.product_id] = wanted.get(product.product_id, 0) + quantity
        for pid, quantity in wanted.items():
            stock = next(p.stock for p, _ in picks if p.product_id == pid)
            if stock < quantity:
                raise SandboxError(
                    f"not enough stock for product {pid}: {stock} available, {quantity} wanted"
                )

    def deduct(self, order: Order) -> None:
        if order.stock_state:
            return
        for line in order.lines:
            product = self.catalog.products.get(line.product_id)
            if product is not None:
                product.stock = max(0, product.stock - line.quantity)
                product.update_time = max(product.update_time, order.update_time)
        order.stock_state = "deducted"

    def release(self, order: Order) -> None:
        if order.stock_state != "deducted":
            order.stock_state = "released"
            return
        for line in order.lines:
            product = self.catalog.products.get(line.product_id)
            if product is not None:
                product.stock += line.quantity
                product.update_time = max(product.update_time, order.update_time)
        order.stock_state = "released"

    def transition(
        self,
        order: Order,
        status: int,
        now: int,
        *,
        by: str = "system",
        message: str = "",
        force: bool = False,
    ) -> None:
        if status not in STATUSES:
            raise SandboxError(f"unknown order status {status}")
        if not force and status not in TRANSITIONS.get(order.status, frozenset()):
            raise SandboxError(f"order {order.order_id} cannot go from {order.status} to {status}", 409)
        if order.stock_state == "released" and status not in CANCELLED:
            raise SandboxError(f"order {order.order_id} was cancelled; its stock went back", 409)
        order.status = status
        order.update_time = max(now, order.update_time)
        if order.payment_time is None and status not in CANCELLED | UNPAID:
            order.payment_time = now
        order.history.append((status, by, message, order.update_time))
        if status in CANCELLED:
            self.release(order)
        elif order.payment_time is not None:
            self.deduct(order)  # paid now: the units leave the stock
