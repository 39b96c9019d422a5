"""Lazada's quality control of a product (listings-and-categories.md §D): /product/item/get's `status` is
"Pending QC" (or "pending") while checked and "Rejected" when QC refused it, with `rejectReason[]`
(entries `{violation_type, reason}` in our sandbox; Lazada's own entry shape is unverified, so a plain
string entry is read too). /product/qc/status/get is keyed by seller SKU and may be retired (§D, open
question 5), so the connector reads each item."""

from __future__ import annotations

from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.lazada.mapping import JSON, LISTING_STATUS
from aiostore.connectors.review import review_of

STATES = {
    "pending": dtos.ReviewState.UNDER_REVIEW,
    "pending qc": dtos.ReviewState.UNDER_REVIEW,
    "active": dtos.ReviewState.LIVE,
    "live": dtos.ReviewState.LIVE,
    "inactive": dtos.ReviewState.LIVE,
    "rejected": dtos.ReviewState.REJECTED,
    "suspended": dtos.ReviewState.REJECTED,
}


def _reason(entry: Any) -> tuple[str, str]:
    if isinstance(entry, dict):
        text = entry.get("reason") or entry.get("message") or entry.get("violationDetail") or ""
        code = entry.get("violation_type") or entry.get("code") or entry.get("violationType") or ""
        return str(text), str(code)
    return str(entry or ""), ""


def review(item_id: str, item: JSON) -> dtos.ReviewDTO | None:
    word = str(item.get("status") or "")
    reasons = [_reason(e) for e in item.get("rejectReason") or ()]
    found = review_of(
        str(item.get("item_id") or item_id),
        word.lower(),
        STATES,
        LISTING_STATUS,
        reason="; ".join(text for text, _ in reasons if text),
        code=next((code for _, code in reasons if code), ""),
    )
    if found is None:
        return None
    return dtos.ReviewDTO(found.item_id, found.state, found.status, word, found.reason, found.code)
