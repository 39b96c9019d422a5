"""TikTok Shop's audit of a product (listings-and-categories.md §D): the product detail's `status` is
PENDING while audited, FAILED when the audit refused it (PLATFORM_DEACTIVATED or FREEZE when TikTok took
it down later), with `audit_failed_reasons[{position, reasons[], suggestions[]}]`. TikTok has no batch
detail read: the connector reads each product (bounded concurrency)."""

from __future__ import annotations

from aiostore.connectors import dtos
from aiostore.connectors.review import review_of
from aiostore.connectors.tiktokshop.mapping import JSON, LISTING_STATUS

STATES = {
    "PENDING": dtos.ReviewState.UNDER_REVIEW,
    "ACTIVATE": dtos.ReviewState.LIVE,
    "SELLER_DEACTIVATED": dtos.ReviewState.LIVE,
    "DRAFT": dtos.ReviewState.LIVE,  # never submitted: no audit to wait for
    "FAILED": dtos.ReviewState.REJECTED,
    "PLATFORM_DEACTIVATED": dtos.ReviewState.REJECTED,
    "FREEZE": dtos.ReviewState.REJECTED,
}


def review(product_id: str, detail: JSON) -> dtos.ReviewDTO | None:
    failed = [r for r in detail.get("audit_failed_reasons") or () if isinstance(r, dict)]
    reasons = [str(text) for r in failed for text in r.get("reasons") or () if text]
    return review_of(
        str(detail.get("id") or product_id),
        str(detail.get("status") or ""),
        STATES,
        LISTING_STATUS,
        reason="; ".join(reasons),
        code=str(failed[0].get("position") or "") if failed else "",
    )
