"""Allocation rules (per shop, and per SKU on a shop: the SKU rule wins) and promotion reservations.

A change changes what shops should show: the affected listings are marked dirty and their pushes
requested in the same transaction, so a rolled-back change pushes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import ColumnElement, Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import AllocationRule, ChannelAccount, Listing, PromotionReservation, Variant
from aiostore.errors import Conflict, FieldError, NotFound, ValidationFailed
from aiostore.services import audit, inventory
from aiostore.services.context import OrgContext
from aiostore.services.sync.push import queue_pushes

UNITS_MAX = 10_000_000  # as InventoryIn


class RuleIn(BaseModel):
    """Any of a share and a cap, and/or "keep the last `keep_last` units for `keep_for_channel_id`"."""

    model_config = ConfigDict(extra="forbid")
    share_percent: int | None = Field(default=None, ge=0, le=100, description="percent, rounded down")
    cap: int | None = Field(default=None, ge=0, le=UNITS_MAX, description="at most this many units")
    keep_last: int | None = Field(default=None, ge=0, le=UNITS_MAX)
    keep_for_channel_id: uuid.UUID | None = Field(default=None, description="the shop that keeps them")


class PromotionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: int = Field(ge=0, le=UNITS_MAX)
    campaign: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


def rule_snapshot(rule: AllocationRule) -> dict[str, Any]:
    return {
        "channel_account_id": rule.channel_account_id,
        "variant_id": rule.variant_id,
        "share_percent": rule.share_percent,
        "cap": rule.cap,
        "keep_last": rule.keep_last,
        "keep_for_channel_id": rule.keep_for_channel_id,
    }


Row = TypeVar("Row", AllocationRule, PromotionReservation)


async def _put(
    session: AsyncSession,
    ctx: OrgContext,
    found: Select[Row],
    new: Callable[[], Row],
    values: dict[str, Any],
    snapshot: Callable[[Row], dict[str, Any]],
    action: str,
) -> Row:
    """Create or replace one row (the one `found` selects, else `new()`), audited as `action`."""
    row = await session.scalar(found.with_for_update())
    before = snapshot(row) if row is not None else None
    if row is None:
        row = new()
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    try:
        await session.flush()
    except IntegrityError as exc:  # another request created it meanwhile
        raise Conflict("changed by another request at the same time; try again") from exc
    await audit.record(
        session, ctx, action, row.__tablename__.removesuffix("s"), row.id, before=before, after=snapshot(row)
    )
    return row


async def _shop(session: AsyncSession, channel_id: uuid.UUID) -> ChannelAccount:
    shop = await session.get(ChannelAccount, channel_id)
    if shop is None:
        raise NotFound("channel not found")
    return shop


async def _variant(session: AsyncSession, variant_id: uuid.UUID) -> Variant:
    variant = await session.get(Variant, variant_id)
    if variant is None:
        raise NotFound("variant not found")
    return variant


def _rule_stmt(channel_id: uuid.UUID, variant_id: uuid.UUID | None) -> ColumnElement[bool]:
    variant = (
        AllocationRule.variant_id.is_(None) if variant_id is None else AllocationRule.variant_id == variant_id
    )
    return (AllocationRule.channel_account_id == channel_id) & variant


async def get_rule(
    session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID, variant_id: uuid.UUID | None = None
) -> AllocationRule:
    """The shop's rule (variant_id None) or the SKU's rule on the shop; 404 when there is none."""
    await _shop(session, channel_id)
    if variant_id is not None:
        await _variant(session, variant_id)
    rule = await session.scalar(select(AllocationRule).where(_rule_stmt(channel_id, variant_id)))
    if rule is None:
        raise NotFound("no allocation rule here")
    return rule


async def variant_rules(
    session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID
) -> list[AllocationRule]:
    """The SKU's rules, one per shop that has one."""
    await _variant(session, variant_id)
    rows = await session.scalars(
        select(AllocationRule)
        .where(AllocationRule.variant_id == variant_id)
        .order_by(AllocationRule.created_at, AllocationRule.id)
    )
    return list(rows.all())


