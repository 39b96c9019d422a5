"""Deterministic seed data for a TikTok Shop sandbox shop: products with SKUs (colour × size sales
attributes) and orders spread over the §B5 statuses (shopee-tiktokshop.md §B4 fields, §B9 money).

Everything comes from one ``random.Random(seed)``, so the same call on the same sandbox gives the same data.
Seller SKUs look like TT-000123 (single SKU) and TT-000123-RED-M; prices fit the shop's currency (IDR
whole rupiah, SGD/MYR cents); orders hold, deduct or give back stock according to their status.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aiostore.sandbox.common import COLORS, SIZES, FakeData, Market
from aiostore.sandbox.common.seeding import DAY, SeedPlan, random_picks
from aiostore.sandbox.tiktokshop.catalog import Catalog
from aiostore.sandbox.tiktokshop.models import (
    CARRIERS,
    PACKAGE_STATUS,
    PAID,
    RESERVING,
    LineItem,
    Order,
    Package,
    Product,
    Shop,
    Sku,
)
from aiostore.sandbox.tiktokshop.orders import OrderBook

_STATUS_WEIGHTS = {
    "UNPAID": 8,
    "AWAITING_SHIPMENT": 24,
    "AWAITING_COLLECTION": 10,
    "IN_TRANSIT": 12,
    "DELIVERED": 10,
    "COMPLETED": 26,
    "CANCELLED": 10,
}
_STEPS = {"UNPAID": 0, "AWAITING_SHIPMENT": 1, "CANCELLED": 1, "AWAITING_COLLECTION": 2, "IN_TRANSIT": 3}
_NOTES = ("", "", "", "", "Please pack securely", "Tolong dikirim cepat ya", "Gift wrap please")
_SHIPPING_FEES = {"IDR": (9_000, 12_000, 15_000), "SGD": (199, 299, 399), "MYR": (490, 590, 800)}
_PAYMENTS = ("DANA", "GoPay", "Credit card", "Bank transfer", "PayLater")
_CATEGORIES = ("601226", "601152", "600001", "824328", "601739")


@dataclass(frozen=True, slots=True)
class SeedResult:
    product_ids: list[str]
    order_ids: list[str]


def round_price(value: float, market: Market) -> int:
    step = 500 if market.exponent == 0 else 10
    return max(step, round(value / step) * step)


def sales_attributes(skus: int, rng: random.Random) -> list[list[tuple[str, str]]]:
    """Colour × size where ``skus`` factors so, else sizes of one colour, else colours, else numbered."""
    if skus <= 1:
        return [[]] * max(skus, 0)
    for sizes in (5, 4, 3, 2):
        if skus % sizes == 0 and 2 <= skus // sizes <= len(COLORS):
            colours = rng.sample(COLORS, skus // sizes)
            return [[("Color", c), ("Size", s)] for c in colours for s in SIZES[:sizes]]
    if skus <= len(SIZES):
        colour = rng.choice(COLORS)
        return [[("Color", colour), ("Size", s)] for s in SIZES[:skus]]
    if skus <= len(COLORS):
        return [[("Color", c)] for c in rng.sample(COLORS, skus)]
    return [[("Variant", f"V{i}")] for i in range(1, skus + 1)]


def make_product(catalog: Catalog, shop: Shop, fake: FakeData, number: int, skus: int, now: int) -> Product:
    rng, market = fake.rng, shop.market
    title = fake.product_name()
    base_sku = f"TT-{number:06d}"
    created = now - rng.randint(30 * DAY, 365 * DAY)
    base = fake.price_minor(market)
    entries: list[Sku] = []
    for attributes in sales_attributes(max(skus, 1), rng):
        suffix = [value.upper().replace(" ", "") for _, value in attributes]
        quantity = 0 if rng.random() < 0.08 else rng.randint(1, 300)
        price = round_price(base * rng.uniform(0.9, 1.3), market) if attributes else base
        entries.append(catalog.new_sku("-".join([base_sku, *suffix]), price, quantity, attributes))
    return Product(
        product_id=catalog.new_product_id(),
        shop_id=shop.shop_id,
        title=title,
        description=f"<p>{title}. Quality guaranteed, ships from {shop.region} within 2 days.</p>",
        category_id=rng.choice(_CATEGORIES),
        status="ACTIVATE",
        create_time=created,
        update_time=rng.randint(created, now),
        images=[f"tos-alisg-i-aphluv4xwc-sg/{rng.getrandbits(64):016x}"],
        weight_kg=f"{rng.uniform(0.1, 2.0):.2f}",
        skus={s.sku_id: s for s in entries},
    )


class OrderFactory:
    """Builds orders (buyer, address, line items, package) for a shop from a seeded generator."""

    def __init__(self, rng: random.Random, book: OrderBook) -> None:
        self.rng, self.fake, self.book = rng, FakeData(rng), book

    def build(self, shop: Shop, picks: list[tuple[Product, Sku, int]], created: int, status: str) -> Order:
        rng, market = self.rng, shop.market
        items: list[LineItem] = []
        for product, sku, quantity in picks:
            sale = (
                sku.price if rng.random() < 0.7 else round_price(sku.price * rng.uniform(0.8, 0.95), market)
            )
            items += [
                LineItem(
                    self.book.new_line_id(),
                    product.product_id,
                    sku.sku_id,
                    product.title,
                    sku.seller_sku,
                    sku.name,
                    sku.price,
                    sale,
                )
                for _ in range(quantity)
            ]
        provider_id, provider = rng.choice(CARRIERS[shop.region])
        cod = rng.random() < (0.05 if shop.region == "SG" else 0.2)
        buyer = self.fake.person(shop.region)
        return Order(
            order_id=self.book.new_order_id(),
            shop_id=shop.shop_id,
            region=shop.region,
            currency=market.currency,
            status=status,
            create_time=created,
            update_time=created,
            line_items=items,
            package=Package(self.book.new_package_id(), provider_id, provider),
            user_id=str(rng.randint(7 * 10**18, 8 * 10**18)),
            buyer=buyer,
            address=self.fake.address(shop.region),
            is_cod=cod,
            payment_method_name="Cash on delivery" if cod else rng.choice(_PAYMENTS),
            shipping_fee=rng.choice(_SHIPPING_FEES[market.currency]),
            buyer_message=rng.choice(_NOTES),
        )

    def random_picks(
        self, products: list[Product], available_only: bool = True
    ) -> list[tuple[Product, Sku, int]]:
        """1-3 distinct (product, sku, quantity) picks, if possible with free stock."""

        def sku(product: Product) -> tuple[Product, Sku]:
            return product, self.rng.choice(list(product.skus.values()))

        picks = random_picks(self.rng, products, sku, lambda unit: unit[1].quantity, available_only)
        return [(product, chosen, quantity) for (product, chosen), quantity in picks]


def seed_shop(catalog: Catalog, book: OrderBook, shop: Shop, plan: SeedPlan) -> SeedResult:
    rng, now = plan.rng("tiktokshop", shop.shop_id), plan.now
    fake = FakeData(rng)
    first = catalog.count(shop.shop_id) + 1
    made = [
        make_product(catalog, shop, fake, first + i, plan.variants_per_product, now)
        for i in range(plan.products)
    ]
    for product in made:
        catalog.add(product)
    pool = made or [p for p in catalog.of_shop(shop.shop_id) if p.status == "ACTIVATE"]
    factory = OrderFactory(rng, book)
    order_ids: list[str] = []
    for status, created in plan.orders_to_make(rng, _STATUS_WEIGHTS, any_product=bool(pool)):
        order = factory.build(shop, factory.random_picks(pool, available_only=False), created, status)
        _age(order, status, rng, now)
        if status in RESERVING:
            for (product_id, sku_id), quantity in order.units().items():
                sku = catalog.products[product_id].skus[sku_id]  # a seeded open order may need more stock
                sku.quantity = max(sku.quantity, quantity)
            book.apply_stock(order, "reserved")
        else:
            order.stock_state = "released" if status == "CANCELLED" else "deducted"
        book.add(order)
        order_ids.append(order.order_id)
    return SeedResult([p.product_id for p in made], order_ids)


def _age(order: Order, status: str, rng: random.Random, now: int) -> None:
    """Give a seeded order the times, package and cancel fields its status implies."""
    unpaid_cancel = status == "CANCELLED" and rng.random() < 0.4
    if status in PAID and not unpaid_cancel:
        order.paid_time = min(now, order.create_time + rng.randint(60, 3600))
    step = rng.randint(3600, DAY)
    order.update_time = max(min(now, order.create_time + _STEPS.get(status, 4) * step), order.paid_time or 0)
    if status in ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"):
        order.rts_time = min(now, (order.paid_time or order.create_time) + step)
        order.package.tracking_number = f"JX{rng.randint(10**11, 10**12 - 1)}"
        order.package.handover_method = "PICKUP"
    if status in ("IN_TRANSIT", "DELIVERED", "COMPLETED"):
        order.collection_time = order.rts_time
    if status in ("DELIVERED", "COMPLETED"):
        order.delivery_time = order.update_time
    if status == "CANCELLED":
        order.cancel_time = order.update_time
        if unpaid_cancel:
            order.cancellation_initiator, order.cancel_reason = "SYSTEM", "Buyer did not pay on time"
        else:
            order.cancellation_initiator = rng.choice(("BUYER", "SELLER"))
            order.cancel_reason = (
                "No longer needed" if order.cancellation_initiator == "BUYER" else "Out of stock"
            )
    order.package.status = PACKAGE_STATUS.get(status, "TO_FULFILL")
