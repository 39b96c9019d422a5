"""Tokopedia's review of a product (listings-and-categories.md §D): product info's `basic.status` is -1
(pending) while reviewed and -2 (banned) when refused; Tokopedia publishes no reason text for it and
sends no push, so the reason is the status itself. Product info takes many ids a call."""

from __future__ import annotations

from aiostore.connectors import dtos
from aiostore.connectors.review import review_of
from aiostore.connectors.tokopedia.mapping import JSON, LISTING_STATUS

STATES = {
    "-1": dtos.ReviewState.UNDER_REVIEW,
    "1": dtos.ReviewState.LIVE,
    "2": dtos.ReviewState.LIVE,
    "3": dtos.ReviewState.LIVE,
    "-2": dtos.ReviewState.REJECTED,
}
STATUSES = {str(code): status for code, status in LISTING_STATUS.items()}
BANNED_REASON = "Banned by Tokopedia (product status -2); Tokopedia gives no reason through its API"


def review(row: JSON) -> dtos.ReviewDTO | None:
    basic = row.get("basic") if isinstance(row.get("basic"), dict) else {}
    assert isinstance(basic, dict)  # noqa: S101 - narrowed above
    item_id = str(basic.get("productID") or "")
    status = str(basic.get("status") if basic.get("status") is not None else "")
    if not item_id:
        return None
    return review_of(item_id, status, STATES, STATUSES, reason=BANNED_REASON, code=status)
