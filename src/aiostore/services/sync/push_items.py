"""What the stock and price pushes share: per-item outcomes, listing locks and the dry-run requests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import ItemResult
from aiostore.db.models import Listing

# Item failures that say nothing about the item: the platform (or our breaker) was unavailable.
PASSING = frozenset({"PlatformUnavailable", "CircuitOpen", "RateLimited"})


def passing(result: ItemResult) -> bool:
    return result.error is not None and (result.error.retryable or result.error.kind in PASSING)


def ref(listing: Listing) -> str:
    return listing.platform_sku or f"{listing.platform_item_id}/{listing.platform_model_id}"


def key_of(listing: Listing) -> tuple[str, str]:
    return listing.platform_item_id, listing.platform_model_id or "0"


def requests_of(records: list[Any]) -> list[dict[str, Any]]:
    """The first requests a dry run recorded (what live would have sent)."""
    out = []
    for record in records[:20]:
        for req in record.requests[:20]:
            out.append({"op": req.op, "method": req.method, "path": req.path, "body": req.body})
    return out


async def lock_listings(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    """Lock listings in id order, FOR NO KEY UPDATE, as sales do (see services/inventory.mark_dirty), so a
    push and a sale never deadlock."""
    await session.execute(
        select(Listing.id)
        .where(Listing.id.in_(sorted(ids)))
        .order_by(Listing.id)
        .with_for_update(key_share=True)
    )


def outcome(result: ItemResult) -> tuple[dict[str, Any], bool]:
    """The listing's sync state after one item's result, and whether it is clean (its dirty flag may go:
    done, or refused for a reason that a retry would not change)."""
    values: dict[str, Any] = {"last_synced_at": datetime.now(UTC)}
    if result.ok:
        values |= {"sync_state": "in_sync", "last_error": None}
    elif passing(result):
        values |= {"sync_state": "retrying", "last_error": result.error.message if result.error else None}
    else:
        values |= {"sync_state": "error", "last_error": result.error.message if result.error else "refused"}
    return values, result.ok or not passing(result)


def job_item(
    listing: Listing, result: ItemResult, request: dict[str, Any], *, prefix: str = ""
) -> dict[str, Any]:
    return {
        "ref": prefix + ref(listing),
        "result": "ok" if result.ok else "failed",
        "error": None if result.ok or result.error is None else result.error.message,
        "dry_run": result.dry_run,
        "request": request,
    }
