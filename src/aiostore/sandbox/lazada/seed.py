"""Deterministic seed data for a Lazada sandbox seller: products with SKUs (sale properties color_family x
size) and orders spread over the §A5 statuses (lazada-tokopedia.md §A4 fields, §A9 money).

Everything comes from one ``random.Random(seed)``. SKUs look like LZ-000123 (single) or LZ-000123-RED-M;
prices fit the currency (IDR whole rupiah, SGD/MYR cents); each order item is one unit and holds stock as
its status does (withheld, occupied, deducted, released).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aiostore.sandbox.common import COLORS, SIZES, FakeData
from aiostore.sandbox.common.seeding import DAY, SeedPlan, random_picks
from aiostore.sandbox.lazada.catalog import Catalog
from aiostore.sandbox.lazada.models import CARRIERS, Order, OrderItem, Product, Seller, Sku, stock_state
from aiostore.sandbox.lazada.orders import OrderBook

_STATUS_WEIGHTS = {
    "unpaid": 8, "pending": 22, "packed": 8, "ready_to_ship": 8, "shipped": 14, "delivered": 26,
    "canceled": 10, "returned": 2, "failed_delivery": 2,
}  # fmt: skip
_STEPS = {"unpaid": 0, "pending": 1, "canceled": 1, "packed": 2, "ready_to_ship": 2, "shipped": 3}
_PAYMENTS = ("COD", "MIXEDCARD", "LAZADA_WALLET", "ONLINE_BANKING")
_FEES = {"IDR": (9_000, 12_000, 15_000), "SGD": (199, 299, 399), "MYR": (490, 590, 800)}
_CATEGORIES = (8707, 10002019, 3008, 4402, 6614)


@dataclass(frozen=True, slots=True)
class SeedResult:
    item_ids: list[int]
    order_ids: list[int]


def _props(count: int, rng: random.Random) -> list[dict[str, str]]:
    """``count`` sale-property combinations: colour x size when it factors so, else sizes, else colours."""
    if count <= 1:
        return [{}]
    for sizes in (5, 4, 3, 2):
        if count % sizes == 0 and 2 <= count // sizes <= len(COLORS):
            colors = rng.sample(COLORS, count // sizes)
            return [{"color_family": c, "size": s} for c in colors for s in SIZES[:sizes]]
    if count <= len(SIZES):
        color = rng.choice(COLORS)
        return [{"color_family": color, "size": s} for s in SIZES[:count]]
    if count <= len(COLORS):
        return [{"color_family": c} for c in rng.sample(COLORS, count)]
    return [{"variant": f"V{i}"} for i in range(1, count + 1)]


def make_product(
    catalog: Catalog, seller: Seller, fake: FakeData, number: int, skus: int, created_ms: int, now_ms: int
) -> Product:
    rng, market = fake.rng, seller.market
    name = fake.product_name()
    base_sku = f"LZ-{number:06d}"
    base_price = fake.price_minor(market)
    product = Product(
        item_id=catalog.new_item_id(),
        seller_id=seller.seller_id,
        name=name,
        description=f"<p>{name}. Ships from {seller.country} within 2 days.</p>",
        category_id=rng.choice(_CATEGORIES),
        status="Active",
        created_ms=created_ms,
        updated_ms=rng.randint(created_ms, now_ms),
        images=[f"https://{seller.country.lower()}-live.slatic.net/p/{rng.getrandbits(64):016x}.jpg"],
        skus={},
    )
    step = 500 if market.exponent == 0 else 10
    for props in _props(skus, rng):
        suffix = "-".join(v.upper().replace(" ", "") for v in props.values())
        price = max(step, round(base_price * rng.uniform(0.9, 1.3) / step) * step)
        special = round(price * 0.85 / step) * step if rng.random() < 0.1 else 0
        sku = Sku(
            sku_id=catalog.new_sku_id(),
            seller_sku=f"{base_sku}-{suffix}" if suffix else base_sku,
            price=price,
            quantity=0 if rng.random() < 0.08 else rng.randint(1, 300),
            special_price=special,
            sale_props=props,
            package_weight=f"{rng.uniform(0.1, 2.0):.2f}",
        )
        product.skus[sku.sku_id] = sku
    return product


class OrderFactory:
    """Builds orders (buyer, address, one item per unit) for a seller from a seeded generator."""

    def __init__(self, rng: random.Random, book: OrderBook) -> None:
        self.rng, self.fake, self.book = rng, FakeData(rng), book

    def build(
        self, seller: Seller, picks: list[tuple[Product, Sku, int]], created: int, status: str
    ) -> Order:
        rng, market = self.rng, seller.market
        items = []
        for product, sku, quantity in picks:
            unit_price = sku.special_price or sku.price
            variation = ", ".join(f"{k}:{v}" for k, v in sku.sale_props.items())
            for _ in range(quantity):
                items.append(
                    OrderItem(
                        order_item_id=self.book.new_item_id(),
                        item_id=product.item_id,
                        sku_id=sku.sku_id,
                        seller_sku=sku.seller_sku,
                        name=product.name,
                        variation=variation,
                        item_price=unit_price,
                        status=status,
                        created=created,
                        updated=created,
                    )
                )
        cod = rng.random() < (0.05 if seller.country == "SG" else 0.25)
        return Order(
            order_id=self.book.new_order_id(),
            seller_id=seller.seller_id,
            country=seller.country,
            currency=market.currency,
            created=created,
            updated=created,
            items=items,
            buyer_id=rng.randint(10**8, 10**9 - 1),
            buyer=self.fake.person(seller.country),
            address=self.fake.address(seller.country),
            payment_method="COD" if cod else rng.choice(_PAYMENTS[1:]),
            shipping_fee=rng.choice(_FEES[market.currency]),
            remarks=rng.choice(("", "", "", "Please pack securely", "Tolong dikirim cepat ya")),
        )

    def random_picks(
        self, products: list[Product], sellable_only: bool = True
    ) -> list[tuple[Product, Sku, int]]:
        """1-3 distinct (product, SKU, quantity) picks, if possible with sellable stock."""

        def sku(product: Product) -> tuple[Product, Sku]:
            return product, self.rng.choice(list(product.skus.values()))

        picks = random_picks(self.rng, products, sku, lambda unit: unit[1].sellable, sellable_only)
        return [(product, chosen, quantity) for (product, chosen), quantity in picks]


def seed_shop(catalog: Catalog, book: OrderBook, seller: Seller, plan: SeedPlan) -> SeedResult:
    rng, now, products = plan.rng("lazada", seller.seller_id), plan.now, plan.products
    skus = max(1, plan.variants_per_product)
    fake = FakeData(rng)
    first = catalog.count(seller.seller_id) + 1
    start_ms = (now - 365 * DAY) * 1000
    spacing = max(1, (364 * DAY * 1000) // max(products, 1))
    new = [
        make_product(catalog, seller, fake, first + i, skus, start_ms + i * spacing, now * 1000)
        for i in range(products)
    ]
    for product in new:
        catalog.add(product)
    pool = new or [p for p in catalog.of_seller(seller.seller_id) if p.status == "Active"]
    factory = OrderFactory(rng, book)
    order_ids: list[int] = []
    for status, created in plan.orders_to_make(rng, _STATUS_WEIGHTS, any_product=bool(pool)):
        order = factory.build(seller, factory.random_picks(pool, sellable_only=False), created, status)
        order.updated = min(now, created + _STEPS.get(status, 4) * rng.randint(3600, DAY))
        for item in order.items:
            item.updated = order.updated
            _age(item, status, order, rng)
            state = stock_state(status)
            found = catalog.sku(seller.seller_id, item.sku_id)
            if found is not None and state in ("withheld", "occupied"):
                found[1].quantity = max(found[1].quantity, found[1].reserved + 1)  # room for the open order
            if state == "deducted":
                item.stock_state = state  # shipped before the seed: the seeded quantity is what is left
            else:
                book.apply_stock(order, item, state)
        book.add(order)
        order_ids.append(order.order_id)
    return SeedResult([p.item_id for p in new], order_ids)


def _age(item: OrderItem, status: str, order: Order, rng: random.Random) -> None:
    """Give a seeded order item the payment, package and cancel fields its status implies."""
    if status != "unpaid" and not (status == "canceled" and rng.random() < 0.4):
        item.payment_ms = (order.created + rng.randint(60, 3600)) * 1000
    if status in ("packed", "ready_to_ship", "shipped", "delivered", "returned", "failed_delivery"):
        item.package_id = f"FP{order.order_id % 10**12:012d}"
        item.shipment_provider = rng.choice(CARRIERS[order.country])
        item.tracking_code = f"LX{order.country}{rng.randint(10**9, 10**10 - 1)}"
    if status == "canceled":
        item.initiator = rng.choice(("cancellation-customer", "cancellation-seller", "cancellation-internal"))
        item.reason = "Out of stock" if item.initiator == "cancellation-seller" else "Change of mind"
