"""Price change sets: a market's master price (every shop of that market without its own price sells at
it) or one shop's own price for a SKU, with an optional sale price.

Each item shows the shops it reaches with their old and new price. A commit sets `variant_prices`
(market items) or the listing's own price (`listings.overrides`, shop items) and asks for those
listings' price pushes. A revert sets the old prices back.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors import registry
from aiostore.db import bulk
from aiostore.db.models import ChangeSet, ChannelAccount, Listing, Variant, VariantPrice
from aiostore.domain.market import Currency, MarketCode, market
from aiostore.domain.money import Money, MoneyError
from aiostore.services.changes import core
from aiostore.services.changes.policy import get_policy
from aiostore.services.changes.schemas import ChangePolicy, PriceItemIn
from aiostore.services.context import OrgContext
from aiostore.services.sync import push

KIND = "price"
# A shop's own price replaces the listing's own price and sale price, keeping its other overrides.
OWN_PRICE = "(t.overrides - 'price' - 'sale_price') || {v}"


class Shop(NamedTuple):
    id: uuid.UUID
    market: str
    shop_name: str
    platform: str


class ListingRow(NamedTuple):
    id: uuid.UUID
    variant_id: uuid.UUID
    overrides: dict[str, Any] | None


class PriceRow(NamedTuple):
    id: uuid.UUID
    variant_id: uuid.UUID
    market: str
    amount: int
    sale_amount: int | None
    min_amount: int | None


class VariantRow(NamedTuple):
    id: uuid.UUID
    sku: str
    cost_amount: int | None
    cost_currency: str | None


@dataclass
class Base:
    """What price items are computed from: prices per (variant, market), listings per variant (plain
    columns: 40,000 listings as ORM objects cost seconds)."""

    prices: dict[tuple[uuid.UUID, str], PriceRow] = field(default_factory=dict)
    listings: dict[uuid.UUID, list[tuple[ListingRow, Shop]]] = field(
        default_factory=lambda: defaultdict(list)
    )


async def _base(session: AsyncSession, variant_ids: Sequence[uuid.UUID], *, lock: bool) -> Base:
    ids = sorted(set(variant_ids))
    base = Base()
    if not ids:
        return base
    shop_rows = await session.execute(
        select(ChannelAccount.id, ChannelAccount.market, ChannelAccount.shop_name, ChannelAccount.platform)
    )
    shops = {row[0]: Shop(*row) for row in shop_rows}
    prices = (
        select(*(getattr(VariantPrice, name) for name in PriceRow._fields))
        .where(bulk.among(VariantPrice.variant_id, ids))
        .order_by(VariantPrice.id)
    )
    listings = (
        select(Listing.id, Listing.variant_id, Listing.overrides, Listing.channel_account_id)
        .where(bulk.among(Listing.variant_id, ids))
        .order_by(Listing.id)
    )
    if lock:  # prices, then listings in id order in the mode sales and pushes use (FOR NO KEY UPDATE)
        prices = prices.with_for_update(of=VariantPrice)
        listings = listings.with_for_update(key_share=True, of=Listing)
    for row in await session.execute(prices):
        vp = PriceRow(*row)
        base.prices[(vp.variant_id, vp.market)] = vp
    for listing_id, variant_id, overrides, channel_id in await session.execute(listings):
        base.listings[variant_id].append((ListingRow(listing_id, variant_id, overrides), shops[channel_id]))
    return base


def _major(amount: int | None, currency: Currency) -> str | None:
    return None if amount is None else str(Money(amount, currency).to_major())


def _own(listing: ListingRow, name: str, currency: Currency) -> str | None:
    value = (listing.overrides or {}).get(name)
    if value is None:
        return None
    try:
        return str(Money.from_major(str(value), currency).to_major())
    except MoneyError:
        return str(value)


@functools.lru_cache(maxsize=256)
def _channel(channel: Shop) -> tuple[str, str, str]:
    return str(channel.id), channel.shop_name, channel.platform


def _shop(listing: ListingRow, channel: Shop, price: str | None) -> dict[str, Any]:
    channel_id, shop_name, platform = _channel(channel)  # 40,000 listings, a few shops
    return {
        "listing_id": str(listing.id),
        "channel_account_id": channel_id,
        "shop_name": shop_name,
        "platform": platform,
        "price": price,
    }


def before_state(
    base: Base, variant_id: uuid.UUID, market_code: str | None, channel_id: uuid.UUID | None
) -> dict[str, Any] | None:
    """An item's state now; None when its shop has no listing of the SKU."""
    if channel_id is not None:
        found = [(x, c) for x, c in base.listings.get(variant_id, []) if c.id == channel_id]
        if not found:
            return None
        listing, channel = found[0]
        currency = market(channel.market).currency
        vp = base.prices.get((variant_id, channel.market))
        own = "price" in (listing.overrides or {})
        price = _own(listing, "price", currency) if own else _major(vp.amount if vp else None, currency)
        sale = (
            _own(listing, "sale_price", currency) if own else _major(vp.sale_amount if vp else None, currency)
        )
        return {"currency": currency.value, "price": price, "sale_price": sale, "own_price": own,
                "shops": [_shop(listing, channel, price)]}  # fmt: skip
    assert market_code is not None  # noqa: S101
    currency = market(market_code).currency
    vp = base.prices.get((variant_id, market_code))
    price = _major(vp.amount if vp else None, currency)
    shops = [
        _shop(listing, channel, price)
        for listing, channel in base.listings.get(variant_id, [])
        if channel.market == market_code and "price" not in (listing.overrides or {})
    ]
    return {"currency": currency.value, "price": price,
            "sale_price": _major(vp.sale_amount if vp else None, currency), "shops": shops}  # fmt: skip


