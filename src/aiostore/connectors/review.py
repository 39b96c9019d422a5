"""What the four connectors share to report a listing's review (listings-and-categories.md §D): a
platform status word becomes a ``ReviewDTO`` through the platform's own tables."""

from __future__ import annotations

from collections.abc import Mapping

from aiostore.connectors.dtos import ListingStatus, ReviewDTO, ReviewState


def review_of(
    item_id: str,
    platform_status: str,
    states: Mapping[str, ReviewState],
    statuses: Mapping[str, ListingStatus],
    *,
    reason: str = "",
    code: str = "",
) -> ReviewDTO | None:
    """The listing's review, or None for a status that ends the listing (deleted): nothing to follow."""
    state = states.get(platform_status)
    if state is None:
        return None
    return ReviewDTO(
        item_id=item_id,
        state=state,
        status=statuses.get(platform_status, ListingStatus.UNKNOWN),
        platform_status=platform_status,
        reason=reason if state is ReviewState.REJECTED else "",
        code=code if state is ReviewState.REJECTED else "",
    )
