"""Records held by the Shopee sandbox: partners, shops, items with models, orders with lines and a package
(fields of shopee-tiktokshop.md §A4; order, package and item statuses of §A5).

Money is integer minor units of the shop's currency; the routes send it as floats of major units (§A9).
Stock: `stock` is the seller stock (it includes reserved units), `reserved` the units held by open orders;
available = stock - reserved, and update_stock refuses stock below reserved (§A4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiostore.sandbox.common import MARKETS, Address, Market, Person

ITEM_STATUSES = frozenset({"NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE"})
ORDER_STATUSES = frozenset(
    {
        "UNPAID", "READY_TO_SHIP", "PROCESSED", "RETRY_SHIP", "SHIPPED", "TO_CONFIRM_RECEIVE", "IN_CANCEL",
        "CANCELLED", "TO_RETURN", "COMPLETED", "INVOICE_PENDING", "PENDING",
    }
)  # fmt: skip
NORMAL_PATH = ("UNPAID", "READY_TO_SHIP", "PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
# The changes a simulated marketplace makes; IN_CANCEL may also fall back to the status it left.
TRANSITIONS: dict[str, frozenset[str]] = {
    "UNPAID": frozenset({"READY_TO_SHIP", "IN_CANCEL", "CANCELLED"}),
    "READY_TO_SHIP": frozenset({"PROCESSED", "SHIPPED", "IN_CANCEL", "CANCELLED"}),
    "PROCESSED": frozenset({"SHIPPED", "RETRY_SHIP", "IN_CANCEL", "CANCELLED"}),
    "RETRY_SHIP": frozenset({"PROCESSED", "SHIPPED", "CANCELLED"}),
    "SHIPPED": frozenset({"TO_CONFIRM_RECEIVE", "TO_RETURN", "COMPLETED"}),
    "TO_CONFIRM_RECEIVE": frozenset({"COMPLETED", "TO_RETURN"}),
    "IN_CANCEL": frozenset({"CANCELLED", "UNPAID", "READY_TO_SHIP", "PROCESSED"}),
    "TO_RETURN": frozenset({"COMPLETED"}),
    "CANCELLED": frozenset(),
    "COMPLETED": frozenset(),
}
# Stock held for an order while it is in these statuses; deducted once it leaves for shipping.
RESERVING = frozenset({"UNPAID", "READY_TO_SHIP", "IN_CANCEL", "INVOICE_PENDING", "PENDING"})
PAID = frozenset(ORDER_STATUSES - {"UNPAID", "PENDING"})
LOGISTICS_BY_STATUS = {
    "UNPAID": "LOGISTICS_NOT_START",
    "READY_TO_SHIP": "LOGISTICS_READY",
    "PROCESSED": "LOGISTICS_REQUEST_CREATED",
    "RETRY_SHIP": "LOGISTICS_PICKUP_RETRY",
    "SHIPPED": "LOGISTICS_PICKUP_DONE",
    "TO_CONFIRM_RECEIVE": "LOGISTICS_DELIVERY_DONE",
    "COMPLETED": "LOGISTICS_DELIVERY_DONE",
    "CANCELLED": "LOGISTICS_REQUEST_CANCELED",
}
PRICE_RATIO_CAP = {"ID": 7, "MY": 7, "SG": 5}  # max/min model price of one item (§A4 update_price)
CANCEL_REASONS = {
    "OUT_OF_STOCK": "Out of Stock",
    "CUSTOMER_REQUEST": "Customer Request",
    "UNDELIVERABLE_AREA": "Undeliverable Area",
    "COD_NOT_SUPPORTED": "COD Not Supported",
}
CARRIERS = {
    "ID": ((8003, "J&T Express"), (8005, "SiCepat REG"), (8001, "JNE Reguler")),
    "SG": ((18025, "SPX Express"), (18028, "Ninja Van")),
    "MY": ((28050, "J&T Express"), (28016, "Pos Laju")),
}


@dataclass(slots=True)
class Partner:
    partner_id: int
    partner_key: str
    push_url: str | None = None


@dataclass(slots=True)
class Shop:
    shop_id: int
    region: str
    name: str
    status: str = "NORMAL"

    @property
    def market(self) -> Market:
        return MARKETS[self.region]

    @property
    def location_id(self) -> str:
        return f"{self.region}Z"


@dataclass(slots=True)
class TierVariation:
    name: str
    options: list[str]


@dataclass(slots=True)
class Model:
    model_id: int
    model_sku: str
    tier_index: list[int]
    price: int
    stock: int
    reserved: int = 0
    status: str = "MODEL_NORMAL"


@dataclass(slots=True)
class Item:
    item_id: int
    shop_id: int
    item_name: str
    description: str
    item_sku: str
    category_id: int
    item_status: str
    create_time: int
    update_time: int
    weight: float
    image_ids: list[str]
    brand_name: str = "NoBrand"
    brand_id: int = 0
    attribute_list: list[dict[str, Any]] = field(default_factory=list)  # as add_item/update_item sent it
    condition: str = "NEW"
    dimension: tuple[int, int, int] = (20, 15, 5)  # cm
    logistic_ids: list[int] = field(default_factory=list)
    tier_variation: list[TierVariation] = field(default_factory=list)
    models: dict[int, Model] = field(default_factory=dict)
    price: int = 0  # items without models only
    stock: int = 0
    reserved: int = 0
    # get_item_violation_info's item_status_details (a rejected review: the item is BANNED)
    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_model(self) -> bool:
        return bool(self.models)

    def model_name(self, model: Model) -> str:
        return ",".join(t.options[i] for t, i in zip(self.tier_variation, model.tier_index, strict=False))


@dataclass(slots=True)
class OrderLine:
    order_item_id: int
    item_id: int
    model_id: int
    item_name: str
    item_sku: str
    model_name: str
    model_sku: str
    quantity: int
    original_price: int
    discounted_price: int


@dataclass(slots=True)
class Package:
    package_number: str
    logistics_channel_id: int
    shipping_carrier: str
    logistics_status: str = "LOGISTICS_NOT_START"
    tracking_number: str = ""


@dataclass(slots=True)
class Order:
    order_sn: str
    shop_id: int
    region: str
    currency: str
    status: str
    create_time: int
    update_time: int
    lines: list[OrderLine]
    package: Package
    buyer_user_id: int
    buyer: Person
    address: Address
    cod: bool
    payment_method: str
    shipping_fee: int
    days_to_ship: int = 3
    message_to_seller: str = ""
    note: str = ""
    pay_time: int | None = None
    cancel_by: str = ""
    cancel_reason: str = ""
    buyer_cancel_reason: str = ""
    stock_state: str = ""  # "" (none yet) | reserved | deducted | released
    status_before_cancel: str = ""

    @property
    def total_amount(self) -> int:
        return sum(line.discounted_price * line.quantity for line in self.lines) + self.shipping_fee

    @property
    def ship_by_date(self) -> int:
        return (self.pay_time or self.create_time) + self.days_to_ship * 86400