def _money(draft: core.Draft, name: str, value: Decimal, currency: Currency) -> Money | None:
    try:
        money = Money.from_major(value, currency)
    except MoneyError as exc:
        draft.find(exc.code, "error", name, str(exc))
        return None
    if money.amount <= 0:
        draft.find("not_positive", "error", name, f"a {name.replace('_', ' ')} must be above zero")
        return None
    return money


@functools.cache
def _platform_bounds(platform: str, code: str) -> tuple[int | None, int | None]:
    """A platform's price bounds in a market (None, None: it publishes none)."""
    try:
        return registry.default_limits(platform).price_bounds.get(MarketCode(code), (None, None))
    except (registry.UnsupportedPlatform, ValueError):
        return None, None


def _bounds(draft: core.Draft, name: str, money: Money, shops: list[dict[str, Any]], code: str) -> None:
    for platform in sorted({s["platform"] for s in shops}):
        low, high = _platform_bounds(platform, code)
        if low is not None and high is not None and not low <= money.amount <= high:
            draft.find(
                "outside_platform_bounds", "error", name,
                f"{platform} accepts {code} prices from {_major(low, money.currency)} to "
                f"{_major(high, money.currency)} {money.currency.value}",
            )  # fmt: skip


def check(
    draft: core.Draft, item: PriceItemIn, variant: VariantRow, vp: PriceRow | None, policy: ChangePolicy
) -> None:
    """Findings of one item whose before state is known; sets its after state."""
    assert draft.before is not None  # noqa: S101
    before = draft.before
    currency = Currency(before["currency"])
    price = _money(draft, "price", item.price, currency)
    sale = _money(draft, "sale_price", item.sale_price, currency) if item.sale_price is not None else None
    if price is None or (item.sale_price is not None and sale is None):
        return
    name, lowest = ("sale_price", sale) if sale is not None else ("price", price)
    if sale is not None and sale > price:
        draft.find("sale_above_price", "error", "sale_price", "the sale price is above the price")
    if vp is not None and vp.min_amount is not None and lowest.amount < vp.min_amount:
        draft.find(
            "below_floor", "error", name, f"below this SKU's floor of {_major(vp.min_amount, currency)}"
        )
    if (
        variant.cost_amount is not None
        and variant.cost_currency == currency.value
        and lowest.amount < variant.cost_amount
    ):
        draft.find(
            "below_cost", "error", name, f"below this SKU's cost of {_major(variant.cost_amount, currency)}"
        )
    assert draft.market is not None  # noqa: S101
    market_code = draft.market
    for field_name, money in (("price", price), ("sale_price", sale)):
        if money is not None:
            _bounds(draft, field_name, money, before["shops"], market_code)
    old = Money.from_major(before["price"], currency).amount if before["price"] is not None else None
    new_price, new_sale = str(price.to_major()), str(sale.to_major()) if sale else None
    if old and abs(price.amount - old) * 100 > policy.price_change_warning_percent * old:
        draft.find(
            "large_price_change", "warning", "price",
            f"the price moves from {before['price']} to {new_price} (policy: more than "
            f"{policy.price_change_warning_percent}% needs acknowledging)",
        )  # fmt: skip
    draft.after = before | {"price": new_price, "sale_price": new_sale,
                            "shops": [s | {"price": new_price} for s in before["shops"]]}  # fmt: skip
    if "own_price" in before:
        draft.after["own_price"] = True


