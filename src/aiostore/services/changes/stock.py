"""Stock change sets: set or move on hand, set the safety buffer, for many SKUs at once.

A commit writes one ledger row per SKU whose on hand moved (cause `changeset`, the note naming the
change set), marks every listing of a changed SKU dirty and asks for the per-shop pushes, the way a
sale does. A revert moves on hand back by the inverse delta (sales since then stay counted) and sets
the buffer back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChangeSet, ChangeSetItem, Inventory, InventoryMovement, Listing, Variant
from aiostore.domain.inventory import available_to_sell
from aiostore.services import inventory
from aiostore.services.changes import core
from aiostore.services.changes.policy import get_policy
from aiostore.services.changes.schemas import ChangePolicy, StockItemIn
from aiostore.services.context import OrgContext
from aiostore.services.sync import push

KIND = "stock"
CAUSE = "changeset"


def state(on_hand: int, reserved: int, safety_buffer: int) -> dict[str, int]:
    return {
        "on_hand": on_hand,
        "reserved": reserved,
        "safety_buffer": safety_buffer,
        "available": available_to_sell(on_hand, reserved, safety_buffer),
    }


def _state_of(inv: Inventory | None) -> dict[str, int]:
    return state(inv.on_hand, inv.reserved, inv.safety_buffer) if inv else state(0, 0, 0)


async def _variants(
    session: AsyncSession, skus: Sequence[str]
) -> dict[str, tuple[Variant, Inventory | None]]:
    """Variants by lower-case SKU, with their inventory."""
    wanted = sorted({s.lower() for s in skus})
    found: dict[str, tuple[Variant, Inventory | None]] = {}
    for start in range(0, len(wanted), 5000):
        rows = await session.execute(
            select(Variant, Inventory)
            .outerjoin(Inventory, Inventory.variant_id == Variant.id)
            .where(func.lower(Variant.sku).in_(wanted[start : start + 5000]))
        )
        for variant, inv in rows.all():
            found[variant.sku.lower()] = (variant, inv)
    return found


def _is_large(old: int, new: int, policy: ChangePolicy) -> bool:
    if abs(new - old) >= policy.large_change_units:
        return True
    low, high = min(old, new), max(old, new)
    return low > 0 and high >= low * policy.large_change_factor


def plan(draft: core.Draft, item: StockItemIn, before: dict[str, int], policy: ChangePolicy) -> None:
    """An item's after state and findings, from its before state (pure: no I/O)."""
    on_hand = item.set if item.set is not None else before["on_hand"] + (item.delta or 0)
    buffer = item.safety_buffer if item.safety_buffer is not None else before["safety_buffer"]
    draft.before, draft.after = before, state(on_hand, before["reserved"], buffer)
    old, new, reserved = before["on_hand"], on_hand, before["reserved"]
    name = "set" if item.set is not None else "delta"
    if new < 0:
        draft.find("negative_stock", "error", name, f"on hand would be {new}: stock cannot go below zero")
        return
    if new != old and _is_large(old, new, policy):
        draft.find(
            "large_change",
            "warning",
            name,
            f"on hand moves from {old} to {new} (policy: {policy.large_change_factor}x or "
            f"{policy.large_change_units} units is a large change)",
        )
    if new < old and new < reserved:
        draft.find(
            "below_open_orders",
            "warning",
            name,
            f"on hand goes to {new} while open orders hold {reserved} units",
        )


