"""Records held by the Tokopedia sandbox: apps (fs_id), shops, products and orders (lazada-tokopedia.md
§B4 fields, §B5 statuses, §B9 money).

Money is integer rupiah. A variant is a product of its own (``parent_id`` set) listed in its parent's
``children``; the parent carries no stock or price of its own that a seller sets. Stock: a paid order's
units leave ``stock`` at once (Tokopedia reports stock already net of orders; ``reserve_stock`` is for
campaigns) and come back when the order is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiostore.sandbox.common import Address, Person

# Order status codes (§B5).
CANCELLED = frozenset({0, 3, 5, 6, 10, 15})
STATUSES = frozenset(
    {*CANCELLED, 100, 103, 220, 221, 400, 450, 500, 501, 520, 530, 540, 550, 600, 601, 690, 700}
)
UNPAID = frozenset({100, 103, 690})
# The changes the simulated marketplace and the seller's calls make (harness calls may force any).
TRANSITIONS: dict[int, frozenset[int]] = {
    100: frozenset({220, 15, 5}),
    103: frozenset({220, 15, 5}),
    690: frozenset({220, 5}),
    220: frozenset({400, 10, 3, 6, 15}),
    221: frozenset({400, 10, 3}),
    400: frozenset({450, 500, 0}),
    450: frozenset({500, 0}),
    500: frozenset({600, 540, 550, 520}),
    520: frozenset({530, 500}),
    530: frozenset({500}),
    540: frozenset({600}),
    600: frozenset({700, 601}),
    601: frozenset({700}),
    550: frozenset(),
    700: frozenset(),
}
NORMAL_PATH = (100, 220, 400, 450, 500, 600, 700)
COURIERS = (
    ("JNE", "Reguler"),
    ("J&T", "EZ"),
    ("SiCepat", "REG"),
    ("AnterAja", "Reguler"),
    ("GoSend", "Instant"),
)


@dataclass(slots=True)
class App:
    fs_id: int
    client_id: str
    client_secret: str
    webhook_secret: str
    linked_shops: set[int] = field(default_factory=set)
    webhook_urls: dict[str, str] = field(default_factory=dict)  # order_notification_url, ...


@dataclass(slots=True)
class Shop:
    shop_id: int
    name: str
    user_id: int
    domain: str
    warehouse_id: int
    is_open: int = 1
    status: int = 1
    created: int = 0


@dataclass(slots=True)
class Product:
    product_id: int
    shop_id: int
    name: str
    description: str
    sku: str
    category_id: int
    status: int  # -2 banned, -1 pending, 0 deleted, 1 active, 2 best, 3 inactive
    price: int
    stock: int
    weight_g: int
    pictures: list[str]
    create_time: int
    update_time: int
    price_time: int
    parent_id: int | None = None
    children: list[int] = field(default_factory=list)
    menu: tuple[int, str] = (0, "")

    @property
    def is_parent(self) -> bool:
        return bool(self.children)


@dataclass(slots=True)
class OrderLine:
    order_detail_id: int
    product_id: int
    name: str
    sku: str
    quantity: int
    price: int
    normal_price: int
    weight_kg: float
    notes: str = ""


@dataclass(slots=True)
class Order:
    order_id: int
    shop_id: int
    warehouse_id: int
    invoice: str
    status: int
    create_time: int
    update_time: int
    lines: list[OrderLine]
    buyer_id: int
    buyer: Person
    address: Address
    courier: tuple[str, str]
    shipping_cost: int
    payment_time: int | None = None
    awb: str = ""
    comment: str = ""
    history: list[tuple[int, str, str, int]] = field(default_factory=list)  # (code, by, message, time)
    stock_state: str = ""  # "" | deducted | released

    @property
    def items_total(self) -> int:
        return sum(line.price * line.quantity for line in self.lines)

    @property
    def total(self) -> int:
        return self.items_total + self.shipping_cost
