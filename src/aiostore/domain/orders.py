"""The unified order status set; each connector maps its platform's statuses into it."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    UNPAID = "unpaid"
    TO_SHIP = "to_ship"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RETURNED = "returned"


# Statuses in which the order's lines hold stock reserved (not yet deducted).
RESERVING = frozenset({OrderStatus.UNPAID, OrderStatus.TO_SHIP})
# Statuses in which the order's lines have left the warehouse.
DEDUCTED = frozenset({OrderStatus.SHIPPED, OrderStatus.COMPLETED})
# Statuses in which the order no longer holds any stock.
RELEASED = frozenset({OrderStatus.CANCELLED, OrderStatus.RETURNED})
