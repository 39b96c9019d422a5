"""Allocation: rules per shop and per SKU on a shop, promotion reservations, and "why this number"."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel

from aiostore.db.models import AllocationRule, PromotionReservation
from aiostore.domain.permissions import Permission
from aiostore.services.allocation import explain, rules
from aiostore.services.allocation.rules import PromotionIn, RuleIn
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.listings import MovementOut

router = APIRouter(prefix="/api", tags=["allocation"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]


class RuleOut(BaseModel):
    id: uuid.UUID
    channel_account_id: uuid.UUID
    variant_id: uuid.UUID | None
    scope: str  # "shop" (every SKU of the shop) or "variant" (this SKU on the shop; wins)
    share_percent: int | None
    cap: int | None
    keep_last: int | None
    keep_for_channel_id: uuid.UUID | None
    updated_at: datetime

    @classmethod
    def of(cls, r: AllocationRule) -> RuleOut:
        return cls(
            id=r.id,
            channel_account_id=r.channel_account_id,
            variant_id=r.variant_id,
            scope="shop" if r.variant_id is None else "variant",
            share_percent=r.share_percent,
            cap=r.cap,
            keep_last=r.keep_last,
            keep_for_channel_id=r.keep_for_channel_id,
            updated_at=r.updated_at,
        )


class PromotionOut(BaseModel):
    id: uuid.UUID
    variant_id: uuid.UUID
    channel_account_id: uuid.UUID
    units: int
    campaign: str

    @classmethod
    def of(cls, p: PromotionReservation) -> PromotionOut:
        return cls(
            id=p.id,
            variant_id=p.variant_id,
            channel_account_id=p.channel_account_id,
            units=p.units,
            campaign=p.campaign,
        )


# --- rules ------------------------------------------------------------------------------------------


@router.get("/channels/{channel_id}/allocation-rule")
async def get_shop_rule(channel_id: uuid.UUID, session: Session, ctx: Read) -> RuleOut:
    """The shop's rule for every SKU it sells (404 when it has none)."""
    return RuleOut.of(await rules.get_rule(session, ctx, channel_id))


@router.put("/channels/{channel_id}/allocation-rule")
async def put_shop_rule(channel_id: uuid.UUID, body: RuleIn, session: Session, ctx: Write) -> RuleOut:
    """Set the shop's rule: any of `share_percent` (0-100, rounded down) and `cap` (at most N units),
    and/or `keep_last` with `keep_for_channel_id` (when N or fewer units are left, that shop gets all and
    this one none). Its listings are pushed again."""
    return RuleOut.of(await rules.set_rule(session, ctx, channel_id, None, body))


@router.delete("/channels/{channel_id}/allocation-rule", status_code=status.HTTP_204_NO_CONTENT)
async def delete_shop_rule(channel_id: uuid.UUID, session: Session, ctx: Write) -> None:
    await rules.delete_rule(session, ctx, channel_id, None)


@router.get("/variants/{variant_id}/allocation-rules")
async def list_variant_rules(variant_id: uuid.UUID, session: Session, ctx: Read) -> list[RuleOut]:
    """This SKU's own rules, one per shop that has one (they win over the shop's rule)."""
    return [RuleOut.of(r) for r in await rules.variant_rules(session, ctx, variant_id)]


@router.put("/variants/{variant_id}/allocation-rules/{channel_id}")
async def put_variant_rule(
    variant_id: uuid.UUID, channel_id: uuid.UUID, body: RuleIn, session: Session, ctx: Write
) -> RuleOut:
    """Set this SKU's rule on one shop (the same fields as the shop's rule, which it overrides)."""
    return RuleOut.of(await rules.set_rule(session, ctx, channel_id, variant_id, body))


@router.delete("/variants/{variant_id}/allocation-rules/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_variant_rule(
    variant_id: uuid.UUID, channel_id: uuid.UUID, session: Session, ctx: Write
) -> None:
    await rules.delete_rule(session, ctx, channel_id, variant_id)


# --- promotion reservations -------------------------------------------------------------------------


@router.get("/variants/{variant_id}/promotions")
async def list_promotions(variant_id: uuid.UUID, session: Session, ctx: Read) -> list[PromotionOut]:
    """Units of this variant each shop's campaign holds (the other shops are pushed that much less)."""
    return [PromotionOut.of(p) for p in await rules.promotions(session, ctx, variant_id)]


