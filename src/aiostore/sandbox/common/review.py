"""Listing review shared by every sandbox (listings-and-categories.md §D): a created or edited listing is
under review, then live or rejected with the platform's reason, the way each platform reports it.

`ReviewDesk` holds the reviews under way. A review takes the config's `review_seconds` on the sandbox
clock (0: it ends at the next request), or waits for POST /_sandbox/reviews/settle when its scripted
outcome says `hold`; its outcome is the next `FaultConfig.reviews` entry (an approval when none is
scripted). The state settles due reviews before each API request, and the platform applies the outcome
(its statuses, reasons, pushes) in `SandboxState.review_ended`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from aiostore.sandbox.common.faults import FaultInjector


@dataclass(slots=True)
class Review:
    key: Hashable  # the platform's listing id (and shop, where ids are per shop)
    approve: bool
    reason: str | None  # None: the platform's own default words
    code: str | None
    started: int
    due: int | None  # None: held until settled by the control API
    restore: Any = None  # what the listing returns to when approved (e.g. Shopee's NORMAL or UNLIST)

    def summary(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "outcome": "approve" if self.approve else "reject",
            "reason": self.reason,
            "code": self.code,
            "started": self.started,
            "due": self.due,
        }


class ReviewDesk:
    def __init__(self, faults: FaultInjector) -> None:
        self.faults = faults
        self.pending: dict[Hashable, Review] = {}

    def submit(self, key: Hashable, now: int, seconds: int, restore: Any = None) -> Review:
        """Start (or restart) the review of a listing; its outcome is the next scripted one."""
        scripted = self.faults.next_review()
        review = Review(
            key,
            scripted.outcome == "approve",
            scripted.reason,
            scripted.code,
            now,
            None if scripted.hold else now + seconds,
            restore,
        )
        self.pending[key] = review
        return review

    def under_review(self, key: Hashable) -> bool:
        return key in self.pending

    def take_due(self, now: int, *, force: bool = False) -> list[Review]:
        """Remove and return the reviews that have ended (every one when `force`), oldest first."""
        ended = [r for r in self.pending.values() if force or (r.due is not None and r.due <= now)]
        for review in ended:
            del self.pending[review.key]
        return sorted(ended, key=lambda r: r.started)
