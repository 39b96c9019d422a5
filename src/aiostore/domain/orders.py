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

# How far along its life an order is. A platform's update time is in whole seconds, so two changes of
# one order can carry the same one: at an equal update time, a copy whose status is further along wins,
# and an earlier status (a pull that read the order just before it shipped) is stale. Cancelled and
# returned are both ends (either may follow the other's stock effect: both release).
STATUS_RANK: dict[OrderStatus, int] = {
    OrderStatus.UNPAID: 0,
    OrderStatus.TO_SHIP: 1,
    OrderStatus.SHIPPED: 2,
    OrderStatus.COMPLETED: 3,
    OrderStatus.CANCELLED: 4,
    OrderStatus.RETURNED: 4,
}


def status_rank(status: str | None) -> int:
    """The rank of a unified status (an unknown one: -1, never ahead of anything)."""
    try:
        return STATUS_RANK[OrderStatus(status or "")]
    except ValueError:
        return -1
