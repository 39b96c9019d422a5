"""Shopee's review of a listing (listings-and-categories.md §D): get_item_violation_info (POST, up to 50
ids) answers each item's `item_status` (REVIEWING while reviewed; BANNED when refused) and, for a banned
item, `item_status_details[{violation_type, violation_reason, suggestion, ...}]`; an unknown id is an entry
with `fail_error`, left out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from aiostore.connectors import batching, dtos
from aiostore.connectors.review import review_of
from aiostore.connectors.shopee.mapping import LISTING_STATUS
from aiostore.http.client import ApiRequest, JSONObject

Send = Callable[[ApiRequest], Awaitable[JSONObject]]
BATCH = 50
STATES = {
    "REVIEWING": dtos.ReviewState.UNDER_REVIEW,
    "NORMAL": dtos.ReviewState.LIVE,
    "UNLIST": dtos.ReviewState.LIVE,
    "BANNED": dtos.ReviewState.REJECTED,
}


def _request(ids: Sequence[str]) -> ApiRequest:
    return ApiRequest(
        "POST",
        "/api/v2/product/get_item_violation_info",
        body={"item_id_list": [int(i) for i in ids]},
        op="product.get_item_violation_info",
        safe_to_repeat=True,
    )


async def review_states(send: Send, item_ids: Sequence[str]) -> list[dtos.ReviewDTO]:
    found: list[dtos.ReviewDTO] = []
    wanted = [i for i in dict.fromkeys(item_ids) if i.isdigit()]
    for chunk in batching.chunks(wanted, BATCH):
        answer = await send(_request(chunk))
        for entry in answer.get("item_list") or ():
            if entry.get("fail_error"):
                continue
            details = entry.get("item_status_details") or []
            first = details[0] if details else {}
            review = review_of(
                str(entry["item_id"]),
                str(entry.get("item_status") or ""),
                STATES,
                LISTING_STATUS,
                reason="; ".join(str(d.get("violation_reason") or "") for d in details if d),
                code=str(first.get("violation_type") or ""),
            )
            if review is not None:
                found.append(review)
    return found
