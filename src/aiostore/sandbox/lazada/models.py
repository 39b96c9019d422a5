"""Records held by the Lazada sandbox: apps, sellers, products with SKUs, orders with one item per unit
(fields of lazada-tokopedia.md §A4, item statuses of §A5).

Money is integer minor units of the seller's currency; the routes send it in major units (§A9).
Stock follows Lazada's inventory logic (the "Inventory calculation logic" guide): ``quantity`` is the
SKU's total (what price_quantity/update sets), ``withhold`` the units of unpaid orders, ``occupy`` the units
of paid orders not yet ready to ship; sellable = quantity - withhold - occupy. Ready-to-ship takes the unit
out of ``occupy`` and out of ``quantity``; a cancellation gives it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from aiostore.sandbox.common import MARKETS, Address, Market, Person

GATEWAY_HOSTS = {"api.lazada.co.id": "ID", "api.lazada.sg": "SG", "api.lazada.com.my": "MY"}
AUTH_HOST = "auth.lazada.com"
UTC_OFFSET_HOURS = {"ID": 7, "SG": 8, "MY": 8}

WITHHOLDING = frozenset({"unpaid"})
OCCUPYING = frozenset({"pending", "topack", "packed", "repacked"})
RELEASING = frozenset({"canceled"})
DEDUCTING = frozenset(
    {
        "ready_to_ship", "ready_to_ship_pending", "shipped", "delivered", "confirmed", "failed_delivery",
        "lost_by_3pl", "damaged_by_3pl", "returned", "shipped_back", "shipped_back_success",
        "shipped_back_failed", "package_scrapped",
    }
)  # fmt: skip
ITEM_STATUSES = WITHHOLDING | OCCUPYING | RELEASING | DEDUCTING
NORMAL_PATH = ("unpaid", "pending", "packed", "ready_to_ship", "shipped", "delivered")
# The changes a simulated marketplace makes (forced changes skip this table).
TRANSITIONS: dict[str, frozenset[str]] = {
    "unpaid": frozenset({"pending", "canceled"}),
    "pending": frozenset({"topack", "packed", "canceled"}),
    "topack": frozenset({"packed", "canceled"}),
    "packed": frozenset({"ready_to_ship", "repacked", "canceled"}),
    "repacked": frozenset({"ready_to_ship", "canceled"}),
    "ready_to_ship": frozenset({"shipped", "canceled"}),
    "shipped": frozenset({"delivered", "failed_delivery", "lost_by_3pl", "damaged_by_3pl"}),
    "delivered": frozenset({"returned", "confirmed"}),
    "failed_delivery": frozenset({"shipped_back", "shipped_back_success", "returned"}),
    "shipped_back": frozenset({"shipped_back_success", "shipped_back_failed"}),
}
SELLER_CANCELLABLE = frozenset({"unpaid", "pending", "topack", "packed", "repacked"})
CANCEL_REASONS = {
    "10000015": "Out of stock",
    "10000021": "Customer requested cancellation",
    "10000026": "Wrong price or pricing error",
    "10000031": "Undeliverable area",
    "10000034": "Cash on delivery not supported",
}
CARRIERS = {
    "ID": ("LEX ID", "J&T Express", "SiCepat"),
    "SG": ("LEX SG", "Ninja Van"),
    "MY": ("LEX MY", "J&T Express", "Pos Laju"),
}


def stock_state(status: str) -> str:
    if status in WITHHOLDING:
        return "withheld"
    if status in OCCUPYING:
        return "occupied"
    if status in RELEASING:
        return "released"
    return "deducted"


@dataclass(slots=True)
class App:
    app_key: str
    app_secret: str
    push_url: str | None = None
    callback_url: str | None = None


@dataclass(slots=True)
class Seller:
    seller_id: str
    country: str
    name: str
    short_code: str
    user_id: str
    email: str
    status: str = "ACTIVE"

    @property
    def market(self) -> Market:
        return MARKETS[self.country]

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=UTC_OFFSET_HOURS[self.country]))

    @property
    def site(self) -> str:
        return f"lazada_{self.country.lower()}"

    def local_time(self, epoch: int) -> str:
        """``2018-02-10 16:00:00 +0800``, as /orders/get writes times."""
        return datetime.fromtimestamp(epoch, UTC).astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S %z")


@dataclass(slots=True)
class Sku:
    sku_id: int
    seller_sku: str
    price: int  # minor units
    quantity: int  # total stock
    special_price: int = 0  # 0: none
    withhold: int = 0
    occupy: int = 0
    status: str = "active"
    sale_props: dict[str, str] = field(default_factory=dict)
    package_weight: str = "0.5"

    @property
    def reserved(self) -> int:
        return self.withhold + self.occupy

    @property
    def sellable(self) -> int:
        return max(0, self.quantity - self.reserved)


@dataclass(slots=True)
class Product:
    item_id: int
    seller_id: str
    name: str
    description: str
    category_id: int
    status: str  # Active | InActive | Deleted; Pending QC while reviewed, Rejected when QC refused it
    created_ms: int
    updated_ms: int
    images: list[str]
    skus: dict[int, Sku]
    brand: str = "No Brand"
    brand_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)  # the category's attributes, by key
    reject_reasons: list[dict[str, str]] = field(default_factory=list)  # QC's, as `rejectReason`

    def shop_sku(self, sku: Sku, country: str) -> str:
        return f"{self.item_id}_{country}-{sku.sku_id}"


@dataclass(slots=True)
class OrderItem:
    order_item_id: int
    item_id: int
    sku_id: int
    seller_sku: str
    name: str
    variation: str
    item_price: int
    status: str
    created: int
    updated: int
    voucher_seller: int = 0
    stock_state: str = ""  # "" | withheld | occupied | deducted | released
    package_id: str = ""
    tracking_code: str = ""
    shipment_provider: str = ""
    reason: str = ""
    initiator: str = ""
    payment_ms: int | None = None


@dataclass(slots=True)
class Order:
    order_id: int
    seller_id: str
    country: str
    currency: str
    created: int
    updated: int
    items: list[OrderItem]
    buyer_id: int
    buyer: Person
    address: Address
    payment_method: str
    shipping_fee: int
    voucher: int = 0
    remarks: str = ""
    days_to_ship: int = 2

    @property
    def statuses(self) -> list[str]:
        return list(dict.fromkeys(item.status for item in self.items))

    @property
    def price(self) -> int:
        return sum(item.item_price for item in self.items)
