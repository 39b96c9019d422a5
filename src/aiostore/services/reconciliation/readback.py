"""Read-back: after a push, what it wrote is read back from the platform and compared.

Platforms accept some writes and silently keep their own value (a listing under review, a campaign's
stock lock). Once a shop's push has sent its stock and prices, the items it wrote (live, accepted) are
read back in the connector's batches within `readback_read_calls` calls (items beyond the budget are
left to the scheduled reconciliation, and so is everything when the read fails: the writes stand, the
job does not fail for it); a value that differs from what was accepted is kept as a
`not_applied` finding, and one read back equal closes that listing's open finding of the kind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import select

from aiostore.connectors.errors import ConnectorError
from aiostore.db.models import Listing
from aiostore.domain.money import Money
from aiostore.services.alerts import triggers
from aiostore.services.reconciliation import findings
from aiostore.services.reconciliation.findings import Seen
from aiostore.services.reconciliation.reading import Key, Shown, read_within
from aiostore.services.sync.context import ShopConnection, SyncContext
from aiostore.services.sync.push_items import lock_listings

log = structlog.get_logger(__name__)
DETAIL = "the platform accepted the update and kept its own value (a promotion's lock, a review)"


@dataclass
class Written:
    """What a push wrote and the platform accepted (live only), by listing key."""

    stock: dict[Key, tuple[uuid.UUID, int]] = field(default_factory=dict)
    prices: dict[Key, tuple[uuid.UUID, Money]] = field(default_factory=dict)

    def items(self) -> list[str]:
        return sorted({k[0] for k in self.stock} | {k[0] for k in self.prices})


def _platform_failure(exc: BaseException) -> BaseException | None:
    """The platform's (or the network's) failure behind `exc`, also inside the exception group of reads
    sent in parallel; None for anything else (a bug is not swallowed)."""
    if isinstance(exc, ConnectorError | httpx.TransportError | TimeoutError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        found = [_platform_failure(e) for e in exc.exceptions]
        return found[0] if found and all(f is not None for f in found) else None
    return None


def _theirs(kind: str, shown: Shown) -> str | None:
    if kind == "stock":
        return None if shown.stock is None else str(shown.stock)
    return None if shown.price is None else str(shown.price.to_major())


async def check(sc: SyncContext, org_id: uuid.UUID, shop: ShopConnection, written: Written) -> dict[str, Any]:
    """Read back what the push wrote; flag what was accepted and not applied."""
    items = written.items()
    budget = sc.settings.readback_read_calls
    if not items or budget < 1 + 2:
        return {"checked": 0, "not_applied": 0, "unchecked_items": len(items)}
    try:
        read = await read_within(shop.connector, items, budget)
    except Exception as exc:  # the writes stand; the schedule reads them later
        cause = _platform_failure(exc)
        if cause is None:
            raise
        log.warning("readback.failed", error=f"{type(cause).__name__}: {cause}")
        return {"checked": 0, "not_applied": 0, "unchecked_items": len(items), "error": type(cause).__name__}
    done = set(read.items)
    sent: list[tuple[str, Key, uuid.UUID, str]] = [
        ("stock", k, lid, str(qty)) for k, (lid, qty) in written.stock.items() if k[0] in done
    ] + [("price", k, lid, str(m.to_major())) for k, (lid, m) in written.prices.items() if k[0] in done]
    flagged = checked = 0
    async with sc.tx(org_id) as session:
        ids = sorted({lid for _, _, lid, _ in sent})
        await lock_listings(session, ids)
        listings = {
            x.id: x for x in (await session.scalars(select(Listing).where(Listing.id.in_(ids)))).all()
        }
        open_ = await findings.open_findings(session, ids)
        now = datetime.now(UTC)
        for kind, key, lid, ours in sent:
            shown, listing = read.shown.get(key), listings.get(lid)
            theirs = None if shown is None else _theirs(kind, shown)
            if listing is None or theirs is None:
                continue
            checked += 1
            found = open_.get((lid, kind))
            if theirs == ours:
                if found is not None:
                    found.status, found.resolved_at = "repaired", now
                continue
            if kind == "stock" and shown is not None:
                listing.platform_stock = shown.stock
            await findings.note(session, listing, Seen(kind, "not_applied", ours, theirs),
                                source="readback", detail=DETAIL, existing=found)  # fmt: skip
            flagged += 1
        if flagged:
            await triggers.evaluate_soon(session, org_id)
    return {
        "checked": checked,
        "not_applied": flagged,
        "read_calls": read.calls,
        "unchecked_items": len(items) - len(read.items),
    }
