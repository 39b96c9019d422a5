"""Acting on a finding: adopt the platform's value, overwrite it with ours, or ignore it.

The scheduled run applies the organisation's policy through the same functions a person's
`POST /api/reconciliation/findings/{id}/resolve` calls, so both write the same things and audit them
the same way. Stock is always ours: a stock finding is repaired (written again through the shop's one
push path) or ignored, never adopted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import Listing, ReconciliationFinding, Variant
from aiostore.db.models.reconciliation import OPEN_STATES
from aiostore.errors import Conflict, NotFound, invalid
from aiostore.services import audit, inventory
from aiostore.services.changes import core
from aiostore.services.changes.price import preview_price
from aiostore.services.changes.schemas import PriceItemIn
from aiostore.services.context import OrgContext
from aiostore.services.sync.push import mark_prices_dirty

Action = Literal["adopt", "overwrite", "ignore"]


class FindingNotOpen(Conflict):
    code = "finding_not_open"
    title = "This finding is already resolved"


async def _listing(session: AsyncSession, finding: ReconciliationFinding) -> Listing:
    listing = await session.scalar(select(Listing).where(Listing.id == finding.listing_id))
    if listing is None:
        raise NotFound("listing not found")
    return listing


async def _adopt_price(session: AsyncSession, ctx: OrgContext, finding: ReconciliationFinding) -> str:
    """The platform's price becomes the shop's own price: a price change set, previewed and committed
    (approval thresholds apply: then it waits, `adopting`, for an admin)."""
    listing = await _listing(session, finding)
    sku = await session.scalar(select(Variant.sku).where(Variant.id == listing.variant_id))
    if sku is None or finding.theirs is None:
        raise invalid("action", "this listing has no master SKU to take a price into", "not_linked")
    item = PriceItemIn.model_validate(
        {"sku": sku, "channel_account_id": finding.channel_account_id, "price": finding.theirs}
    )
    reason = f"adopted from the seller centre (reconciliation finding {finding.id})"
    preview = await preview_price(session, ctx, [item], reason=reason)
    done = await core.commit(session, ctx, preview.change_set.token, partial=False, acknowledge_warnings=True)
    finding.change_set_id = done.change_set.id
    return "adopted" if done.change_set.status == "committed" else "adopting"


async def _adopt_override(session: AsyncSession, finding: ReconciliationFinding) -> str:
    """A title or status edited in the seller centre becomes the listing's own (its override), so
    the master's product stays as it is for the other shops."""
    listing = await _listing(session, finding)
    listing.overrides = {**(listing.overrides or {}), finding.kind: finding.theirs}
    if finding.kind == "status" and finding.theirs is not None:
        listing.status = finding.theirs
    return "adopted"


async def act(session: AsyncSession, ctx: OrgContext, finding: ReconciliationFinding, action: Action) -> None:
    """Apply one action to an open finding, in the caller's transaction (no audit: see `resolve`)."""
    kind = finding.kind
    if action == "ignore":
        status = "ignored"
    elif action == "overwrite":
        if kind == "stock":
            await inventory.stock_changed(session, ctx.org_id, listing_ids=[finding.listing_id])
            status = "repairing"
        elif kind == "price":
            await mark_prices_dirty(session, ctx.org_id, [finding.listing_id])
            status = "overwritten"
        else:
            raise invalid(
                "action", f"a {kind} cannot be written to the platform yet (catalog publishing is planned)",
                "not_supported",
            )  # fmt: skip
    elif kind == "stock":
        raise invalid(
            "action", "stock is the master's (one pool): repair it (overwrite) or ignore it", "not_supported"
        )
    elif finding.cause in ("not_applied", "refused"):
        raise invalid(
            "action", "the platform kept its value against our write: overwrite or ignore", "not_supported"
        )
    elif kind == "price":
        status = await _adopt_price(session, ctx, finding)
    else:
        status = await _adopt_override(session, finding)
    finding.status = status
    finding.resolved_at = datetime.now(UTC)
    finding.resolved_by = ctx.actor.user_id


async def resolve(
    session: AsyncSession, ctx: OrgContext, finding_id: uuid.UUID, action: Action
) -> ReconciliationFinding:
    """A person's decision on an open finding (another org's finding is a 404); audited."""
    finding = await session.scalar(
        select(ReconciliationFinding).where(ReconciliationFinding.id == finding_id).with_for_update()
    )
    if finding is None:
        raise NotFound("finding not found")
    if finding.status not in OPEN_STATES or finding.status == "adopting":
        raise FindingNotOpen(f"this finding is {finding.status}")
    before = finding.status
    await act(session, ctx, finding, action)
    await session.flush()
    await audit.record(
        session, ctx, "reconciliation.resolved", "reconciliation_finding", finding.id,
        before={"status": before},
        after={"status": finding.status, "action": action, "kind": finding.kind, "sku": finding.sku},
    )  # fmt: skip
    return finding