@router.put("/variants/{variant_id}/promotions/{channel_id}")
async def put_promotion(
    variant_id: uuid.UUID, channel_id: uuid.UUID, body: PromotionIn, session: Session, ctx: Write
) -> PromotionOut:
    """Set the units a shop's campaign holds of this variant (the platform locks them for it)."""
    return PromotionOut.of(await rules.set_promotion(session, ctx, variant_id, channel_id, body))


@router.delete("/variants/{variant_id}/promotions/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_promotion(
    variant_id: uuid.UUID, channel_id: uuid.UUID, session: Session, ctx: Write
) -> None:
    await rules.delete_promotion(session, ctx, variant_id, channel_id)


# --- why this number --------------------------------------------------------------------------------


class OpenLineOut(BaseModel):
    order_line_id: uuid.UUID
    order_id: uuid.UUID
    platform_order_id: str
    channel_account_id: uuid.UUID
    platform_status: str
    quantity: int
    placed_at: datetime


class StepOut(BaseModel):
    term: str
    amount: int  # what this step adds (negative: takes away)
    total: int  # the quantity after it
    movements: list[MovementOut]  # on_hand: the newest ledger movements behind it
    order_lines: list[OpenLineOut]  # reserved / held_by_shop_orders: the open order lines
    promotions: list[PromotionOut]  # promotion_reserved: other shops' campaigns; keep_last: this shop's


class AppliedRuleOut(BaseModel):
    scope: str  # "variant" (this SKU's rule on the shop) or "shop" (the shop's rule)
    share_percent: int | None
    cap: int | None
    keep_last: int | None
    keep_for_channel_id: uuid.UUID | None


class ListingExplainOut(BaseModel):
    listing_id: uuid.UUID
    channel_account_id: uuid.UUID
    shop_name: str
    platform: str
    market: str
    platform_sku: str | None
    pushed: int  # what a push sends now
    platform_stock: int | None  # what the platform shows (last seen or pushed)
    stock_dirty: bool  # a push is due
    rule: AppliedRuleOut | None
    steps: list[StepOut]


class StockExplainOut(BaseModel):
    variant_id: uuid.UUID
    sku: str
    on_hand: int
    reserved: int
    safety_buffer: int
    movements_total: int  # on-hand movements in all (the steps show the newest 20)
    listings: list[ListingExplainOut]

    @classmethod
    def of(cls, found: explain.StockExplain) -> StockExplainOut:
        inv = found.inventory
        return cls(
            variant_id=found.variant.id,
            sku=found.variant.sku,
            on_hand=inv.on_hand if inv else 0,
            reserved=inv.reserved if inv else 0,
            safety_buffer=inv.safety_buffer if inv else 0,
            movements_total=found.movements_total,
            listings=[_listing_out(item) for item in found.listings],
        )


def _listing_out(item: explain.ListingExplain) -> ListingExplainOut:
    d, listing = item.derived, item.derived.listing
    steps = []
    for step in d.derivation.steps:
        src = item.sources.get(step.term, explain.Sources())
        steps.append(
            StepOut(
                term=step.term.value,
                amount=step.amount,
                total=step.total,
                movements=[MovementOut.model_validate(m, from_attributes=True) for m in src.movements],
                order_lines=[OpenLineOut.model_validate(x, from_attributes=True) for x in src.order_lines],
                promotions=[PromotionOut.of(p) for p in src.promotions],
            )
        )
    return ListingExplainOut(
        listing_id=listing.id,
        channel_account_id=item.shop.id,
        shop_name=item.shop.shop_name,
        platform=item.shop.display_platform or item.shop.platform,
        market=item.shop.market,
        platform_sku=listing.platform_sku,
        pushed=d.quantity,
        platform_stock=listing.platform_stock,
        stock_dirty=listing.stock_dirty,
        rule=AppliedRuleOut(
            scope=d.rule.scope,
            share_percent=d.rule.share_percent,
            cap=d.rule.cap,
            keep_last=d.rule.keep_last,
            keep_for_channel_id=d.rule.keep_for,
        )
        if d.rule
        else None,
        steps=steps,
    )


@router.get("/variants/{variant_id}/stock/explain")
async def explain_stock(variant_id: uuid.UUID, session: Session, ctx: Read) -> StockExplainOut:
    """Why each shop shows its number: for every listing of the variant, the quantity a push sends,
    derived step by step (on hand, reserved, other shops' promotion reservations, the safety buffer,
    the allocation rule, the shop's own open orders), with the rows behind each term, and what the
    platform shows now (`platform_stock`)."""
    return StockExplainOut.of(await explain.explain_variant(session, ctx, variant_id))