async def _check(session: AsyncSession, data: RuleIn) -> None:
    errors: list[FieldError] = []
    if data.share_percent is None and data.cap is None and data.keep_last is None:
        errors.append(FieldError("share_percent", "required", "set share_percent, cap or keep_last"))
    if data.keep_last is not None and data.keep_for_channel_id is None:
        errors.append(
            FieldError("keep_for_channel_id", "required", "keep_last needs the shop that keeps them")
        )
    if data.keep_for_channel_id is not None:
        if data.keep_last is None:
            errors.append(FieldError("keep_last", "required", "keep_for_channel_id needs keep_last"))
        if await session.get(ChannelAccount, data.keep_for_channel_id) is None:
            errors.append(FieldError("keep_for_channel_id", "not_found", "no such shop in this organization"))
    if errors:
        raise ValidationFailed("the allocation rule is invalid", errors=errors)


async def set_rule(
    session: AsyncSession,
    ctx: OrgContext,
    channel_id: uuid.UUID,
    variant_id: uuid.UUID | None,
    data: RuleIn,
) -> AllocationRule:
    """Create or replace the shop's rule (variant_id None) or the SKU's rule on the shop."""
    await _shop(session, channel_id)
    if variant_id is not None:
        await _variant(session, variant_id)
    await _check(session, data)
    rule = await _put(
        session,
        ctx,
        select(AllocationRule).where(_rule_stmt(channel_id, variant_id)),
        lambda: AllocationRule(org_id=ctx.org_id, channel_account_id=channel_id, variant_id=variant_id),
        data.model_dump(),
        rule_snapshot,
        "allocation_rule.set",
    )
    await _repush_rule(session, ctx, channel_id, variant_id)
    return rule


async def delete_rule(
    session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID, variant_id: uuid.UUID | None
) -> None:
    rule = await get_rule(session, ctx, channel_id, variant_id)
    before = rule_snapshot(rule)
    await session.execute(delete(AllocationRule).where(AllocationRule.id == rule.id))
    await audit.record(session, ctx, "allocation_rule.deleted", "allocation_rule", rule.id, before=before)
    await _repush_rule(session, ctx, channel_id, variant_id)


async def _repush_rule(
    session: AsyncSession, ctx: OrgContext, channel_id: uuid.UUID, variant_id: uuid.UUID | None
) -> None:
    which = Listing.variant_id.is_not(None) if variant_id is None else Listing.variant_id == variant_id
    shops = await inventory.mark_listings_where(session, Listing.channel_account_id == channel_id, which)
    await queue_pushes(session, ctx.org_id, shops)


# --- promotion reservations -------------------------------------------------------------------------


def promotion_snapshot(row: PromotionReservation) -> dict[str, Any]:
    return {
        "variant_id": row.variant_id,
        "channel_account_id": row.channel_account_id,
        "units": row.units,
        "campaign": row.campaign,
    }


async def promotions(
    session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID
) -> list[PromotionReservation]:
    await _variant(session, variant_id)
    rows = await session.scalars(
        select(PromotionReservation)
        .where(PromotionReservation.variant_id == variant_id)
        .order_by(PromotionReservation.created_at, PromotionReservation.id)
    )
    return list(rows.all())


def _promo_where(variant_id: uuid.UUID, channel_id: uuid.UUID) -> ColumnElement[bool]:
    return (PromotionReservation.variant_id == variant_id) & (
        PromotionReservation.channel_account_id == channel_id
    )


async def set_promotion(
    session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID, channel_id: uuid.UUID, data: PromotionIn
) -> PromotionReservation:
    """Set the units a shop's campaign holds of a variant (what the other shops must not sell)."""
    await _variant(session, variant_id)
    await _shop(session, channel_id)
    row = await _put(
        session,
        ctx,
        select(PromotionReservation).where(_promo_where(variant_id, channel_id)),
        lambda: PromotionReservation(org_id=ctx.org_id, variant_id=variant_id, channel_account_id=channel_id),
        data.model_dump(),
        promotion_snapshot,
        "promotion.set",
    )
    await _repush_variant(session, ctx, variant_id)
    return row


async def delete_promotion(
    session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID, channel_id: uuid.UUID
) -> None:
    await _variant(session, variant_id)
    await _shop(session, channel_id)
    row = await session.scalar(select(PromotionReservation).where(_promo_where(variant_id, channel_id)))
    if row is None:
        raise NotFound("no promotion reservation here")
    before = promotion_snapshot(row)
    await session.execute(delete(PromotionReservation).where(PromotionReservation.id == row.id))
    await audit.record(session, ctx, "promotion.deleted", "promotion_reservation", row.id, before=before)
    await _repush_variant(session, ctx, variant_id)


async def _repush_variant(session: AsyncSession, ctx: OrgContext, variant_id: uuid.UUID) -> None:
    await queue_pushes(session, ctx.org_id, await inventory.mark_dirty(session, [variant_id]))
