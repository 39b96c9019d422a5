"""Which rows of an order list need the order's detail read (`orders.ref_is_newer`), against the version
we hold (update time, unified status, platform status)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aiostore.connectors.dtos import OrderRef
from aiostore.domain.orders import OrderStatus
from aiostore.services.orders import ref_is_newer

T = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HELD = (T, OrderStatus.TO_SHIP.value, "READY_TO_SHIP")  # what we hold


def _ref(
    status: OrderStatus | None, platform_status: str = "", updated_at: datetime | None = None
) -> OrderRef:
    return OrderRef("2612010001", status, platform_status, updated_at)


@pytest.mark.parametrize(
    ("ref", "read"),
    [
        # no update time on the row (Shopee's, Tokopedia's lists): only the same status proves it held
        (_ref(OrderStatus.TO_SHIP, "READY_TO_SHIP"), False),
        (_ref(OrderStatus.TO_SHIP), False),  # no platform status to compare: the unified one decides
        (_ref(OrderStatus.SHIPPED, "SHIPPED"), True),  # held at another status
        (_ref(OrderStatus.TO_SHIP, "PROCESSED"), True),  # same unified status, another platform one
        (_ref(OrderStatus.UNPAID, "UNPAID"), True),  # an earlier status without a time may be later
        (_ref(None, "SOMETHING_NEW"), True),  # a status we cannot map: never skipped
        (_ref(None), True),
        # with an update time: `is_newer`
        (_ref(OrderStatus.TO_SHIP, "READY_TO_SHIP", T + timedelta(seconds=1)), True),  # newer, same status
        (_ref(OrderStatus.SHIPPED, "SHIPPED", T - timedelta(seconds=1)), False),  # older: stale
        (_ref(OrderStatus.TO_SHIP, "READY_TO_SHIP", T), False),  # the very version we hold
        (_ref(OrderStatus.SHIPPED, "SHIPPED", T), True),  # same time, further along
        (_ref(OrderStatus.UNPAID, "UNPAID", T), False),  # same time, earlier status: stale
        (_ref(None, "", T - timedelta(days=1)), True),  # no status: read whatever the time says
    ],
)
def test_a_row_is_read_unless_we_hold_its_version(ref: OrderRef, read: bool) -> None:
    assert ref_is_newer(ref, *HELD) is read


def test_cancelled_and_returned_share_a_rank_but_are_not_the_same_version() -> None:
    held = (T, OrderStatus.CANCELLED.value, "CANCELLED")
    assert ref_is_newer(_ref(OrderStatus.RETURNED, "TO_RETURN"), *held)
    assert ref_is_newer(_ref(OrderStatus.RETURNED, "TO_RETURN", T), *held)
    assert not ref_is_newer(_ref(OrderStatus.CANCELLED, "CANCELLED", T), *held)