async def _variants(session: AsyncSession, skus: Sequence[str]) -> dict[str, VariantRow]:
    wanted = sorted({s.lower() for s in skus})
    found: dict[str, VariantRow] = {}
    columns = (Variant.id, Variant.sku, Variant.cost_amount, Variant.cost_currency)
    for start in range(0, len(wanted), 5000):
        stmt = select(*columns).where(bulk.among(func.lower(Variant.sku), wanted[start : start + 5000]))
        found |= {row[1].lower(): VariantRow(*row) for row in await session.execute(stmt)}
    return found


async def preview_price(
    session: AsyncSession,
    ctx: OrgContext,
    items: Sequence[PriceItemIn],
    *,
    reason: str = "",
    source: dict[str, Any] | None = None,
    revert_of: uuid.UUID | None = None,
    unreadable: Sequence[core.Unreadable] = (),
) -> core.ChangeSetView:
    """Compute and store a price preview: each item's old and new price, the shops it reaches, and
    its findings; a sheet's `unreadable` rows are items with their errors."""
    policy = await get_policy(session, ctx)
    variants = await _variants(session, [i.sku for i in items])
    base = await _base(session, [v.id for v in variants.values()], lock=False)
    channel_ids = {i.channel_account_id for i in items if i.channel_account_id is not None}
    channels = {
        c.id: c
        for c in (
            await session.scalars(select(ChannelAccount).where(ChannelAccount.id.in_(channel_ids)))
        ).all()
    }
    seqs, drafts = core.numbered(items, unreadable)
    seen: set[tuple[str, str]] = set()
    for seq, item in zip(seqs, items, strict=True):
        draft = core.Draft(seq=seq, sku=item.sku, row=item.row)
        drafts.append(draft)
        target = str(item.channel_account_id or item.market)
        variant = variants.get(item.sku.lower())
        channel = channels.get(item.channel_account_id) if item.channel_account_id else None
        draft.channel_account_id = channel.id if channel else None  # an unknown shop is only named
        draft.market = channel.market if channel else (item.market.value if item.market else None)
        if (item.sku.lower(), target) in seen:
            draft.find(
                "duplicate_item",
                "error",
                "sku",
                f"{item.sku!r} is priced twice for {target} in this change set",
            )
            continue
        seen.add((item.sku.lower(), target))
        if variant is None:
            draft.find("unknown_sku", "error", "sku", f"no variant has the SKU {item.sku!r}")
            continue
        draft.variant_id, draft.sku = variant.id, variant.sku
        if item.channel_account_id is not None and channel is None:
            draft.find("unknown_channel", "error", "channel_account_id", "no such shop")
            continue
        draft.before = before_state(base, variant.id, draft.market, item.channel_account_id)
        if draft.before is None:
            draft.find(
                "not_listed", "error", "channel_account_id", f"this shop has no listing of {variant.sku!r}"
            )
            continue
        assert draft.market is not None  # noqa: S101
        check(draft, item, variant, base.prices.get((variant.id, draft.market)), policy)
    shops = {s["channel_account_id"] for d in drafts if d.after and not d.failed for s in d.after["shops"]}
    drafts.sort(key=lambda d: d.seq)
    return await core.store(
        session, ctx, KIND, drafts, reason=reason, source=source, policy=policy,
        summary={"shops": len(shops)}, revert_of=revert_of,
    )  # fmt: skip


