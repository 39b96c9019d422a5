"""Deterministic seed data for a Shopee sandbox shop: items with tier variations and models, and orders
spread over the A5 status path (shopee-tiktokshop.md §A4 fields, §A5 statuses, §A9 money).

Everything comes from one `random.Random(seed)`, so the same call on the same sandbox gives the same data.
SKUs look like SKU-000123 (item) and SKU-000123-RED-M (model); prices fit the shop's currency (IDR whole
rupiah, SGD/MYR cents); orders reserve, deduct or release stock according to their status.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from aiostore.sandbox.common import COLORS, SIZES, FakeData, Market
from aiostore.sandbox.common.seeding import DAY, SeedPlan, random_picks
from aiostore.sandbox.shopee.catalog import Catalog
from aiostore.sandbox.shopee.models import (
    CARRIERS,
    LOGISTICS_BY_STATUS,
    PAID,
    RESERVING,
    Item,
    Model,
    Order,
    OrderLine,
    Package,
    Shop,
    TierVariation,
)
from aiostore.sandbox.shopee.orders import OrderBook

_SN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_STATUS_WEIGHTS = {
    "UNPAID": 8, "READY_TO_SHIP": 22, "PROCESSED": 12, "RETRY_SHIP": 1, "SHIPPED": 14,
    "TO_CONFIRM_RECEIVE": 10, "COMPLETED": 22, "IN_CANCEL": 3, "CANCELLED": 7, "TO_RETURN": 1,
}  # fmt: skip
_STEPS = {"UNPAID": 0, "READY_TO_SHIP": 1, "IN_CANCEL": 1, "CANCELLED": 1, "PROCESSED": 2, "RETRY_SHIP": 3}
_NOTES = ("", "", "", "", "", "Please pack securely", "Tolong dikirim cepat ya", "Gift wrap please")
_SHIPPING_FEES = {"IDR": (9_000, 12_000, 15_000, 18_000), "SGD": (199, 299, 399), "MYR": (490, 590, 800)}
_PAYMENTS = ("ShopeePay", "Credit Card", "Bank Transfer", "SPayLater")


@dataclass(frozen=True, slots=True)
class SeedResult:
    item_ids: list[int]
    order_sns: list[str]


def round_price(value: float, market: Market) -> int:
    step = 500 if market.exponent == 0 else 10
    return max(step, round(value / step) * step)


def tier_variations(models: int, rng: random.Random) -> list[TierVariation]:
    """Colour x size where `models` factors so, else one colour and up to 5 sizes, else one tier."""
    if models <= 0:
        return []
    for sizes in (5, 4, 3, 2):
        if models % sizes == 0 and 2 <= models // sizes <= len(COLORS):
            colors = rng.sample(COLORS, models // sizes)
            return [TierVariation("Color", colors), TierVariation("Size", list(SIZES[:sizes]))]
    if models <= len(SIZES):
        return [TierVariation("Color", [rng.choice(COLORS)]), TierVariation("Size", list(SIZES[:models]))]
    if models <= len(COLORS):
        return [TierVariation("Color", rng.sample(COLORS, models))]
    return [TierVariation("Variant", [f"V{i}" for i in range(1, models + 1)])]


def _index_product(tiers: list[TierVariation]) -> list[list[int]]:
    combos: list[list[int]] = [[]]
    for tier in tiers:
        combos = [combo + [i] for combo in combos for i in range(len(tier.options))]
    return combos


def make_item(
    catalog: Catalog, shop: Shop, fake: FakeData, number: int, models: int, now: int, logistic_ids: list[int]
) -> Item:
    rng, market = fake.rng, shop.market
    name = fake.product_name()
    sku = f"SKU-{number:06d}"
    created = now - rng.randint(30 * DAY, 365 * DAY)
    item = Item(
        item_id=catalog.new_item_id(),
        shop_id=shop.shop_id,
        item_name=name,
        description=f"{name}. Quality guaranteed, ships from {shop.region} within 2 days.",
        item_sku=sku,
        category_id=rng.choice((100017, 100011, 100636, 100630, 101220)),
        item_status="NORMAL",
        create_time=created,
        update_time=rng.randint(created, now),
        weight=round(rng.uniform(0.1, 2.0), 2),
        image_ids=[f"{shop.region.lower()}-11134207-{rng.getrandbits(64):016x}"],
        logistic_ids=logistic_ids,
        tier_variation=tier_variations(models, rng),
    )
    base = fake.price_minor(market)
    for tier_index in _index_product(item.tier_variation) if models > 0 else []:
        options = [
            t.options[i].upper().replace(" ", "")
            for t, i in zip(item.tier_variation, tier_index, strict=True)
        ]
        model_id = catalog.new_model_id()
        price = round_price(base * rng.uniform(0.9, 1.3), market)
        stock = 0 if rng.random() < 0.08 else rng.randint(1, 300)
        item.models[model_id] = Model(model_id, "-".join([sku, *options]), tier_index, price, stock)
    if not item.models:
        item.price, item.stock = base, 0 if rng.random() < 0.08 else rng.randint(1, 300)
    return item


class OrderFactory:
    """Builds orders (buyer, address, lines, package) for a shop from a seeded generator."""

    def __init__(self, rng: random.Random, book: OrderBook) -> None:
        self.rng, self.fake, self.book = rng, FakeData(rng), book

    def order_sn(self, created: int) -> str:
        while True:
            suffix = "".join(self.rng.choice(_SN_ALPHABET) for _ in range(8))
            order_sn = time.strftime("%y%m%d", time.gmtime(created)) + suffix
            if order_sn not in self.book.orders:
                return order_sn

    def build(self, shop: Shop, picks: list[tuple[Item, int, int]], created: int, status: str) -> Order:
        rng, market = self.rng, shop.market
        lines = []
        for item, model_id, quantity in picks:
            holder = Catalog.holder(item, model_id)
            assert holder is not None  # noqa: S101 - picks come from the catalogue
            model = item.models.get(model_id)
            discounted = (
                holder.price
                if rng.random() < 0.7
                else round_price(holder.price * rng.uniform(0.8, 0.95), market)
            )
            lines.append(
                OrderLine(
                    order_item_id=self.book.new_order_item_id(),
                    item_id=item.item_id,
                    model_id=model_id,
                    item_name=item.item_name,
                    item_sku=item.item_sku,
                    model_name=item.model_name(model) if model else "",
                    model_sku=model.model_sku if model else "",
                    quantity=quantity,
                    original_price=holder.price,
                    discounted_price=discounted,
                )
            )
        channel_id, carrier = rng.choice(CARRIERS[shop.region])
        cod = rng.random() < (0.05 if shop.region == "SG" else 0.2)
        return Order(
            order_sn=self.order_sn(created),
            shop_id=shop.shop_id,
            region=shop.region,
            currency=market.currency,
            status=status,
            create_time=created,
            update_time=created,
            lines=lines,
            package=Package(f"OFG{rng.randint(10**9, 10**10 - 1)}", channel_id, carrier),
            buyer_user_id=rng.randint(10**8, 10**9 - 1),
            buyer=self.fake.person(shop.region),
            address=self.fake.address(shop.region),
            cod=cod,
            payment_method="Cash on Delivery" if cod else rng.choice(_PAYMENTS),
            shipping_fee=rng.choice(_SHIPPING_FEES[market.currency]),
            days_to_ship=rng.choice((2, 3)),
            message_to_seller=rng.choice(_NOTES),
        )

    def random_picks(self, items: list[Item], available_only: bool = True) -> list[tuple[Item, int, int]]:
        """1-3 distinct (item, model_id, quantity) picks among `items`, if possible with free stock."""

        def model(item: Item) -> tuple[Item, int]:
            return item, self.rng.choice(list(item.models)) if item.models else 0

        def free(unit: tuple[Item, int]) -> int:
            holder = Catalog.holder(*unit)
            assert holder is not None  # noqa: S101 - a model of the item
            return holder.stock - holder.reserved

        picks = random_picks(self.rng, items, model, free, available_only)
        return [(item, model_id, quantity) for (item, model_id), quantity in picks]


def seed_shop(catalog: Catalog, book: OrderBook, shop: Shop, plan: SeedPlan) -> SeedResult:
    rng, now = plan.rng("shopee", shop.shop_id), plan.now
    fake = FakeData(rng)
    logistic_ids = [channel for channel, _ in CARRIERS[shop.region]]
    first = catalog.count(shop.shop_id) + 1
    new_items = [
        make_item(catalog, shop, fake, first + i, plan.variants_per_product, now, logistic_ids)
        for i in range(plan.products)
    ]
    for item in new_items:
        catalog.add(item)
    pool = new_items or [
        i for i in catalog.items.values() if i.shop_id == shop.shop_id and i.item_status == "NORMAL"
    ]
    factory = OrderFactory(rng, book)
    order_sns: list[str] = []
    for status, created in plan.orders_to_make(rng, _STATUS_WEIGHTS, any_product=bool(pool)):
        picks = factory.random_picks(pool, available_only=False)
        order = factory.build(shop, picks, created, status)
        _age(order, status, rng, now)
        if status in RESERVING:
            for line in order.lines:  # a seeded open order may need more stock than was generated
                holder = Catalog.holder(catalog.items[line.item_id], line.model_id)
                assert holder is not None  # noqa: S101
                holder.stock = max(holder.stock, holder.reserved + line.quantity)
            book.apply_stock(order, "reserved")
        else:
            order.stock_state = "released" if status == "CANCELLED" else "deducted"
        book.add(order)
        order_sns.append(order.order_sn)
    return SeedResult([i.item_id for i in new_items], order_sns)


def _age(order: Order, status: str, rng: random.Random, now: int) -> None:
    """Give a seeded order the times, package and cancel fields its status implies."""
    unpaid_cancel = status == "CANCELLED" and rng.random() < 0.4
    if status in PAID and not unpaid_cancel:
        order.pay_time = min(now, order.create_time + rng.randint(60, 3600))
    order.update_time = min(now, order.create_time + _STEPS.get(status, 4) * rng.randint(3600, DAY))
    order.update_time = max(order.update_time, order.pay_time or order.create_time)
    if status in ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN", "RETRY_SHIP"):
        order.package.tracking_number = f"SPX{order.region}{rng.randint(10**11, 10**12 - 1)}"
    if status in ("IN_CANCEL", "CANCELLED"):
        if unpaid_cancel:
            order.cancel_by, order.cancel_reason = "system", "Unpaid"
        else:
            order.cancel_by = "buyer" if status == "IN_CANCEL" else rng.choice(("buyer", "seller"))
            order.cancel_reason = "Change of mind" if order.cancel_by == "buyer" else "Out of Stock"
        order.buyer_cancel_reason = order.cancel_reason if order.cancel_by == "buyer" else ""
        order.status_before_cancel = "READY_TO_SHIP" if order.pay_time else "UNPAID"
    order.package.logistics_status = LOGISTICS_BY_STATUS.get(status, "LOGISTICS_NOT_START")