async def preview_stock(
    session: AsyncSession,
    ctx: OrgContext,
    items: Sequence[StockItemIn],
    *,
    reason: str,
    source: dict[str, Any] | None = None,
    revert_of: uuid.UUID | None = None,
) -> core.ChangeSetView:
    """Compute and store a stock preview: each item's before/after (on hand, reserved, buffer,
    available) and findings."""
    policy = await get_policy(session, ctx)
    variants = await _variants(session, [i.sku for i in items])
    drafts: list[core.Draft] = []
    seen: set[str] = set()
    for seq, item in enumerate(items):
        draft = core.Draft(seq=seq, sku=item.sku, row=item.row)
        drafts.append(draft)
        key = item.sku.lower()
        if key in seen:
            draft.find(
                "duplicate_sku", "error", "sku", f"SKU {item.sku!r} appears earlier in this change set"
            )
            continue
        seen.add(key)
        if key not in variants:
            draft.find("unknown_sku", "error", "sku", f"no variant has the SKU {item.sku!r}")
            continue
        variant, inv = variants[key]
        draft.variant_id, draft.sku = variant.id, variant.sku
        plan(draft, item, _state_of(inv), policy)
    zeroed = sum(1 for d in drafts if not d.failed and _zeroes(d.before, d.after))
    return await core.store(
        session, ctx, KIND, drafts, reason=reason, source=source, policy=policy,
        summary={"zeroed": zeroed}, revert_of=revert_of,
    )  # fmt: skip


def _zeroes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    return bool(before and after and before["available"] > 0 and after["available"] == 0)


class StockKind:
    name = KIND

    async def current(
        self, session: AsyncSession, ctx: OrgContext, items: Sequence[ChangeSetItem]
    ) -> dict[int, dict[str, Any] | None]:
        ids = {i.variant_id for i in items if i.variant_id is not None}
        locked = await inventory.lock_inventory(session, ctx.org_id, ids)
        return {
            i.seq: _state_of(locked[i.variant_id]) if i.variant_id in locked else None
            for i in items
            if i.variant_id is not None
        }

    async def apply(
        self, session: AsyncSession, ctx: OrgContext, change_set: ChangeSet, items: Sequence[ChangeSetItem]
    ) -> None:
        ids = [i.variant_id for i in items if i.variant_id is not None]
        locked = await inventory.lock_inventory(session, ctx.org_id, ids)  # held since the check
        note = f"change set {change_set.id}: {change_set.reason}"[:200]
        for item in items:
            assert item.variant_id is not None and item.after is not None  # noqa: S101
            inv = locked[item.variant_id]
            delta = item.after["on_hand"] - inv.on_hand
            inv.on_hand = item.after["on_hand"]
            inv.safety_buffer = item.after["safety_buffer"]
            if delta:
                session.add(
                    InventoryMovement(
                        org_id=ctx.org_id,
                        variant_id=item.variant_id,
                        cause=CAUSE,
                        on_hand_delta=delta,
                        reserved_delta=0,
                        on_hand_after=inv.on_hand,
                        reserved_after=inv.reserved,
                        note=note,
                    )
                )
        await session.flush()
        await inventory.mark_dirty(session, ids)
        shops = select(Listing.channel_account_id).where(Listing.variant_id.in_(ids)).distinct()
        channel_ids = list((await session.scalars(shops)).all())
        if channel_ids:
            await push.request_pushes(session, ctx.org_id, channel_ids)

    def approval_needed(self, policy: ChangePolicy, items: Sequence[ChangeSetItem]) -> str | None:
        zeroed = sum(1 for i in items if _zeroes(i.before, i.after))
        if zeroed > policy.approval_zeroed_skus:
            limit = policy.approval_zeroed_skus
            return f"{zeroed} SKUs go to zero available (policy: more than {limit} need approval)"
        return None

    async def revert(
        self,
        session: AsyncSession,
        ctx: OrgContext,
        change_set: ChangeSet,
        items: Sequence[ChangeSetItem],
        skus: dict[uuid.UUID, str],
    ) -> core.ChangeSetView:
        back: list[StockItemIn] = []
        for item in items:
            if item.variant_id not in skus or item.before is None or item.after is None:
                continue
            delta = item.before["on_hand"] - item.after["on_hand"]
            buffer = item.before["safety_buffer"]
            back.append(
                StockItemIn(
                    sku=skus[item.variant_id],
                    delta=delta if delta else None,
                    safety_buffer=buffer if buffer != item.after["safety_buffer"] or not delta else None,
                )
            )
        return await preview_stock(
            session,
            ctx,
            back,
            reason=f"revert of {change_set.id}: {change_set.reason}"[:500],
            revert_of=change_set.id,
        )


core.register(StockKind())
