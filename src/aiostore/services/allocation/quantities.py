"""What each listing is pushed: its stock terms and rule loaded, then domain/allocation.derive.

The push (services/sync/push.py) and the explain (explain.py) both call `derive_listings`, so what
the explain shows is what a push sends.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.connectors.dtos import ConnectorLimits
from aiostore.db import bulk
from aiostore.db.models import (
    AllocationRule,
    ChannelAccount,
    Inventory,
    Listing,
    Order,
    OrderLine,
    PromotionReservation,
)
from aiostore.domain.allocation import Derivation, Rule, StockTerms, derive

RuleKey = tuple[uuid.UUID, uuid.UUID | None]  # (shop, variant or None for the shop's rule)


class Linked(Protocol):
    """What a derivation needs of a listing: a Listing, or a row of its plain columns (pushes and
    previews read 10,000s of them, not ORM objects)."""

    channel_account_id: uuid.UUID
    variant_id: uuid.UUID | None


class Levels(Protocol):
    """A variant's stock levels: an Inventory, or a row of those columns."""

    @property
    def on_hand(self) -> int: ...

    @property
    def reserved(self) -> int: ...

    @property
    def safety_buffer(self) -> int: ...


L = TypeVar("L", bound="Linked | Listing")  # mypy does not see a Listing as Linked here


@dataclass(frozen=True, slots=True)
class ListingQuantity(Generic[L]):
    listing: L
    terms: StockTerms
    rule: Rule | None
    derivation: Derivation

    @property
    def quantity(self) -> int:
        return self.derivation.quantity


def rule_of(row: AllocationRule) -> Rule:
    return Rule(
        share_percent=row.share_percent,
        cap=row.cap,
        keep_last=row.keep_last,
        keep_for=row.keep_for_channel_id,
        scope="shop" if row.variant_id is None else "variant",
    )


def _rules_of(shops: set[uuid.UUID], variants: set[uuid.UUID]) -> list[ColumnElement[bool]]:
    """The allocation rules that apply to these shops' listings of these variants (the shops' own too)."""
    return [
        AllocationRule.channel_account_id.in_(shops),
        or_(AllocationRule.variant_id.is_(None), bulk.among(AllocationRule.variant_id, variants)),
    ]


async def load_rules(
    session: AsyncSession, shops: set[uuid.UUID], variants: set[uuid.UUID]
) -> dict[RuleKey, AllocationRule]:
    if not shops:
        return {}
    rows = await session.scalars(select(AllocationRule).where(*_rules_of(shops, variants)))
    return {(r.channel_account_id, r.variant_id): r for r in rows.all()}


async def load_promotions(
    session: AsyncSession, variants: set[uuid.UUID]
) -> dict[uuid.UUID, list[PromotionReservation]]:
    out: dict[uuid.UUID, list[PromotionReservation]] = defaultdict(list)
    if variants:
        rows = await session.scalars(
            select(PromotionReservation)
            .where(bulk.among(PromotionReservation.variant_id, variants))
            .order_by(PromotionReservation.created_at, PromotionReservation.id)
        )
        for row in rows.all():
            out[row.variant_id].append(row)
    return out


@dataclass(frozen=True, slots=True)
class Terms:
    """What a caller already knows of the listings' allocation terms: whether an allocation rule may
    apply to them, and a promotion reservation does (False: none, so none is loaded)."""

    rules: bool
    promotions: bool


async def _any_terms(session: AsyncSession, shops: set[uuid.UUID], variants: set[uuid.UUID]) -> Terms:
    """Whether any allocation rule, and any promotion reservation, applies to these listings: one
    statement. Most listings have neither, and a push round asks for every sale: it loads only what
    exists."""
    rules = exists().where(*_rules_of(shops, variants))
    promotions = exists().where(bulk.among(PromotionReservation.variant_id, variants))
    found = (await session.execute(select(rules, promotions))).one()
    return Terms(bool(found[0]), bool(found[1]))


def held_conditions(channel_id: uuid.UUID, statuses: frozenset[str]) -> list[ColumnElement[bool]]:
    """Order lines (joined with their order) of this shop whose units its platform still counts inside
    its stock: reserved, in a platform status that holds."""
    return [
        Order.channel_account_id == channel_id,
        OrderLine.stock_state == "reserved",
        OrderLine.variant_id.is_not(None),
        func.lower(Order.platform_status).in_(statuses),
    ]