def _minor(state: dict[str, Any] | None, name: str) -> int | None:
    if state is None or state.get(name) is None:
        return None
    return Money.from_major(state[name], state["currency"]).amount


class PriceKind:
    name = KIND
    after_shops = False  # the listings a commit marks are the items' own (stock) or their before's (price)

    async def current(
        self, session: AsyncSession, ctx: OrgContext, items: Sequence[core.Item]
    ) -> dict[int, dict[str, Any] | None]:
        base = await _base(session, [i.variant_id for i in items if i.variant_id], lock=True)
        return {
            i.seq: before_state(base, i.variant_id, i.market, i.channel_account_id)
            for i in items
            if i.variant_id is not None
        }

    async def apply(
        self, session: AsyncSession, ctx: OrgContext, change_set: ChangeSet, items: Sequence[core.Item]
    ) -> None:
        """Set what the items' `after` says, in a few statements from column arrays and without reading
        the base again (`current` has just read it under lock and found it equal to each `before`): market
        prices that exist (a `before` price) updated in one, new ones inserted in one; a shop's own price
        merged into its listing's `overrides` (its other keys kept) in one."""
        listing_ids: list[uuid.UUID] = []
        owned: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        created: list[dict[str, Any]] = []
        for item in items:
            assert item.variant_id and item.before and item.after is not None and item.market  # noqa: S101
            price, sale = _minor(item.after, "price"), _minor(item.after, "sale_price")
            assert price is not None  # noqa: S101
            reached = item.before["shops"]  # the after's shops are these with the new price
            listing_ids += [uuid.UUID(s["listing_id"]) for s in reached]
            if item.channel_account_id is not None:
                own = {"price": item.after["price"]} | (
                    {"sale_price": item.after["sale_price"]} if sale else {}
                )
                owned.append({"id": uuid.UUID(reached[0]["listing_id"]), "overrides": own})
            elif (item.before or {}).get("price") is None:
                created.append(
                    {"org_id": ctx.org_id, "variant_id": item.variant_id, "market": item.market,
                     "currency": item.after["currency"], "amount": price, "sale_amount": sale}
                )  # fmt: skip
            else:
                changed.append(
                    {
                        "variant_id": item.variant_id,
                        "market": item.market,
                        "amount": price,
                        "sale_amount": sale,
                    }
                )
        await bulk.update_by_key(session, VariantPrice, "variant_id", changed, match=("market",))
        await bulk.insert_rows(session, VariantPrice, created)
        await bulk.update_by_key(session, Listing, "id", owned, sets={"overrides": OWN_PRICE})
        await push.mark_prices_dirty(session, ctx.org_id, listing_ids)

    def approval_needed(self, policy: ChangePolicy, items: Sequence[core.Item]) -> str | None:
        limit = policy.approval_price_drop_percent
        for item in items:
            old, new = _minor(item.before, "price"), _minor(item.after, "price")
            if old and new is not None and (old - new) * 100 > limit * old:
                was, now = (item.before or {}).get("price"), (item.after or {}).get("price")
                return f"{item.sku} drops from {was} to {now} (policy: more than {limit}% needs approval)"
        return None

    async def revert(
        self,
        session: AsyncSession,
        ctx: OrgContext,
        change_set: ChangeSet,
        items: Sequence[core.Item],
        skus: dict[uuid.UUID, str],
    ) -> core.ChangeSetView:
        back: list[PriceItemIn] = []
        for item in items:
            before = item.before or {}
            if item.variant_id not in skus or before.get("price") is None:
                continue  # a market price the change set created has no old price to set back
            back.append(
                PriceItemIn(
                    sku=skus[item.variant_id],
                    channel_account_id=item.channel_account_id,
                    market=None if item.channel_account_id or not item.market else MarketCode(item.market),
                    price=Decimal(before["price"]),
                    sale_price=Decimal(before["sale_price"]) if before.get("sale_price") else None,
                )
            )
        return await preview_price(
            session,
            ctx,
            back,
            reason=f"revert of {change_set.id}: {change_set.reason}"[:500],
            revert_of=change_set.id,
        )


core.register(PriceKind())
