"""Deterministic seed data for a Tokopedia sandbox shop: products with variant children, and orders spread
over the §B5 statuses (lazada-tokopedia.md §B4 fields, §B9 integer rupiah).

Everything comes from one ``random.Random``; 10,000 products × 3 variants seed in well under a second.
SKUs look like SKU-000123 (product) and SKU-000123-BLACK-M (variant); a variant's name is its parent's
name followed by " - " and its options ("Kaos Polos - Black, M"), as Tokopedia names them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from aiostore.sandbox.common import COLORS, MARKETS, SIZES, FakeData
from aiostore.sandbox.common.seeding import DAY, SeedPlan, random_picks
from aiostore.sandbox.tokopedia.catalog import Catalog
from aiostore.sandbox.tokopedia.models import CANCELLED, COURIERS, UNPAID, Order, OrderLine, Product, Shop
from aiostore.sandbox.tokopedia.orders import OrderBook

IDR = MARKETS["ID"]
_CATEGORIES = (1759, 1828, 1807, 3412, 2137)
_STATUS_WEIGHTS = {
    100: 4, 220: 20, 400: 12, 450: 6, 500: 12, 600: 8, 700: 24, 10: 5, 0: 3, 15: 2, 550: 1,
}  # fmt: skip
_SHIPPING = (9_000, 12_000, 15_000, 18_000, 22_000)


@dataclass(frozen=True, slots=True)
class SeedResult:
    product_ids: list[int]
    order_ids: list[int]


def options(count: int, rng: random.Random) -> list[tuple[str, ...]]:
    """``count`` option combinations: sizes of one colour, or colours × sizes."""
    if count <= len(SIZES):
        color = rng.choice(COLORS)
        return [(color, size) for size in SIZES[:count]]
    for sizes in (5, 4, 3, 2):
        if count % sizes == 0 and count // sizes <= len(COLORS):
            return [(c, s) for c in rng.sample(COLORS, count // sizes) for s in SIZES[:sizes]]
    return [(f"V{i}",) for i in range(1, count + 1)]


def make_products(
    catalog: Catalog, shop: Shop, fake: FakeData, number: int, variants: int, now: int
) -> list[Product]:
    """One product (a parent and its variants when ``variants`` > 0), in id order."""
    rng = fake.rng
    name = fake.product_name()
    sku = f"SKU-{number:06d}"
    created = now - rng.randint(30 * DAY, 365 * DAY)
    updated = rng.randint(created, now)
    base = fake.price_minor(IDR)
    menu = (1_400_000 + number % 7, rng.choice(("Baju", "Aksesoris", "Rumah", "Promo")))
    pictures = [f"https://images.tokopedia.net/img/cache/700/product-1/{rng.getrandbits(48):012x}.jpg"]

    def make(pid: int, pname: str, psku: str, price: int, stock: int, parent: int | None) -> Product:
        return Product(
            product_id=pid,
            shop_id=shop.shop_id,
            name=pname,
            description=f"{name}. Original, dikirim dari gudang kami dalam 1-2 hari.",
            sku=psku,
            category_id=_CATEGORIES[number % len(_CATEGORIES)],
            status=1,
            price=price,
            stock=stock,
            weight_g=rng.randint(100, 2000),
            pictures=pictures,
            create_time=created,
            update_time=updated,
            price_time=updated,
            parent_id=parent,
            menu=menu,
        )

    def stock() -> int:
        return 0 if rng.random() < 0.08 else rng.randint(1, 300)

    parent = make(catalog.new_id(), name, sku, base, 0, None)
    if variants <= 0:
        parent.stock = stock()
        return [parent]
    made = [parent]
    for combo in options(variants, rng):
        price = max(500, round(base * rng.uniform(0.9, 1.3) / 500) * 500)
        child_sku = "-".join([sku, *(o.upper().replace(" ", "") for o in combo)])
        child = make(
            catalog.new_id(), f"{name} - {', '.join(combo)}", child_sku, price, stock(), parent.product_id
        )
        parent.children.append(child.product_id)
        made.append(child)
    return made


class OrderFactory:
    """Builds orders (buyer, address, lines, courier) for a shop from a seeded generator."""

    def __init__(self, rng: random.Random, book: OrderBook) -> None:
        self.rng, self.fake, self.book = rng, FakeData(rng), book

    def build(self, shop: Shop, picks: list[tuple[Product, int]], created: int, status: int) -> Order:
        rng = self.rng
        order_id = self.book.new_order_id()
        stamp = time.strftime("%Y%m%d", time.gmtime(created))
        lines = [
            OrderLine(
                order_detail_id=self.book.new_detail_id(),
                product_id=p.product_id,
                name=p.name,
                sku=p.sku,
                quantity=quantity,
                price=p.price,
                normal_price=p.price,
                weight_kg=round(p.weight_g / 1000, 3),
                notes=rng.choice(("", "", "", "Warna sesuai foto ya", "Tolong dibungkus rapi")),
            )
            for p, quantity in picks
        ]
        return Order(
            order_id=order_id,
            shop_id=shop.shop_id,
            warehouse_id=shop.warehouse_id,
            invoice=f"INV/{stamp}/MPL/{order_id}",
            status=status,
            create_time=created,
            update_time=created,
            lines=lines,
            buyer_id=rng.randint(10**7, 10**8 - 1),
            buyer=self.fake.person("ID"),
            address=self.fake.address("ID"),
            courier=rng.choice(COURIERS),
            shipping_cost=rng.choice(_SHIPPING),
            history=[(status if status in UNPAID else 100, "buyer", "Order created", created)],
        )

    def random_picks(self, pool: list[Product], available_only: bool = True) -> list[tuple[Product, int]]:
        """1-3 distinct (product, quantity) picks among sellable ``pool``, with free stock if asked."""
        return random_picks(
            self.rng, pool, lambda product: product, lambda product: product.stock, available_only
        )


def seed_shop(catalog: Catalog, book: OrderBook, shop: Shop, plan: SeedPlan) -> SeedResult:
    rng, now = plan.rng("tokopedia", shop.shop_id), plan.now
    fake = FakeData(rng)
    first = catalog.count(shop.shop_id) + 1
    new: list[Product] = []
    for n in range(plan.products):
        made = make_products(catalog, shop, fake, first + n, plan.variants_per_product, now)
        for product in made:
            catalog.add(product)
        new.append(made[0])
    pool = [p for p in catalog.sellable(shop.shop_id) if p.status in (1, 2)]
    factory = OrderFactory(rng, book)
    order_ids: list[int] = []
    for status, created in plan.orders_to_make(rng, _STATUS_WEIGHTS, any_product=bool(pool)):
        order = factory.build(shop, factory.random_picks(pool, available_only=False), created, status)
        if status not in UNPAID and status != 15:
            order.payment_time = min(now, created + rng.randint(60, 3600))
        order.update_time = min(now, (order.payment_time or created) + rng.randint(0, 3 * DAY))
        if status not in UNPAID:
            order.history.append((status, "system", "", order.update_time))
        if status >= 500 and status not in CANCELLED:
            order.awb = f"TKP{rng.randint(10**11, 10**12 - 1)}"
        # history: the seeded stock is already net of it; an unpaid order holds nothing until it is paid
        order.stock_state = "released" if status in CANCELLED else ("" if status in UNPAID else "deducted")
        book.add(order)
        order_ids.append(order.order_id)
    return SeedResult([p.product_id for p in new], order_ids)