async def held_by_shop(
    session: AsyncSession, channel_id: uuid.UUID, limits: ConnectorLimits, variants: set[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Units this shop's own open orders hold inside its platform stock, per variant of `variants`
    (platforms whose stock still counts them: ConnectorLimits.stock_counts_reserved). Only those
    variants' lines are summed: a push of one listing does not add up every open order of the shop."""
    if not limits.stock_counts_reserved or not variants:
        return {}
    rows = await session.execute(
        select(OrderLine.variant_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            *held_conditions(channel_id, limits.stock_held_statuses),
            bulk.among(OrderLine.variant_id, variants),
        )
        .group_by(OrderLine.variant_id)
    )
    return {variant_id: int(total) for variant_id, total in rows.all() if variant_id is not None}


@dataclass(frozen=True, slots=True)
class Allocation:
    """What a derivation needs besides a listing's stock levels, loaded once for many listings: the
    rules of their shops and variants, the variants' promotion reservations, what each shop's own open
    orders hold."""

    rules: dict[RuleKey, AllocationRule] = field(default_factory=dict)
    promotions: dict[uuid.UUID, list[PromotionReservation]] = field(default_factory=dict)
    held: dict[uuid.UUID, dict[uuid.UUID, int]] = field(default_factory=dict)

    def derive(self, listing: L, levels: Levels | None) -> ListingQuantity[L]:
        """The quantity a listing (linked to a variant) is pushed with these stock levels."""
        shop, variant = listing.channel_account_id, listing.variant_id
        assert variant is not None  # noqa: S101
        promos = self.promotions.get(variant, [])
        terms = StockTerms(
            on_hand=levels.on_hand if levels else 0,
            reserved=levels.reserved if levels else 0,
            safety_buffer=levels.safety_buffer if levels else 0,
            promotion_reserved_elsewhere=sum(p.units for p in promos if p.channel_account_id != shop),
            promotion_reserved_here=sum(p.units for p in promos if p.channel_account_id == shop),
            held_by_shop_orders=self.held.get(shop, {}).get(variant, 0),
        )
        found = self.rules.get((shop, variant)) or self.rules.get((shop, None))
        rule = rule_of(found) if found is not None else None
        return ListingQuantity(listing, terms, rule, derive(terms, rule, shop))


async def load_allocation(
    session: AsyncSession,
    listings: Sequence[L],
    limits: Mapping[uuid.UUID, ConnectorLimits],
    terms: Terms | None = None,
) -> Allocation:
    """Everything but the stock levels that these listings' quantities are derived from (`limits`:
    each listing's shop's connector limits; `terms`: what the caller read with the listings, else asked
    here in one statement)."""
    shops = {listing.channel_account_id for listing in listings if listing.variant_id is not None}
    variants = {listing.variant_id for listing in listings if listing.variant_id is not None}
    if not shops:
        return Allocation()
    terms = terms or await _any_terms(session, shops, variants)
    return Allocation(
        rules=await load_rules(session, shops, variants) if terms.rules else {},
        promotions=await load_promotions(session, variants) if terms.promotions else {},
        held={shop: await held_by_shop(session, shop, limits[shop], variants) for shop in sorted(shops)},
    )


async def derive_listings(
    session: AsyncSession,
    rows: Sequence[tuple[L, Levels | None]],
    limits: Mapping[uuid.UUID, ConnectorLimits],
    terms: Terms | None = None,
) -> list[ListingQuantity[L]]:
    """The quantity each listing (with its variant's stock levels) is to be pushed, step by step.
    `limits` names each listing's shop's connector limits (`terms`: see `load_allocation`)."""
    listed = [(listing, levels) for listing, levels in rows if listing.variant_id is not None]
    allocation = await load_allocation(session, [listing for listing, _ in listed], limits, terms)
    return [allocation.derive(listing, levels) for listing, levels in listed]


async def offered(
    session: AsyncSession, listings: Sequence[Listing]
) -> dict[uuid.UUID, ListingQuantity[Listing]]:
    """What a push would send each of these listings now (pages that show it beside the platform's
    number): their inventory loaded, each shop's limits from its platform plugin."""
    linked = [listing for listing in listings if listing.variant_id is not None]
    if not linked:
        return {}
    variants = {listing.variant_id for listing in linked}
    stock = {
        inv.variant_id: inv
        for inv in (await session.scalars(select(Inventory).where(Inventory.variant_id.in_(variants)))).all()
    }
    shops = (
        await session.execute(
            select(ChannelAccount.id, ChannelAccount.platform).where(
                ChannelAccount.id.in_({listing.channel_account_id for listing in linked})
            )
        )
    ).all()
    limits = {shop_id: registry.default_limits(platform) for shop_id, platform in shops}
    rows = [(listing, stock.get(listing.variant_id)) for listing in linked if listing.variant_id]
    return {d.listing.id: d for d in await derive_listings(session, rows, limits)}
