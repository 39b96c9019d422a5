"""Stock change sets: set or move on hand, set the safety buffer, for many SKUs at once.

Each item's `after` lists the SKU's listings (`shops`): what the shop last showed (`platform_stock`) and
the quantity the push will send once the change is committed (`pushed`), derived by
domain/allocation.derive from the new levels with the shop's rules, campaigns and open orders, the
same derivation the push itself makes.

A commit writes one ledger row per SKU whose on hand moved (cause `changeset`, the note naming the
change set), marks every listing of a changed SKU dirty and asks for the per-shop pushes, the way a
sale does. A revert moves on hand back by the inverse delta (sales since then stay counted) and sets
the buffer back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.db import bulk
from aiostore.db.models import (
    ChangeSet,
    ChannelAccount,
    Inventory,
    InventoryMovement,
    Listing,
    Variant,
)
from aiostore.domain.inventory import available_to_sell
from aiostore.services import inventory
from aiostore.services.allocation.quantities import load_allocation
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


@dataclass(frozen=True, slots=True)
class Found:
    """A variant found by SKU, with its stock now (0s when it has no inventory row yet)."""

    id: uuid.UUID
    sku: str
    levels: tuple[int, int, int]  # on hand, reserved, safety buffer


class Levels(NamedTuple):
    on_hand: int
    reserved: int
    safety_buffer: int


async def pushed_after(session: AsyncSession, drafts: Sequence[core.Draft]) -> None:
    """Add to each planned item's `after` its listings (`shops`): the shop, what it last showed and
    the quantity a push sends once the change is committed (plain columns, one query per 5,000 SKUs)."""
    planned = {d.variant_id: d for d in drafts if d.variant_id is not None and d.after and not d.failed}
    shops = {
        row.id: row
        for row in await session.execute(
            select(ChannelAccount.id, ChannelAccount.shop_name, ChannelAccount.platform)
        )
    }
    ids = sorted(planned)
    columns = (Listing.id, Listing.channel_account_id, Listing.variant_id, Listing.platform_stock)
    listings: list[Row[Any]] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        stmt = (
            select(*columns)
            .where(bulk.among(Listing.variant_id, chunk))
            .order_by(Listing.variant_id, Listing.id)
        )
        listings.extend(await session.execute(stmt))
    limits = {shop_id: registry.default_limits(shop.platform) for shop_id, shop in shops.items()}
    allocation = await load_allocation(session, listings, limits)
    for draft in planned.values():
        assert draft.after is not None  # noqa: S101
        draft.after["shops"] = []
    shop_ids = {shop_id: str(shop_id) for shop_id in shops}  # one string per shop, not per listing
    for listing in listings:
        draft = planned[listing.variant_id]
        assert draft.after is not None  # noqa: S101
        after = draft.after
        levels = Levels(after["on_hand"], after["reserved"], after["safety_buffer"])
        shop = shops[listing.channel_account_id]
        after["shops"].append(
            {
                "listing_id": str(listing.id),
                "channel_account_id": shop_ids[shop.id],
                "shop_name": shop.shop_name,
                "platform": shop.platform,
                "platform_stock": listing.platform_stock,
                "pushed": allocation.derive(listing, levels).quantity,
            }
        )


async def _variants(session: AsyncSession, skus: Sequence[str]) -> dict[str, Found]:
    """Variants by lower-case SKU, with their stock: plain columns, one query per 5,000 SKUs."""
    wanted = sorted({s.lower() for s in skus})
    found: dict[str, Found] = {}
    for start in range(0, len(wanted), 5000):
        rows = await session.execute(
            select(Variant.id, Variant.sku, Inventory.on_hand, Inventory.reserved, Inventory.safety_buffer)
            .outerjoin(Inventory, Inventory.variant_id == Variant.id)
            .where(bulk.among(func.lower(Variant.sku), wanted[start : start + 5000]))
        )
        for variant_id, sku, on_hand, reserved, buffer in rows:
            found[sku.lower()] = Found(variant_id, sku, (on_hand or 0, reserved or 0, buffer or 0))
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
    unreadable: Sequence[core.Unreadable] = (),
) -> core.ChangeSetView:
    """Compute and store a stock preview: each item's before/after (on hand, reserved, buffer,
    available) and findings; a sheet's `unreadable` rows are items with their errors."""
    policy = await get_policy(session, ctx)
    variants = await _variants(session, [i.sku for i in items])
    seqs, drafts = core.numbered(items, unreadable)
    seen: set[str] = set()
    for seq, item in zip(seqs, items, strict=True):
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
        variant = variants[key]
        draft.variant_id, draft.sku = variant.id, variant.sku
        plan(draft, item, state(*variant.levels), policy)
    await pushed_after(session, drafts)
    drafts.sort(key=lambda d: d.seq)
    zeroed = sum(1 for d in drafts if not d.failed and _zeroes(d.before, d.after))
    return await core.store(
        session, ctx, KIND, drafts, reason=reason, source=source, policy=policy,
        summary={"zeroed": zeroed}, revert_of=revert_of,
    )  # fmt: skip


def _zeroes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    return bool(before and after and before["available"] > 0 and after["available"] == 0)


class StockKind:
    name = KIND
    after_shops = False  # the listings a commit marks are the items' own (stock) or their before's (price)

    async def current(
        self, session: AsyncSession, ctx: OrgContext, items: Sequence[core.Item]
    ) -> dict[int, dict[str, Any] | None]:
        ids = {i.variant_id for i in items if i.variant_id is not None}
        locked = await inventory.lock_levels(session, ctx.org_id, ids)
        return {i.seq: state(*locked[i.variant_id]) for i in items if i.variant_id is not None}

    async def apply(
        self, session: AsyncSession, ctx: OrgContext, change_set: ChangeSet, items: Sequence[core.Item]
    ) -> None:
        """One UPDATE for every inventory row, one INSERT for the ledger rows, one for the dirty marks."""
        ids = [i.variant_id for i in items if i.variant_id is not None]
        locked = await inventory.lock_levels(session, ctx.org_id, ids)  # held since the check
        note = f"change set {change_set.id}: {change_set.reason}"[:200]
        levels: list[dict[str, Any]] = []
        moves: list[dict[str, Any]] = []
        for item in items:
            assert item.variant_id is not None and item.after is not None  # noqa: S101
            on_hand, reserved, _ = locked[item.variant_id]
            after = item.after["on_hand"]
            levels.append(
                {
                    "variant_id": item.variant_id,
                    "on_hand": after,
                    "safety_buffer": item.after["safety_buffer"],
                }
            )
            if after != on_hand:
                moves.append(
                    {"org_id": ctx.org_id, "variant_id": item.variant_id, "cause": CAUSE,
                     "on_hand_delta": after - on_hand, "reserved_delta": 0, "on_hand_after": after,
                     "reserved_after": reserved, "note": note}
                )  # fmt: skip
        await bulk.update_by_key(session, Inventory, "variant_id", levels)
        if moves:
            await session.execute(insert(InventoryMovement), moves)
        await push.queue_pushes(session, ctx.org_id, await inventory.mark_dirty(session, ids))

    def approval_needed(self, policy: ChangePolicy, items: Sequence[core.Item]) -> str | None:
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
        items: Sequence[core.Item],
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
