"""What the stock and price pushes share: per-item outcomes, listing locks, the dry-run requests, and
the job's items written in bulk (each push records its listings' outcomes from column arrays in one
statement of its own), a few statements per 2,000 listings instead of an ORM object per listing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import ItemResult
from aiostore.connectors.errors import CircuitOpen, PlatformUnavailable
from aiostore.db import bulk
from aiostore.db.models import Listing, SyncJob, SyncJobItem

# Item failures that say nothing about the item: the platform (or our breaker) was unavailable.
PASSING = frozenset({"PlatformUnavailable", "CircuitOpen", "RateLimited"})
CHUNK = 2000  # rows per bulk statement


class Pushed(Protocol):
    """What a push needs of a listing: a Listing or a row of those plain columns."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def platform_item_id(self) -> str: ...

    @property
    def platform_model_id(self) -> str | None: ...

    @property
    def platform_sku(self) -> str | None: ...


def passing(result: ItemResult) -> bool:
    return result.error is not None and (result.error.retryable or result.error.kind in PASSING)


@dataclass(frozen=True, slots=True)
class Passing:
    """A push's items that failed for a passing reason: how many, how many of those our open breaker
    refused (never sent), and the longest wait until a probe that those refusals named (None: unknown)."""

    count: int = 0
    refused: int = 0
    wait: float | None = None

    @classmethod
    def of(cls, results: Iterable[ItemResult]) -> Passing:
        count = refused = 0
        waits: list[float] = []
        for r in results:
            if passing(r):
                count += 1
                if r.error is not None and r.error.kind == CircuitOpen.__name__:
                    refused += 1
                    waits += [] if r.error.retry_after is None else [r.error.retry_after]
        return cls(count, refused, max(waits, default=None))

    def __add__(self, other: Passing) -> Passing:
        waits = [w for w in (self.wait, other.wait) if w is not None]
        return Passing(self.count + other.count, self.refused + other.refused, max(waits, default=None))

    def error(self, platform: str) -> PlatformUnavailable:
        """What the push raises for them (the job retries): CircuitOpen when our breaker refused them all
        (nothing was sent: the job spends no attempt and waits for the probe), else PlatformUnavailable."""
        if self.refused == self.count:
            message = f"{self.count} updates not sent: the circuit for {platform} is open"
            return CircuitOpen(message, retry_after=self.wait, platform=platform)
        return PlatformUnavailable(
            f"{self.count} updates failed for a passing reason; retrying", platform=platform
        )


def ref(listing: Pushed) -> str:
    return listing.platform_sku or f"{listing.platform_item_id}/{listing.platform_model_id}"


def key_of(listing: Pushed) -> tuple[str, str]:
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
        .where(bulk.among(Listing.id, sorted(ids)))
        .order_by(Listing.id)
        .with_for_update(key_share=True)
    )


def outcome(result: ItemResult, *, price: bool = False) -> tuple[dict[str, Any], bool]:
    """The listing's sync state after one item's result, and whether it is clean (its dirty flag may go:
    done, or refused for a reason that a retry would not change). A price's outcome goes to its own
    columns (`price_sync_state`, `price_error`): a stock push must not clear a refused price."""
    state, error = ("price_sync_state", "price_error") if price else ("sync_state", "last_error")
    values: dict[str, Any] = {"last_synced_at": datetime.now(UTC)}
    if result.ok:
        values |= {state: "in_sync", error: None}
    elif passing(result):
        values |= {state: "retrying", error: result.error.message if result.error else None}
    else:
        values |= {state: "error", error: result.error.message if result.error else "refused"}
    return values, result.ok or not passing(result)


def job_item(
    listing: Pushed, result: ItemResult, request: dict[str, Any], *, prefix: str = ""
) -> dict[str, Any]:
    return {
        "ref": prefix + ref(listing),
        "result": "ok" if result.ok else "failed",
        "error": None if result.ok or result.error is None else result.error.message,
        "dry_run": result.dry_run,
        "request": request,
    }


def item_rows(job: SyncJob, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A push's items (`job_item`) as rows of `sync_job_items`."""
    base = {"org_id": job.org_id, "job_id": job.id}
    return [base | item for item in items]


async def record_items(session: AsyncSession, job: SyncJob, items: list[dict[str, Any]]) -> None:
    """The job's items in bulk, one statement per CHUNK of them."""
    rows = item_rows(job, items)
    for start in range(0, len(rows), CHUNK):
        await bulk.insert_rows(session, SyncJobItem, rows[start : start + CHUNK])
